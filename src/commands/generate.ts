// `migrakit generate [-m MSG] [--rename T.OLD=NEW]… [--backfill T.COL=SQL]… [--no-renames]` (docs/spec.md §2): writes or refreshes the
// unreleased script in the working tree and updates `_migration`; with two heads after a merge, run
// `migrakit rebase` first.
import type { Command } from "commander";
import type { Context } from "../output/context.js";
import { print } from "../output/output.js";
import { startProgress } from "../output/progress.js";
import { loadConfig } from "../config/load.js";
import { loadSchemaRepo } from "../model/repo.js";
import { reportDetailed, withDetail } from "../generate/detail-error.js";
import { generate } from "../generate/generate.js";
import { withPending } from "../generate/pending.js";
import { parseBackfillArg } from "../generate/backfill.js";
import { parseRenameArg } from "../generate/renames.js";
import { outcomeError, outcomeLines } from "../generate/report.js";
import { openSession } from "../generate/session.js";
import { writeFiles } from "../generate/write-files.js";

export interface GenerateCliOptions {
  message?: string;
  rename?: string[];
  /** commander's --no-renames sets renames=false. */
  renames?: boolean;
  backfill?: string[];
  /** --head: the branch label a new script goes on (labelled branches, convention alembic). */
  head?: string;
}

export const name = "generate";

export function describe(c: Command): Command {
  return c
    .description(
      "write or refresh the unreleased script: the operations from the database at head to the ORM, renames detected; updates _migration",
    )
    .option("-m, --message <text>", "a line for the new script's docstring, below its version header")
    .option(
      "--rename <T.OLD=NEW>",
      "a rename to use (TABLE.OLD=NEW for a column, OLD=NEW for a table); repeatable",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      "--backfill <T.COL=SQL>",
      "the value existing rows get in a new NOT NULL column without a server default; repeatable",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option("--no-renames", "no rename detection: dropped and added columns stay drop + add")
    .option(
      "--head <label>",
      "with several labelled branches (convention alembic): the branch label the new script goes on",
    );
}

export async function run(opts: GenerateCliOptions, ctx: Context): Promise<number> {
  try {
    const explicit = (opts.rename ?? []).map(parseRenameArg);
    const backfill = (opts.backfill ?? []).map(parseBackfillArg);
    const config = await loadConfig(ctx);
    // convention alembic: only a script git's HEAD lacks is refreshed (src/generate/pending.ts).
    const repo = await withPending(
      await loadSchemaRepo({ cwd: ctx.cwd, config, packageName: ctx.packageName }),
      ctx.cwd,
      ctx.env,
    );
    startProgress(ctx);
    const session = await openSession({
      cwd: ctx.cwd,
      env: ctx.env,
      config,
      onSlow: ctx.interactive ? (line) => print(ctx.stderr, line) : undefined,
    });
    try {
      const outcome = await generate(session, repo, {
        explicit,
        detect: opts.renames !== false,
        message: opts.message,
        backfill,
        head: opts.head ?? config.generateHead,
      });
      const blocked = outcomeError(outcome);
      if (blocked) throw withDetail(blocked.error, blocked.detail);
      if (outcome.kind === "written") writeFiles(ctx.cwd, outcome.writes);
      if (ctx.json) print(ctx.stdout, JSON.stringify({ ok: true, ...jsonOf(outcome) }, null, 2));
      else for (const line of outcomeLines(outcome)) print(ctx.stdout, line);
      return 0;
    } finally {
      await session.close();
    }
  } catch (err) {
    return reportDetailed(ctx, err);
  }
}

function jsonOf(o: Awaited<ReturnType<typeof generate>>): Record<string, unknown> {
  if (o.kind === "written")
    return {
      action: o.created ? "created" : o.changed ? "refreshed" : "unchanged",
      file: o.file,
      revision: o.revision,
      renames: o.renames.map((r) => ({ ...r.rename, reason: r.reason })),
      fill_in: o.fillIns,
      files: o.writes.map((w) => w.path),
      drops: o.drops ?? [],
    };
  if (o.kind === "nothing") return { action: "nothing", reason: o.reason };
  return { action: o.kind };
}
