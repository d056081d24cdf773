// The `release` bin (and `migrakit release`): semantic-release with migrakit's default configuration unless
// the repository has its own. semantic-release prints its own progress and errors; this only decides the
// configuration and the exit code (docs/spec.md §4: migrakit's codes keep their exit codes, anything else is 1).
import type { Command } from "commander";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import type { Context } from "../output/context.js";
import { loadConfig } from "../config/load.js";
import { choosePackage, listPackages } from "../model/repo.js";
import { isMigrakitError, MigrakitError } from "../errors/index.js";
import { parseReleaseArgs, RELEASE_CONFIG_FILES, RELEASE_HELP } from "../release/args.js";
import { defaultReleaseConfig, hasGitHubToken, PLUGIN_NAME, PLUGIN_PATH } from "../release/default-config.js";
import { print, reportError } from "../output/output.js";
import { migrakitCodeOf, releaseErrors, wrapReleaseFailure } from "../release/sr-failure.js";

/** True when semantic-release will find a configuration of the repository's own. */
export function hasOwnReleaseConfig(cwd: string): boolean {
  if (RELEASE_CONFIG_FILES.some((f) => existsSync(join(cwd, f)))) return true;
  try {
    const pkg = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8")) as Record<string, unknown>;
    return pkg !== null && typeof pkg === "object" && "release" in pkg;
  } catch {
    return false;
  }
}

/** semantic-release's options: its defaults from migrakit unless the repo configures it, then the command line. */
export async function releaseOptions(
  cwd: string,
  env: NodeJS.ProcessEnv,
  cli: Record<string, unknown>,
  packageName?: string,
): Promise<Record<string, unknown>> {
  if (hasOwnReleaseConfig(cwd)) return cli;
  const config = await loadConfig({ cwd, env });
  let packages = await listPackages(cwd, config);
  if (packageName !== undefined) packages = [choosePackage(packages, packageName, cwd)];
  if (packages.length === 0) throw new MigrakitError("EMIGRAKIT_NO_PACKAGE", { cwd });
  const pluginOptions = packageName !== undefined ? { packages } : {};
  return {
    ...defaultReleaseConfig({ packages, github: hasGitHubToken(env), pluginOptions, plugin: pluginSpecifier(cwd) }),
    ...cli,
  };
}

/** "migrakit/release" when the repository resolves it to this very migrakit, else this plugin's path. */
function pluginSpecifier(cwd: string): string {
  try {
    const found = realpathSync(createRequire(join(cwd, "package.json")).resolve(PLUGIN_NAME));
    return found === realpathSync(PLUGIN_PATH) ? PLUGIN_NAME : PLUGIN_PATH;
  } catch {
    return PLUGIN_PATH;
  }
}

/** The exit code for what semantic-release threw: a migrakit code's own, else 1 (EMIGRAKIT_RELEASE_FAILED). */
export function exitCodeFor(error: unknown): number {
  for (const e of releaseErrors(error)) {
    const own = migrakitCodeOf(e);
    if (own) return own.exit;
  }
  return wrapReleaseFailure(releaseErrors(error)[0]!).exitCode;
}

/**
 * semantic-release's error output without JavaScript stack traces: its "An error occurred while running
 * semantic-release: <error with stack>" is replaced by migrakit's EMIGRAKIT_RELEASE_FAILED line, and stray
 * `    at …` frames are dropped. Its own coded errors (code, message, details) pass unchanged.
 */
function withoutStackTraces(target: Writable): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      const text = String(chunk);
      if (!text.includes("An error occurred while running semantic-release"))
        target.write(text.replace(/^\s+at \S.*\n?/gm, ""));
      done();
    },
  });
}

export async function runRelease(cli: Record<string, unknown>, ctx: Context, debug = false): Promise<number> {
  const options = await releaseOptions(ctx.cwd, ctx.env, cli, ctx.packageName);
  // The shareable config `migrakit/release-config` (what `migrakit init` writes into .releaserc.json) is
  // imported by semantic-release without the folder; it reads it from here.
  ctx.env.MIGRAKIT_RELEASE_CWD = ctx.cwd;
  if (debug) ctx.env.DEBUG = [ctx.env.DEBUG, "semantic-release:*"].filter(Boolean).join(",");
  const { default: semanticRelease } = await import("semantic-release");
  // With --json, stdout is the one JSON document: semantic-release's progress goes to stderr.
  const stdout = (ctx.json ? ctx.stderr : ctx.stdout) as NodeJS.WriteStream;
  const stderr = withoutStackTraces(ctx.stderr) as NodeJS.WriteStream;
  let result;
  try {
    result = await semanticRelease(options as never, { cwd: ctx.cwd, env: ctx.env, stdout, stderr });
  } catch (e) {
    const errors = releaseErrors(e);
    const own = errors.map(migrakitCodeOf).find((c) => c !== null);
    if (!own) throw wrapReleaseFailure(errors[0]!);
    // The plugin's own codes: semantic-release printed each (code, message, fix in the details) already.
    if (ctx.json) {
      const list = errors.map((x) => ({
        code: String(x.code ?? "no code"),
        message: String(x.message ?? ""),
        fix: String(x.details ?? ""),
        exitCode: migrakitCodeOf(x)?.exit ?? 1,
      }));
      print(ctx.stdout, JSON.stringify({ ok: false, errors: list }, null, 2));
    }
    return own.exit;
  }
  if (ctx.json) {
    const next = result ? result.nextRelease : null;
    print(
      ctx.stdout,
      JSON.stringify(
        {
          ok: true,
          dryRun: Boolean(options.dryRun),
          released: next ? { version: next.version, gitTag: next.gitTag, channel: next.channel ?? null } : null,
        },
        null,
        2,
      ),
    );
  }
  return 0;
}

export const name = "release";

export function describe(c: Command): Command {
  return c
    .description("run semantic-release with migrakit's default configuration unless the repo has its own")
    .allowUnknownOption()
    .helpOption(false)
    .argument("[options...]", "semantic-release options (--dry-run, --no-ci, --branches …)");
}

/** `migrakit release …`: the same as the bin; args are semantic-release's options. */
export async function run(_opts: Record<string, unknown>, ctx: Context, args: string[] = []): Promise<number> {
  const parsed = parseReleaseArgs(args);
  if (parsed.help) {
    ctx.stdout.write(RELEASE_HELP);
    return 0;
  }
  // commander hands every option after the first unknown one over as an argument: --json among them.
  return runRelease(parsed.options, { ...ctx, json: ctx.json || parsed.json }, parsed.debug);
}

/** The `release` bin. */
export async function main(
  argv: string[],
  io: { env: NodeJS.ProcessEnv; cwd: string; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
  },
): Promise<number> {
  const base = {
    stdout: io.stdout as Context["stdout"],
    stderr: io.stderr as Context["stderr"],
    json: argv.includes("--json"),
    env: io.env,
  };
  try {
    const parsed = parseReleaseArgs(argv);
    if (parsed.help) {
      io.stdout.write(RELEASE_HELP);
      return 0;
    }
    const cwd = resolve(io.cwd, parsed.cwd ?? ".");
    if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new MigrakitError("EMIGRAKIT_CWD_MISSING", { cwd });
    const ctx: Context = { ...base, json: parsed.json, cwd, interactive: false, packageName: parsed.packageName };
    return await runRelease(parsed.options, ctx, parsed.debug);
  } catch (e) {
    if (isMigrakitError(e)) {
      reportError(base, e);
      return e.exitCode;
    }
    io.stderr.write(`internal error (please report it): ${(e as Error)?.stack ?? String(e)}\n`);
    return 70;
  }
}
