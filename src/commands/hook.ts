// `migrakit hook pre-commit` (docs/spec.md §2): what hooks/pre-commit runs. bin/migrakit.js already took the quick
// exit when nothing relevant is staged; this is the rest (src/hook/pre-commit.ts).
import type { Command } from "commander";
import type { Context } from "../output/context.js";
import { MigrakitError } from "../errors/index.js";
import { reportDetailed } from "../generate/detail-error.js";
import { print } from "../output/output.js";

export const name = "hook";

export function describe(c: Command): Command {
  return c
    .description("git hooks: `hook pre-commit` writes and checks the script for staged ORM changes, and stages it")
    .argument("<hook>", "pre-commit");
}

export async function run(_opts: Record<string, unknown>, ctx: Context, args: string[]): Promise<number> {
  if (args[0] !== "pre-commit")
    throw new MigrakitError("EMIGRAKIT_USAGE", {
      reason: `unknown hook ${JSON.stringify(args[0] ?? "")}: migrakit has a pre-commit hook`,
      command: "hook",
    });
  const { runPreCommit } = await import("../hook/pre-commit.js");
  try {
    // The hook's report is for the person committing (stderr); with --json, stdout gets one summary
    // document, also when nothing relevant was staged.
    const code = await runPreCommit({ ...ctx, json: false });
    if (ctx.json) print(ctx.stdout, JSON.stringify({ ok: code === 0, hook: "pre-commit", exitCode: code }, null, 2));
    return code;
  } catch (err) {
    return reportDetailed(ctx, err);
  }
}
