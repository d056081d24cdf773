// The `migrakit` command line. Each command's module is imported only when that command runs, so the
// start-up path loads little more than commander; `check --static` (the CI's and the release's quick gate)
// and the hook's "nothing to do" path (bin/migrakit.js) do not even load that.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { Context } from "./output/context.js";
import { isMigrakitError, MigrakitError } from "./errors/index.js";
import { reportError } from "./output/output.js";

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
    interactive: Boolean(io.stderr.isTTY) && !io.env.CI,
    json: Boolean(opts.json),
    packageName: opts.package,
  };
}

type Runner = (opts: Record<string, unknown>, ctx: Context, args: string[]) => Promise<number>;

/** Register a command whose implementation is loaded on use. */
function lazy(load: () => Promise<{ run: Runner }>) {
  return load;
}

const commands: { name: string; describe: (c: Command) => Command; load: () => Promise<{ run: Runner }> }[] = [
  {
    name: "check",
    describe: (c) =>
      c
        .description("the CI Build step: static rules, upgrade from the baseline, models match DDL, downgrade round trip")
        .option("--static", "only the static rules (no Python, no Postgres)")
        .option("--no-cache", "run every check for real (no result cache, no template database)")
        .option("--against <url>", "instead: upgrade a throw-away copy of this instance to head and compare it with the ORM")
        .option("--row-limit <n>", "with --against: copy at most n rows per table (pg_dump path)"),
    load: lazy(() => import("./commands/check.js") as Promise<{ run: Runner }>),
  },
  {
    name: "generate",
    describe: (c) =>
      c
        .description("write or refresh the unreleased script: the operations from the database at head to the ORM, renames detected; updates _migration")
        .option("-m, --message <text>", "a line for the new script's docstring, below its version header")
        .option("--rename <T.OLD=NEW>", "a rename to use (TABLE.OLD=NEW for a column, OLD=NEW for a table); repeatable", (v: string, prev: string[] = []) => [...prev, v])
        .option("--no-renames", "no rename detection: dropped and added columns stay drop + add"),
    load: lazy(() => import("./commands/generate.js") as unknown as Promise<{ run: Runner }>),
  },
  {
    name: "rebase",
    describe: (c) =>
      c
        .description("after merging main: re-parent the branch's unreleased script on the new head, refresh _migration and the script, check again")
        .option("--onto <ref>", "the git ref whose scripts stay (default: MERGE_HEAD, origin/HEAD, main or master)"),
    load: lazy(() => import("./commands/rebase.js") as unknown as Promise<{ run: Runner }>),
  },
  {
    name: "hook",
    describe: (c) =>
      c
        .description("git hooks: `hook pre-commit` generates and checks the migration of staged ORM changes, and stages it")
        .argument("<hook>", "pre-commit"),
    load: lazy(() => import("./commands/hook.js") as unknown as Promise<{ run: Runner }>),
  },
  {
    name: "init",
    describe: (c) =>
      c
        .description("set up a schema repo: config, env.py, script template, pre-commit hook, release config (idempotent)")
        .option("--force", "replace files that exist and differ from migrakit's")
        .option("--ci <provider>", "also write CI workflow files (github)"),
    load: lazy(() => import("./commands/init.js") as Promise<{ run: Runner }>),
  },
  {
    name: "server",
    describe: (c) =>
      c
        .description("the embedded Postgres and warm Python workers migrakit keeps running between runs: status (default) or stop")
        .argument("[action]", "status | stop")
        .argument("[what]", "with stop: workers | postgres (default: both)"),
    load: lazy(() => import("./commands/server.js") as Promise<{ run: Runner }>),
  },
  {
    name: "release-prepare",
    describe: (c) =>
      c
        .description("the release step by hand: bump __version__, rename vx_x_x scripts, rewrite their headers (all-or-nothing)")
        .requiredOption("--version <version>", "the release version: semver (1.2.0-rc.3) or PEP 440 (1.2.0rc3)")
        .option("--dry-run", "print the plan; change nothing"),
    load: lazy(() => import("./commands/release-prepare.js") as unknown as Promise<{ run: Runner }>),
  },
  {
    name: "release",
    describe: (c) =>
      c
        .description("run semantic-release with migrakit's default configuration unless the repo has its own")
        .allowUnknownOption()
        .helpOption(false)
        .argument("[options...]", "semantic-release options (--dry-run, --no-ci, --branches …)"),
    load: lazy(() => import("./commands/release.js") as Promise<{ run: Runner }>),
  },
  {
    name: "status",
    describe: (c) =>
      c
        .description("an instance's revision and version against the package head, and the scripts still to deploy (exit 1 when behind)")
        .requiredOption("--db <url>", "the instance's Postgres URL"),
    load: lazy(() => import("./commands/status.js") as unknown as Promise<{ run: Runner }>),
  },
  {
    name: "deploy",
    describe: (c) =>
      c
        .description("apply the pending scripts to an instance: confirmed, under a lock, all or nothing")
        .requiredOption("--db <url>", "the instance's Postgres URL")
        .option("--yes", "confirm in advance (needed without a terminal)")
        .option("--sql", "print the SQL that would run (alembic offline mode); change nothing")
        .option("--lock-wait <duration>", "how long to wait for another deploy's lock", "60s")
        .option("--lock-timeout <duration>", "Postgres lock_timeout for the deploy's statements (0: none)", "10s")
        .option("--statement-timeout <duration>", "Postgres statement_timeout for the deploy's statements (0: none)"),
    load: lazy(() => import("./commands/deploy.js") as unknown as Promise<{ run: Runner }>),
  },
];

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

