// A MigrakitError that carries a block of text to show below it (the missing `op.*` lines, the `--rename`
// candidates), and the commands' way of printing it.
import type { Context } from "../output/context.js";
import { print, reportError } from "../output/output.js";
import { isMigrakitError, type MigrakitError } from "../errors/index.js";

export type DetailedError = MigrakitError & { detail?: string };

export function withDetail(error: MigrakitError, detail?: string): DetailedError {
  return Object.assign(error, { detail });
}

/** Report an expected failure with its detail and return its exit code; anything else is re-thrown. */
export function reportDetailed(ctx: Context, err: unknown): number {
  if (!isMigrakitError(err)) throw err;
  const detail = (err as DetailedError).detail;
  reportError(ctx, err);
  if (detail)
    print(
      ctx.stderr,
      detail
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n"),
    );
  return err.exitCode;
}
