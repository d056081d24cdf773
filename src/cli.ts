// The `migrakit` command line. Each command's module is imported only when that command runs, so the
// start-up path loads little more than commander; `check --static` (the CI's and the release's quick gate)
// and the hook's "nothing to do" path (bin/migrakit.js) do not even load that.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { Command, CommanderError } from "commander";
import type { CommandModule } from "./commands/command.js";
import type { Context } from "./output/context.js";
import { isMigrakitError, MigrakitError } from "./errors/index.js";
import { reportError } from "./output/output.js";
import { migrakitVersion } from "./util/package-root.js";
import { isCI } from "./util/ci.js";

interface Io {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
}

interface CommonOptions {
  cwd?: string;
  package?: string;
  json?: boolean;
}

/** An internal failure (a bug): the stack is printed, and the exit code is documented as 70. */
export const EXIT_INTERNAL = 70;

function makeContext(io: Io, opts: CommonOptions): Context {
  const cwd = resolve(io.cwd, opts.cwd ?? ".");
  let ok = false;
  try {
    ok = statSync(cwd).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new MigrakitError("EMIGRAKIT_CWD_MISSING", { cwd });
  return {
    cwd,
    env: io.env,
    stdout: io.stdout as Context["stdout"],
    stderr: io.stderr as Context["stderr"],
    interactive: Boolean(io.stderr.isTTY) && !isCI(io.env),
    json: Boolean(opts.json),
    packageName: opts.package,
  };
}

// The command modules by name, imported on use: a run loads only its own command (changesets does the same),
// so `migrakit status` does not pay for generate's or deploy's imports. The names repeat each module's
// `name` so that the right one can be picked before any is loaded; test/cli/commands.test.ts keeps them equal.
const COMMANDS = {
  check: () => import("./commands/check.js"),
  generate: () => import("./commands/generate.js"),
  rebase: () => import("./commands/rebase.js"),
  hook: () => import("./commands/hook.js"),
  init: () => import("./commands/init.js"),
  server: () => import("./commands/server.js"),
  "release-prepare": () => import("./commands/release-prepare.js"),
  release: () => import("./commands/release.js"),
  status: () => import("./commands/status.js"),
  deploy: () => import("./commands/deploy.js"),
} satisfies Record<string, () => Promise<CommandModule>>;

export const COMMAND_NAMES = Object.keys(COMMANDS) as (keyof typeof COMMANDS)[];

const isCommandName = (s: string | undefined): s is keyof typeof COMMANDS =>
  s !== undefined && Object.hasOwn(COMMANDS, s);

/** The modules commander must know for this command line: the one named, or all (help, unknown command). */
export async function commandModules(argv: string[]): Promise<CommandModule[]> {
  const first = argv[0];
  if (isCommandName(first)) return [await COMMANDS[first]()];
  return Promise.all(COMMAND_NAMES.map((n) => COMMANDS[n]()));
}

/**
 * `check --static` with nothing but the common options, parsed without commander (whose loading alone is a
 * good part of a static check's time). Anything else — `--cwd=X`, an unknown flag, --help — returns null
 * and goes through commander as usual.
 */
export function quickStaticCheck(argv: string[]): CommonOptions | null {
  if (argv[0] !== "check") return null;
  const opts: CommonOptions = {};
  let isStatic = false;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = argv[i + 1];
    if (arg === "--static") isStatic = true;
    else if (arg === "--json") opts.json = true;
    else if ((arg === "--cwd" || arg === "--package") && value !== undefined && !value.startsWith("-")) {
      opts[arg === "--cwd" ? "cwd" : "package"] = value;
      i++;
    } else return null;
  }
  return isStatic ? opts : null;
}

/** A commander error that is not a failure: --help, --version. */
const HELP_CODES = new Set(["commander.helpDisplayed", "commander.version"]);

/** commander's own complaint about the command line, as the catalogue's usage error. */
export function usageError(e: CommanderError, argv: string[]): MigrakitError {
  // commander.help: no command at all (commander printed the help to stderr; its message is "(outputHelp)").
  const reason =
    e.code === "commander.help"
      ? "no command given"
      : e.message.replace(/^error: /, "").trim() || "the command line is not valid";
  return new MigrakitError("EMIGRAKIT_USAGE", { reason, ...(isCommandName(argv[0]) ? { command: argv[0] } : {}) });
}

function failure(e: unknown, io: Io, json: boolean): number {
  if (isMigrakitError(e)) {
    reportError(
      { stdout: io.stdout as Context["stdout"], stderr: io.stderr as Context["stderr"], json, env: io.env },
      e,
    );
    return e.exitCode;
  }
  io.stderr.write(`internal error (please report it): ${(e as Error)?.stack ?? String(e)}\n`);
  return EXIT_INTERNAL;
}

export async function main(
  argv: string[],
  io: Io = { env: process.env, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() },
): Promise<number> {
  const quick = quickStaticCheck(argv);
  if (quick) {
    try {
      const { run } = await import("./commands/check.js");
      return await run({ static: true }, makeContext(io, quick));
    } catch (e) {
      return failure(e, io, Boolean(quick.json));
    }
  }
  const commander = await import("commander");
  let exitCode = 0;
  // Known before parsing, so that a usage error of a --json run is a JSON document too.
  let json = argv.includes("--json");
  const program = new commander.Command("migrakit")
    .description("Tested, automatic alembic migrations for Python schema packages")
    .version(migrakitVersion(), "-V, --version")
    // Program options only before the command name: `release-prepare --version 1.0.0` is the command's option.
    .enablePositionalOptions()
    .exitOverride()
    // commander's own error line is replaced by the catalogue's EMIGRAKIT_USAGE (code, message, fix; JSON with --json).
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => {},
    });
  for (const mod of await commandModules(argv)) {
    mod
      .describe(program.command(mod.name))
      .addOption(new commander.Option("--cwd <dir>", "the repository root (default: the current folder)"))
      .addOption(new commander.Option("--package <name>", "the schema package, where a repo holds several"))
      .addOption(
        new commander.Option(
          "--json",
          "machine-readable output on stdout: exactly one JSON document, success or failure",
        ),
      )
      .exitOverride()
      .action(async function (this: Command) {
        const opts = this.opts();
        json = Boolean(opts.json);
        exitCode = await mod.run(opts, makeContext(io, opts), this.args);
      });
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (e) {
    if (e instanceof commander.CommanderError) {
      if (HELP_CODES.has(e.code)) return 0;
      return failure(usageError(e, argv), io, json);
    }
    return failure(e, io, json);
  }
}
