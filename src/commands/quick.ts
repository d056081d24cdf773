// The quick paths, which a developer or CI runs most often and which need neither Python nor Postgres:
// `hook pre-commit` with nothing relevant staged, `check --static`, a `check` the result cache answers, and
// `release-prepare`. `npm run build` bundles this module and what it imports into one file
// (dist/bundle/quick/quick.js, scripts/bundle.mjs), which bin/migrakit.js loads first: one file read and
// parsed instead of the resolution of a few dozen modules, and no commander. Anything else — other commands,
// other options, a check the cache cannot answer — returns undefined and goes to the full CLI (src/cli.ts),
// which starts over; no object of this bundle ever meets one of the CLI's modules (their classes differ).
import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { Context } from "../output/context.js";
import { answerWithoutPython } from "./check.js";
import { run as releasePrepare } from "./release-prepare.js";
import { isMigrakitError } from "../errors/index.js";
import { quickExit } from "../hook/fast.js";
import { reportError } from "../output/output.js";

/** As src/cli.ts: an internal failure (a bug) prints its stack and exits 70. */
const EXIT_INTERNAL = 70;

export type QuickCommand =
  | { kind: "hook" }
  | { kind: "check"; static: boolean; cwd?: string; package?: string; json?: boolean }
  | { kind: "release-prepare"; version: string; dryRun: boolean; cwd?: string; package?: string; json?: boolean };

const isCI = (env: NodeJS.ProcessEnv) => ["true", "1"].includes(env.CI?.toLowerCase() ?? "");

/**
 * The quick path an argv asks for, or null (pure). Only the plain spellings: `--cwd=X`, --help, an unknown
 * or a repeated flag go to commander as usual, which reports them.
 */
export function quickCommand(argv: string[], env: NodeJS.ProcessEnv): QuickCommand | null {
  if (argv[0] === "hook" && argv[1] === "pre-commit" && argv.length === 2) return { kind: "hook" };
  if (argv[0] !== "check" && argv[0] !== "release-prepare") return null;
  const seen = new Set<string>();
  const values: Record<string, string> = {};
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (seen.has(arg)) return null;
    seen.add(arg);
    const flags = argv[0] === "check" ? ["--static", "--json"] : ["--dry-run", "--json"];
    const options = argv[0] === "check" ? ["--cwd", "--package"] : ["--cwd", "--package", "--version"];
    if (flags.includes(arg)) continue;
    const value = argv[i + 1];
    if (!options.includes(arg) || value === undefined || value.startsWith("-")) return null;
    values[arg.slice(2)] = value;
    i++;
  }
  const common = {
    ...(values.cwd ? { cwd: values.cwd } : {}),
    ...(values.package ? { package: values.package } : {}),
    ...(seen.has("--json") ? { json: true } : {}),
  };
  if (argv[0] === "check") {
    // Without --static only the result cache's answer is quick, and there is no cache in CI.
    if (!seen.has("--static") && (isCI(env) || env.MIGRAKIT_NO_CACHE === "1")) return null;
    return { kind: "check", static: seen.has("--static"), ...common };
  }
  if (!values.version) return null;
  return { kind: "release-prepare", version: values.version, dryRun: seen.has("--dry-run"), ...common };
}

export interface QuickIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
}

function context(io: QuickIo, c: { cwd?: string; package?: string; json?: boolean }): Context | null {
  const cwd = resolve(io.cwd, c.cwd ?? ".");
  try {
    if (!statSync(cwd).isDirectory()) return null;
  } catch {
    return null; // the CLI reports a missing folder
  }
  return {
    cwd,
    env: io.env,
    stdout: io.stdout as Context["stdout"],
    stderr: io.stderr as Context["stderr"],
    interactive: Boolean(io.stderr.isTTY) && !io.env.CI,
    json: Boolean(c.json),
    packageName: c.package,
  };
}

/** The exit code of a quick path, or undefined: the full CLI takes the run. */
export async function quickMain(argv: string[], io: QuickIo): Promise<number | undefined> {
  const q = quickCommand(argv, io.env);
  if (!q) return undefined;
  if (q.kind === "hook") return quickExit({ cwd: io.cwd, env: io.env });
  const ctx = context(io, q);
  if (!ctx) return undefined;
  try {
    if (q.kind === "release-prepare") return await releasePrepare({ version: q.version, dryRun: q.dryRun }, ctx);
    const answer = await answerWithoutPython({ static: q.static }, ctx);
    return "code" in answer ? answer.code : undefined;
  } catch (e) {
    if (isMigrakitError(e)) {
      reportError(ctx, e);
      return e.exitCode;
    }
    io.stderr.write(`internal error (please report it): ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT_INTERNAL;
  }
}
