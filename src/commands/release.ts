// The `release` bin (and `migrakit release`): semantic-release with migrakit's default configuration unless
// the repository has its own. semantic-release prints its own progress and errors; this only decides the
// configuration and the exit code (docs/spec.md §4: migrakit's codes keep their exit codes, anything else is 1).
import type { Command } from "commander";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Context } from "../output/context.js";
import { loadConfig } from "../config/load.js";
import { choosePackage, listPackages } from "../model/repo.js";
import { definition, isMigrakitError, MigrakitError } from "../errors/index.js";
import { parseReleaseArgs, RELEASE_CONFIG_FILES, RELEASE_HELP } from "../release/args.js";
import { defaultReleaseConfig, hasGitHubToken } from "../release/default-config.js";
import { reportError } from "../output/output.js";

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
export async function releaseOptions(cwd: string, env: NodeJS.ProcessEnv, cli: Record<string, unknown>, packageName?: string): Promise<Record<string, unknown>> {
  if (hasOwnReleaseConfig(cwd)) return cli;
  const config = await loadConfig({ cwd, env });
  let packages = await listPackages(cwd, config);
  if (packageName !== undefined) packages = [choosePackage(packages, packageName, cwd)];
  if (packages.length === 0) throw new MigrakitError("EMIGRAKIT_NO_PACKAGE", { cwd });
  const pluginOptions = packageName !== undefined ? { packages } : {};
  return { ...defaultReleaseConfig({ packages, github: hasGitHubToken(env), pluginOptions }), ...cli };
}

/** The exit code for what semantic-release threw: a migrakit code's own, else 1. */
export function exitCodeFor(error: unknown): number {
  const errors: unknown[] = (error as { errors?: unknown[] })?.errors ? [...(error as { errors: unknown[] }).errors] : [error];
  for (const e of errors) {
    const code = (e as { code?: unknown })?.code;
    if (typeof code === "string" && code.startsWith("EMIGRAKIT_")) {
      try {
        return definition(code).exit;
      } catch {
        // an unknown code: fall through to 1
      }
    }
  }
  return 1;
}

export const name = "release";

export function describe(c: Command): Command {
  return c
    .description("run semantic-release with migrakit's default configuration unless the repo has its own")
    .allowUnknownOption()
    .helpOption(false)
    .argument("[options...]", "semantic-release options (--dry-run, --no-ci, --branches …)");
}

export async function runRelease(cli: Record<string, unknown>, ctx: Context, debug = false): Promise<number> {
  const options = await releaseOptions(ctx.cwd, ctx.env, cli, ctx.packageName);
  // The shareable config `migrakit/release-config` (what `migrakit init` writes into .releaserc.json) is
  // imported by semantic-release without the folder; it reads it from here.
  ctx.env.MIGRAKIT_RELEASE_CWD = ctx.cwd;
  if (debug) ctx.env.DEBUG = [ctx.env.DEBUG, "semantic-release:*"].filter(Boolean).join(",");
  const { default: semanticRelease } = await import("semantic-release");
  try {
    await semanticRelease(options as never, { cwd: ctx.cwd, env: ctx.env, stdout: ctx.stdout as NodeJS.WriteStream, stderr: ctx.stderr as NodeJS.WriteStream });
    return 0;
  } catch (e) {
    // semantic-release has printed each error (code, message, details) already.
    return exitCodeFor(e);
  }
}

/** `migrakit release …`: the same as the bin; args are semantic-release's options. */
export async function run(_opts: Record<string, unknown>, ctx: Context, args: string[] = []): Promise<number> {
  const parsed = parseReleaseArgs(args);
  if (parsed.help) {
    ctx.stdout.write(RELEASE_HELP);
    return 0;
  }
  return runRelease(parsed.options, ctx, parsed.debug);
}

/** The `release` bin. */
export async function main(argv: string[], io: { env: NodeJS.ProcessEnv; cwd: string; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const base = { stdout: io.stdout as Context["stdout"], stderr: io.stderr as Context["stderr"], json: false, env: io.env };
  try {
    const parsed = parseReleaseArgs(argv);
    if (parsed.help) {
      io.stdout.write(RELEASE_HELP);
      return 0;
    }
    const cwd = resolve(io.cwd, parsed.cwd ?? ".");
    if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new MigrakitError("EMIGRAKIT_CWD_MISSING", { cwd });
    const ctx: Context = { ...base, cwd, interactive: false, packageName: parsed.packageName };
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
