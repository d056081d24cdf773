// `migrakit hook pre-commit` (docs/spec.md §2): what hooks/pre-commit runs. bin/migrakit.js already took the quick
// exit when nothing relevant is staged; this is the rest (src/hook/pre-commit.ts).
import type { Context } from "../output/context.js";
import { MigrakitError } from "../errors/index.js";
import { reportDetailed } from "../generate/detail-error.js";

export async function run(_opts: Record<string, unknown>, ctx: Context, args: string[]): Promise<number> {
  if (args[0] !== "pre-commit") throw new MigrakitError("EMIGRAKIT_USAGE", { reason: `unknown hook ${JSON.stringify(args[0] ?? "")}: migrakit has a pre-commit hook`, command: "hook" });
  const { runPreCommit } = await import("../hook/pre-commit.js");
  try {
    return await runPreCommit(ctx);
  } catch (err) {
    return reportDetailed(ctx, err);
  }
}
