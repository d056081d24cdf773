// A content-addressed cache of passing checks: when nothing a check depends on changed since the last run
// that passed (scripts, ORM and every other file of the package, env.py, configuration, which Python and
// its installed packages, which Postgres, migrakit itself), the answer is that run's answer, read from one
// small file without starting Python or Postgres. `--no-cache` and CI always run for real.
// The ORM may import modules outside the package (a repo-root `shared_settings.py`): the passing run asks
// the bridge which files its imports loaded and stores their hashes in the entry, checked again on a hit;
// when the bridge could not say, the entry holds a hash of the whole tracked tree instead.
import { readdirSync, readFileSync, statSync, type Dirent } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { cacheDirFromEnv } from "../../util/cache-dir.js";
import type { LoadedConfig } from "../../config/load.js";
import type { SchemaRepo } from "../../model/repo.js";
import type { Finding } from "../../errors/finding.js";
import { git } from "../../util/git.js";
import { refsFingerprint } from "../../util/git-refs.js";
import { hashParts } from "./keys.js";

// 2: a script's content is its decoded text (a key of format 1 read every file as latin1).
const FORMAT = "migrakit-result-2";
const SKIP = new Set(["__pycache__", "node_modules", ".git"]);

export interface CachedResult {
  /** Findings of the passing run (warnings only). */
  findings: Finding[];
  /** What the report said about each package's baseline. */
  baselines: Record<string, unknown>;
  /** Stats of the interpreter's site-packages at the time: a pip install or uninstall changes them. */
  python: { executable: string; stamps: Record<string, number> };
  /** For release baselines: the git state they were built from (tags, HEAD), checked again on a hit. */
  git?: string;
  /** Every file the run's Python imports loaded outside the interpreter: path → content hash. */
  files?: Record<string, string>;
  /** When the loaded files are unknown: a hash of every tracked file of the repo. */
  tracked?: string;
  created: string;
}

/** `$XDG_CACHE_HOME/migrakit`, else `~/.cache/migrakit`. */
export function cacheDir(env: NodeJS.ProcessEnv): string {
  return cacheDirFromEnv(env) ?? join(homedir(), ".cache", "migrakit");
}

/**
 * Every file of the package folder (ORM, scripts, env.py, helpers), sorted: path and content. Synchronous reads
 * on purpose, as in src/model/repo.ts: for a thousand scripts an awaited fs/promises read per file (four
 * thread-pool round trips each) was most of the result cache's answer. A script's content is the text the
 * repo was read with (from the parse memo when unchanged, src/util/file-memo.ts), which is also what the
 * dynamic check runs (trimmed-scripts.ts writes it): not read a second time.
 */
function packageFiles(repo: SchemaRepo): string[] {
  const texts = new Map(repo.scripts.map((s) => [s.path, s.text]));
  const out: string[] = [];
  const walk = (rel: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(repo.root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (SKIP.has(e.name) || e.name.endsWith(".pyc")) continue;
      const path = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (e.isFile()) out.push(path, texts.get(path) ?? readFileSync(join(repo.root, path), "latin1"));
    }
  };
  walk(repo.package);
  return out;
}

/** What picks the interpreter (docs/spec.md §3 `python`), without running it. */
function interpreterInputs(root: string, config: LoadedConfig, env: NodeJS.ProcessEnv): string[] {
  let venv = "";
  try {
    venv = String(statSync(join(root, ".venv", "bin", "python")).mtimeMs);
  } catch {
    // no .venv
  }
  return [config.python ?? "", env.MIGRAKIT_PYTHON ?? "", env.VIRTUAL_ENV ?? "", env.PATH ?? "", venv];
}

/** Files beside the package that env.py reads: alembic.ini, the .env a settings module loads, pyproject.toml. */
const PROJECT_FILES = ["alembic.ini", ".env", "pyproject.toml"];

// Variables that change between shells without changing what a check does.
const VOLATILE =
  /^(_|PWD|OLDPWD|SHLVL|TERM.*|COLUMNS|LINES|SSH_.*|TMUX.*|WINDOWID|DISPLAY|XAUTHORITY|DBUS_.*|GPG_.*|LS_COLORS|PS[1-4]|HIST.*|COLORTERM|INIT_CWD|npm_.*)$/;

/** Every way of reading the environment below names one of these (a text without any reads none). */
const MAY_READ_ENVIRONMENT = /environ|getenv|BaseSettings|dotenv/;

/**
 * What env.py (or the settings module behind it) reads from the environment (pure): the variables it names
 * literally (`os.environ["X"]`, `os.getenv("X")`, `environ.get("X")`); when it reads the environment
 * some other way (a settings class, `dict(os.environ)`, dotenv), every variable but the volatile ones.
 */
