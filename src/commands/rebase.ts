// `migrakit rebase [--onto REF]`: after merging main into a branch, re-parent the branch's unreleased
// script(s) on main's head, set `_migration`, regenerate the script when it is still machine-owned, and
// check again. Released scripts never move. Works on the working tree; the hook does the same on the index.
import type { Command } from "commander";
import type { Context } from "../output/context.js";
import { print, reportFindings } from "../output/output.js";
import { startProgress } from "../output/progress.js";
import { loadConfig } from "../config/load.js";
import { hasErrors } from "../errors/finding.js";
import { loadSchemaRepo, readSchemaRepo } from "../model/repo.js";
import { reportDetailed, withDetail } from "../generate/detail-error.js";
import { generate } from "../generate/generate.js";
import { planRebase } from "../generate/rebase.js";
import { addedTimes, mainScripts } from "../generate/rebase-io.js";
import { outcomeError, outcomeLines } from "../generate/report.js";
import { openSession } from "../generate/session.js";
import { verify } from "../generate/verify.js";
import { writeFiles } from "../generate/write-files.js";

export const name = "rebase";

export function describe(c: Command): Command {
  return c
    .description("after merging main: re-parent the branch's unreleased script on the new head, refresh _migration and the script, check again")
    .option("--onto <ref>", "the git ref whose scripts stay (default: MERGE_HEAD, origin/HEAD, main or master)");
}

export async function run(opts: { onto?: string }, ctx: Context): Promise<number> {
  try {
    const config = await loadConfig(ctx);
    let repo = await loadSchemaRepo({ cwd: ctx.cwd, config, packageName: ctx.packageName });
    if (repo.graph.heads.length <= 1) {
      if (ctx.json) print(ctx.stdout, JSON.stringify({ ok: true, action: "nothing", package: repo.package, head: repo.graph.heads[0] ?? null }, null, 2));
      else print(ctx.stdout, `migrakit: ${repo.package} has one head (${repo.graph.heads[0] ?? "no scripts"}): nothing to rebase`);
      return 0;
    }
    const plan = planRebase(repo, { mainHas: await mainScripts(ctx.cwd, ctx.env, repo, opts.onto), addedAt: await addedTimes(ctx.cwd, ctx.env, repo) });
    writeFiles(ctx.cwd, plan.writes);
    const moved = { script: plan.moved.scripts[0]!.path, onto: plan.onto.head, migration: plan.moved.head };
    if (!ctx.json) print(ctx.stdout, `migrakit: re-parented ${moved.script} on ${moved.onto}; _migration = "${moved.migration}"`);
    repo = await readSchemaRepo(ctx.cwd, repo.package);
    startProgress(ctx);
    const session = await openSession({ cwd: ctx.cwd, env: ctx.env, config, onSlow: ctx.interactive ? (line) => print(ctx.stderr, line) : undefined });
    try {
      const outcome = await generate(session, repo, {});
      const blocked = outcomeError(outcome);
      if (blocked) throw withDetail(blocked.error, blocked.detail);
      if (outcome.kind === "written" && outcome.writes.length) {
        writeFiles(ctx.cwd, outcome.writes);
        repo = await readSchemaRepo(ctx.cwd, repo.package);
      }
      if (!ctx.json) for (const line of outcomeLines(outcome)) print(ctx.stdout, line);
      const findings = await verify(session, repo);
      reportFindings(ctx, findings, { action: "rebased", package: repo.package, ...moved, generate: outcome.kind });
      return hasErrors(findings) ? 1 : 0;
    } finally {
      await session.close();
    }
  } catch (err) {
    return reportDetailed(ctx, err);
  }
}