function failure(e: unknown, io: Io, json: boolean, isUsage: (e: unknown) => e is { exitCode: number }): number {
  if (isUsage(e)) return e.exitCode === 0 ? 0 : 2;
  if (isMigrakitError(e)) {
    reportError({ stdout: io.stdout as Context["stdout"], stderr: io.stderr as Context["stderr"], json, env: io.env }, e);
    return e.exitCode;
  }
  io.stderr.write(`internal error (please report it): ${(e as Error)?.stack ?? String(e)}\n`);
  return EXIT_INTERNAL;
}

export async function main(argv: string[], io: Io = { env: process.env, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }): Promise<number> {
  const quick = quickStaticCheck(argv);
  if (quick) {
    try {
      const { run } = await import("./commands/check.js");
      return await run({ static: true }, makeContext(io, quick));
    } catch (e) {
      return failure(e, io, Boolean(quick.json), (_e): _e is { exitCode: number } => false);
    }
  }
  const { Command, CommanderError, Option } = await import("commander");
  let exitCode = 0;
  let json = argv.includes("--json");
  const program = new Command("migrakit")
    .description("Tested, automatic alembic migrations for Python schema packages")
    .version(await packageVersion(), "-V, --version")
    // Program options only before the command name: `release-prepare --version 1.0.0` is the command's option.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError("(run with --help for the accepted arguments)");
  for (const spec of commands) {
    const cmd = spec
      .describe(program.command(spec.name))
      .addOption(new Option("--cwd <dir>", "the repository root (default: the current folder)"))
      .addOption(new Option("--package <name>", "the schema package, where a repo holds several"))
      .addOption(new Option("--json", "machine-readable output on stdout"))
      .exitOverride()
      .action(async (...actionArgs: unknown[]) => {
        const command = actionArgs.at(-1) as Command;
        const opts = command.opts() as Record<string, unknown> & CommonOptions;
        json = Boolean(opts.json);
        const ctx = makeContext(io, opts);
        const mod = await spec.load();
        exitCode = await mod.run(opts, ctx, command.args);
      });
    void cmd;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (e) {
    return failure(e, io, json, (x): x is InstanceType<typeof CommanderError> => x instanceof CommanderError);
  }
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
