// The pre-commit hook's first step, loaded by bin/migrakit.js before anything else: when no staged file
// can be an ORM or migration file, the hook ends here — one git call and a few stats, no commander, no
// config parser, no Python, no Postgres. Anything that might matter goes on to the full hook (pre-commit.ts),
// which applies the configured `orm` globs precisely. Node built-ins only, on purpose.
import { createRequire } from "node:module";

// The built-ins as themselves where Node has process.getBuiltinModule (20.16+), as bin/migrakit.js takes node:fs:
// an ESM import of a built-in first builds its module facade, which reads every export (for node:fs that
// loads fs's streams) — a few percent of this path, which should cost little more than `node -e 0`.
const own = process as { getBuiltinModule?: (id: string) => unknown };
const builtin = own.getBuiltinModule ? (id: string) => own.getBuiltinModule!(id) : createRequire(import.meta.url);
const { execFileSync } = builtin("node:child_process") as typeof import("node:child_process");
const { statSync } = builtin("node:fs") as typeof import("node:fs");
const { join } = builtin("node:path") as typeof import("node:path");

/** HUSKY=0 (husky's own switch) or MIGRAKIT_SKIP=1. */
export function skipRequested(env: NodeJS.ProcessEnv): boolean {
  return env.HUSKY === "0" || env.MIGRAKIT_SKIP === "1";
}

/**
 * Staged paths (added, modified, deleted, renamed: both names) under `cwd`, relative to it (`--relative`):
 * the project's view, so a hook that runs `cd backend` first and `--cwd backend` see the same paths.
 */
export function stagedPaths(cwd: string, env: NodeJS.ProcessEnv): string[] {
  const out = execFileSync(
    "git",
    [
      "-c",
      "core.quotepath=off",
      "diff",
      "--cached",
      "--name-only",
      "-z",
      "--relative",
      "--no-renames",
      "--no-ext-diff",
    ],
    {
      cwd,
      env: { ...env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return out.split("\0").filter(Boolean);
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** The schema package folder a path lies in (the nearest ancestor holding migrations/versions), or null. */
export function packageOf(root: string, path: string, known: Map<string, boolean> = new Map()): string | null {
  const parts = path.split("/");
  for (let n = parts.length - 1; n >= 1; n--) {
    const dir = parts.slice(0, n).join("/");
    let is = known.get(dir);
    if (is === undefined) known.set(dir, (is = isDir(join(root, dir, "migrations", "versions"))));
    if (is) return dir;
  }
  return null;
}

/** The folder (relative, "" = root) nearest to `path` that holds an alembic.ini: an app's project, or null. */
export function alembicProjectOf(root: string, path: string, known: Map<string, boolean> = new Map()): string | null {
  const parts = path.split("/");
  for (let n = parts.length - 1; n >= 0; n--) {
    const dir = parts.slice(0, n).join("/");
    let is = known.get(`ini:${dir}`);
    if (is === undefined) known.set(`ini:${dir}`, (is = isFile(join(root, dir, "alembic.ini"))));
    if (is) return dir;
  }
  return null;
}

const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** Could this staged path be an ORM or migration file? (.py or .mako inside a schema package or an alembic app.) */
export function mightMatter(root: string, path: string, known?: Map<string, boolean>): boolean {
  if (!/\.(py|mako)$/.test(path)) return false;
  return packageOf(root, path, known) !== null || alembicProjectOf(root, path, known) !== null;
}

/** 0 when the hook has nothing to do, undefined when the full hook must look. */
export function quickExit(o: { cwd: string; env: NodeJS.ProcessEnv }): number | undefined {
  if (skipRequested(o.env)) return 0;
  let staged: string[];
  try {
    staged = stagedPaths(o.cwd, o.env);
  } catch {
    return undefined; // let the full hook report what is wrong
  }
  const known = new Map<string, boolean>();
  return staged.some((p) => mightMatter(o.cwd, p, known)) ? undefined : 0;
}
