// `migrakit rebase [--onto REF]`: after merging main into a branch, re-parent the branch's unreleased
// script(s) on main's head, set `_migration`, regenerate the script when it is still machine-owned, and
// check again. Released scripts never move. Works on the working tree; the hook does the same on the index.
import type { Command } from "commander";
import type { Context } from "../output/context.js";
import { print, reportFindings } from "../output/output.js";
import { startProgress } from "../output/progress.js";
import { loadConfig } from "../config/load.js";
import { hasErrors } from "../errors/finding.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MigrakitError } from "../errors/index.js";
import { firstConflictMarker, resolveInitConflicts } from "../model/conflict.js";
import { parseInitFile } from "../model/init-file.js";
import { loadSchemaRepo, readSchemaRepo, type SchemaRepo } from "../model/repo.js";
import { reportDetailed, withDetail } from "../generate/detail-error.js";
import { generate } from "../generate/generate.js";
import { planRebase } from "../generate/rebase.js";
import { addedTimes, mainScripts } from "../generate/rebase-io.js";
import { outcomeError, outcomeLines } from "../generate/report.js";
import { openSession } from "../generate/session.js";
import { verify } from "../generate/verify.js";
import { writeFiles } from "../generate/write-files.js";
import { labelledBranches } from "../model/graph.js";

/**
 * After `git merge main`, __init__.py usually holds a conflict over `_migration` (and `__version__`): exactly what
 * rebase rewrites, so it resolves that in memory (the plan's write of __init__.py carries the resolution). Any
 * other conflict, in __init__.py or a script, is refused here, before anything is written.
 */
function withoutConflicts(repo: SchemaRepo): SchemaRepo {
  for (const s of repo.scripts) {
    const line = firstConflictMarker(s.text);
    if (line !== null)
      throw new MigrakitError("EMIGRAKIT_REBASE_CONFLICT", {
        file: s.path,
        line,
        reason: "conflict markers in a script",
      });
  }
  const init = repo.init;
  if (!init?.text || firstConflictMarker(init.text) === null) return repo;
  const resolved = resolveInitConflicts(init.text);
  if (!resolved.ok)
    throw new MigrakitError("EMIGRAKIT_REBASE_CONFLICT", {
      file: init.path,
      line: resolved.line,
      reason: resolved.reason,
    });
  return { ...repo, init: { ...init, text: resolved.text, parsed: parseInitFile(resolved.text) } };
}

export const name = "rebase";

export function describe(c: Command): Command {
  return c
    .description(
      "after merging main: re-parent the branch's unreleased script on the new head, refresh _migration and the script, check again",
    )
    .option("--onto <ref>", "the git ref whose scripts stay (default: MERGE_HEAD, origin/HEAD, main or master)");
}

export async function run(opts: { onto?: string }, ctx: Context): Promise<number> {
  try {
    const config = await loadConfig(ctx);
    let repo = withoutConflicts(await loadSchemaRepo({ cwd: ctx.cwd, config, packageName: ctx.packageName }));
    if (repo.graph.heads.length <= 1) {
      if (repo.init?.text != null && repo.init.text !== readFileSync(join(ctx.cwd, repo.init.path), "utf8")) {
        writeFiles(ctx.cwd, [{ path: repo.init.path, content: repo.init.text, created: false }]);
        if (!ctx.json) print(ctx.stdout, `migrakit: resolved the _migration/__version__ conflict in ${repo.init.path}`);
      }
      if (ctx.json)
        print(
          ctx.stdout,
          JSON.stringify(
            { ok: true, action: "nothing", package: repo.package, head: repo.graph.heads[0] ?? null },
            null,
            2,
          ),
        );
      else
        print(
          ctx.stdout,
          `migrakit: ${repo.package} has one head (${repo.graph.heads[0] ?? "no scripts"}): nothing to rebase`,
        );
      return 0;
    }
    // alembic's labelled branches are several heads on purpose: moving a script between them would change
    // which branch it belongs to. Nothing to rebase.
    if (repo.convention === "alembic" && labelledBranches(repo.graph)) {
      const heads = repo.graph.heads;
      if (ctx.json)
        print(ctx.stdout, JSON.stringify({ ok: true, action: "nothing", package: repo.package, heads }, null, 2));
      else
        print(
          ctx.stdout,
          `migrakit: ${repo.package} has labelled branches (${heads.join(", ")}), each its own head: nothing to rebase`,
        );
      return 0;
    }
    const plan = planRebase(repo, {
      mainHas: await mainScripts(ctx.cwd, ctx.env, repo, opts.onto),
      addedAt: await addedTimes(ctx.cwd, ctx.env, repo),
    });
    const init = repo.init;
    // The resolution is written even when _migration already names the moved head (the plan then skips __init__.py).
    const initResolved =
      init?.text != null &&
      !plan.writes.some((w) => w.path === init.path) &&
      init.text !== readFileSync(join(ctx.cwd, init.path), "utf8");
    writeFiles(
      ctx.cwd,
      initResolved ? [...plan.writes, { path: init!.path, content: init!.text!, created: false }] : plan.writes,
    );
    const moved = { script: plan.moved.scripts[0]!.path, onto: plan.onto.head, migration: plan.moved.head };
    if (!ctx.json)
      print(ctx.stdout, `migrakit: re-parented ${moved.script} on ${moved.onto}; _migration = "${moved.migration}"`);
    repo = await readSchemaRepo(ctx.cwd, repo.package);
    startProgress(ctx);
    const session = await openSession({
      cwd: ctx.cwd,
      env: ctx.env,
      config,
      onSlow: ctx.interactive ? (line) => print(ctx.stderr, line) : undefined,
    });
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
