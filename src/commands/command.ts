// What every module in src/commands/ exports: its name, how it describes itself to commander (arguments,
// options, help) and what it runs. src/cli.ts adds the common options (--cwd, --package, --json) to each.
import type { Command, OptionValues } from "commander";
import type { Context } from "../output/context.js";

export interface CommandModule {
  name: string;
  describe(c: Command): Command;
  /** The exit code; expected failures are thrown as MigrakitError and reported by the CLI. */
  run(opts: OptionValues, ctx: Context, args: string[]): Promise<number>;
}