export function environmentInputs(sources: string[], env: NodeJS.ProcessEnv): string[] {
  const named = new Set<string>();
  let wholeEnvironment = false;
  for (const text of sources) {
    // Most sources (a thousand scripts) hold none of the words below: one search each, not three regex passes.
    if (!MAY_READ_ENVIRONMENT.test(text)) continue;
    for (const m of text.matchAll(
      /\b(?:environ\s*\[\s*|environ\.get\(\s*|getenv\(\s*)["']([A-Za-z_][A-Za-z0-9_]*)["']/g,
    ))
      named.add(m[1]!);
    const dynamic = text
      .replace(/\benviron\s*(?:\[\s*|\.get\(\s*)["'][^"']*["']/g, "")
      .replace(/\bgetenv\(\s*["'][^"']*["']/g, "");
    if (/\benviron\b|\bgetenv\b|BaseSettings|dotenv|load_dotenv/.test(dynamic)) wholeEnvironment = true;
  }
  const names = wholeEnvironment ? Object.keys(env).filter((n) => !VOLATILE.test(n)) : [...named];
  return names.sort().map((n) => `${n}=${env[n] ?? "<unset>"}`);
}

async function readOr(path: string): Promise<string> {
  return readFile(path, "latin1").catch(() => "");
}

export async function resultKey(
  repos: SchemaRepo[],
  config: LoadedConfig,
  env: NodeJS.ProcessEnv,
  migrakitVersion: string,
): Promise<string> {
  const { source: _source, ...settings } = config;
  const parts: string[] = [FORMAT, migrakitVersion, JSON.stringify(settings), env.MIGRAKIT_DATABASE_URL ?? ""];
  parts.push(...interpreterInputs(repos[0]?.root ?? "", config, env));
  const pythonSources: string[] = [];
  for (const repo of repos) {
    const files = packageFiles(repo);
    // A migrations folder outside the package (alembic.ini's script_location, the `migrations` key) too.
    if (!`${repo.migrationsDir}/`.startsWith(`${repo.package}/`) && repo.package !== ".")
      files.push(...packageFiles({ ...repo, package: repo.migrationsDir }));
    parts.push(repo.package, ...files);
    for (let i = 0; i < files.length; i += 2) if (files[i]!.endsWith(".py")) pythonSources.push(files[i + 1]!);
  }
  const root = repos[0]?.root ?? "";
  for (const name of PROJECT_FILES) parts.push(name, await readOr(join(root, name)));
  parts.push(...environmentInputs(pythonSources, env));
  return hashParts(parts);
}

/** The folders pip changes when a distribution is installed or removed, with their mtimes. */
export function sitePackagesStamps(executable: string): Record<string, number> {
  const stamps: Record<string, number> = {};
  const prefix = dirname(dirname(executable));
  for (const lib of ["lib", "lib64"]) {
    let names: string[] = [];
    try {
      names = readdirSync(join(prefix, lib)).filter((n) => n.startsWith("python"));
    } catch {
      continue;
    }
    for (const n of names) {
      for (const leaf of ["site-packages", "dist-packages"]) {
        const dir = join(prefix, lib, n, leaf);
        try {
          stamps[dir] = statSync(dir).mtimeMs;
        } catch {
          // not there
        }
      }
    }
  }
  try {
    stamps[executable] = statSync(executable).mtimeMs;
  } catch {
    stamps[executable] = -1;
  }
  return stamps;
}

/**
 * Tags and HEAD: what a release baseline is chosen from. Read from the .git folder where we can (one git process
 * less on every answer), else asked of git; the two never agree, so an entry written one way misses the other.
 */
export async function gitState(root: string, env: NodeJS.ProcessEnv): Promise<string> {
  return (
    refsFingerprint(root, env) ?? git(["show-ref", "--tags", "--head", "--hash"], { cwd: root, env }).catch(() => "")
  );
}

const contentHash = async (path: string) => hashParts([await readFile(path, "latin1")]);

/** Path → content hash of each file; a file that cannot be read is left out (a hit then needs it absent too). */
export async function fileHashes(paths: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const path of [...paths].sort()) {
    const hash = await contentHash(path).catch(() => undefined);
    if (hash !== undefined) out[path] = hash;
  }
  return out;
}

/** One hash over every tracked file's path and content (the fallback when the loaded files are unknown). */
export async function trackedTreeHash(root: string, env: NodeJS.ProcessEnv): Promise<string> {
  const list = await git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, env }).catch(
    () => "",
  );
  const parts: string[] = [];
  for (const rel of list.split("\0").filter(Boolean).sort())
    parts.push(rel, await contentHash(join(root, rel)).catch(() => "-"));
  return hashParts(parts);
}

async function sameFiles(files: Record<string, string>): Promise<boolean> {
  for (const [path, hash] of Object.entries(files)) {
    if ((await contentHash(path).catch(() => undefined)) !== hash) return false;
  }
  return true;
}

const entryPath = (dir: string, key: string) => join(dir, "results", `${key}.json`);

export async function readResult(
  dir: string,
  key: string,
  root: string,
  env: NodeJS.ProcessEnv,
): Promise<CachedResult | undefined> {
  let entry: CachedResult;
  try {
    entry = JSON.parse(await readFile(entryPath(dir, key), "utf8")) as CachedResult;
  } catch {
    return undefined;
  }
  const now = sitePackagesStamps(entry.python.executable);
  const same =
    Object.entries(entry.python.stamps).every(([p, t]) => now[p] === t) &&
    Object.keys(now).length === Object.keys(entry.python.stamps).length;
  if (!same) return undefined;
  if (entry.git !== undefined && entry.git !== (await gitState(root, env))) return undefined;
  if (entry.files === undefined && entry.tracked === undefined) return undefined; // written before files were recorded
  if (entry.files !== undefined && !(await sameFiles(entry.files))) return undefined;
  if (entry.tracked !== undefined && entry.tracked !== (await trackedTreeHash(root, env))) return undefined;
  return entry;
}

export async function writeResult(dir: string, key: string, entry: CachedResult): Promise<void> {
  const path = entryPath(dir, key);
  try {
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(entry));
    await rename(tmp, path);
  } catch {
    // A cache that cannot be written only costs time next run.
  }
}
