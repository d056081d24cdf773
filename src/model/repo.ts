// Reads a schema repo from disk into the model (the thin IO edge around the pure parsers).
import { readdirSync, readFileSync, statSync, type BigIntStats, type Dirent } from "node:fs";
import { basename, join, posix, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { MigrakitError } from "../errors/index.js";
import { codeIdentity, openFileMemo, type FileMemo } from "../util/file-memo.js";
import type { LoadedConfig } from "../config/load.js";
import type { Convention } from "../config/schema.js";
import { alembicFromPyproject, parseAlembicIni, type AlembicSettings } from "./alembic-ini.js";
import { buildGraph } from "./graph.js";
import { parseInitFile } from "./init-file.js";
import { parseScriptName } from "./script-name.js";
import { parseScriptSource } from "./script-source.js";
import type { InitFile, RevisionGraph, Script } from "./types.js";

export interface ScriptFile extends Script {
  /** The file's text (UTF-8). */
  text: string;
}

export interface InitFileOnDisk {
  /** Path relative to the repo root. */
  path: string;
  /** null when the file is not valid UTF-8. */
  text: string | null;
  parsed: InitFile | null;
}

export interface SchemaRepo {
  /** Absolute repository root. */
  root: string;
  /** The package folder relative to the root, `/`-separated (e.g. `lnschema_core`). */
  package: string;
  /** The import name of the package (its folder's base name). */
  importName: string;
  /** Relative paths, `/`-separated. */
  migrationsDir: string;
  versionsDir: string;
  init: InitFileOnDisk | null;
  /** Scripts sorted by file name. */
  scripts: ScriptFile[];
  /** Script files that could not be decoded as UTF-8. */
  undecodable: string[];
  /** Entries named like scripts that are not regular files (a folder, a FIFO, a dangling or looping symlink). */
  notFiles: NotAFile[];
  graph: RevisionGraph;
  /** docs/spec.md §3: lamin (section 1's naming, `_migration`, `__version__`) or alembic (an app's repo). */
  convention: Convention;
  /** `acceptHistoryUpTo`: the naming and header rules leave this revision and those before it alone. */
  acceptedUpTo?: string;
  /**
   * Under the `alembic` convention, the scripts git's HEAD does not have yet (written since the last commit):
   * the ones generate may still refresh and the check round-trips. Set by the callers that asked git
   * (`withPending`); undefined = every script is committed history.
   */
  pending?: ReadonlySet<string>;
  /** The repo root's pyproject.toml, when there is one: where the version is when `__version__` is no literal. */
  pyproject?: { path: string; text: string };
  /** The alembic.ini the scripts' location came from (repo-relative) and what it says, when there is one. */
  alembic?: { file: string; settings: AlembicSettings };
}

export interface NotAFile {
  /** Path relative to the repo root. */
  path: string;
  /** What stands there, in words ("a folder", "a dangling symlink", …). */
  kind: string;
}

/** What reading a package needs from the configuration (the `migrations` folders and the `convention`). */
export type RepoOptions = Partial<Pick<LoadedConfig, "migrations" | "convention" | "acceptHistoryUpTo">> & {
  /**
   * The cache folder where the parse of each script is memoized (src/util/file-memo.ts), for the quick paths
   * that read every script on every run; undefined = read and parse every file.
   */
  memoDir?: string;
};

const utf8 = new TextDecoder("utf-8", { fatal: true });
const SKIP_DIRS = new Set(["node_modules", "__pycache__", "dist", "build", "site-packages"]);

const toPosix = (p: string) => p.split(sep).join("/");

function decode(bytes: Buffer): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * A file's text, or null when it is not valid UTF-8. Node decodes `"utf8"` reads in one native call (no Buffer
 * on the JS heap); it writes U+FFFD for bytes that are not UTF-8, so only a text holding U+FFFD is read again
 * as bytes and decoded strictly. A leading BOM is dropped, as the strict decoder drops it.
 */
function readText(path: string): string | null {
  const text = readFileSync(path, "utf8");
  if (text.includes("\uFFFD")) return decode(readFileSync(path));
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** readText of bytes already read. */
function decodeText(bytes: Buffer): string | null {
  const text = bytes.toString("utf8");
  if (text.includes("\uFFFD")) return decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Folders (relative, `/`-separated) holding migrations/versions, looked for at the top level and under src/. */
export async function discoverPackages(root: string): Promise<string[]> {
  // Synchronous on purpose, like the reads below: a few directory entries, no thread-pool round trips.
  const found: string[] = [];
  for (const base of [root, join(root, "src")]) {
    let entries;
    try {
      entries = readdirSync(base, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith(".") || SKIP_DIRS.has(e.name)) continue;
      if (isDir(join(base, e.name, "migrations", "versions"))) found.push(toPosix(relative(root, join(base, e.name))));
    }
  }
  // An app's repo: alembic.ini says where the scripts are; the package is the folder holding them ("." = the root).
  const location = found.length === 0 ? (await readAlembicIni(root))?.settings.scriptLocation : undefined;
  if (location && !location.startsWith("..") && !location.startsWith("/") && isDir(join(root, location)))
    found.push(posix.dirname(location));
  return found.sort();
}

/** The configured packages, or the discovered ones. */
export async function listPackages(root: string, config: LoadedConfig): Promise<string[]> {
  if (config.packages.length > 0) return config.packages.map((p) => toPosix(p).replace(/\/+$/, ""));
  return discoverPackages(root);
}

/** The one package a command works on: --package, or the only one there is. */
export function choosePackage(packages: string[], requested: string | undefined, cwd: string): string {
  if (packages.length === 0) throw new MigrakitError("EMIGRAKIT_NO_PACKAGE", { cwd });
  if (requested !== undefined) {
    const wanted = toPosix(requested).replace(/\/+$/, "");
    const match = packages.find((p) => p === wanted || basename(p) === wanted);
    if (!match)
      throw new MigrakitError("EMIGRAKIT_UNKNOWN_PACKAGE", { package: requested, packages: packages.join(", ") });
    return match;
  }
  if (packages.length > 1) throw new MigrakitError("EMIGRAKIT_SEVERAL_PACKAGES", { packages: packages.join(", ") });
  return packages[0]!;
}

function readInit(root: string, pkg: string): InitFileOnDisk | null {
  const path = pkg === "." ? "__init__.py" : `${pkg}/__init__.py`;
  let text: string | null;
  try {
    text = readText(join(root, path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  return { path, text, parsed: text === null ? null : parseInitFile(text) };
}

/** alembic loads every .py in versions/ except __init__.py and editor backups (`.#…`). */
function isScriptFile(name: string): boolean {
  return name.endsWith(".py") && name !== "__init__.py" && !name.startsWith(".#");
}

/**
 * Why an entry of versions/ cannot be read as a script, or null for a regular file (or a symlink to one). The
 * directory entry's own type comes from readdir (lstat, without another system call); only symlinks and entries
 * of unknown type are followed with stat. A FIFO or a device is never opened: reading one blocks forever.
 */
function notAFile(path: string, e: Dirent): string | null {
  if (e.isFile()) return null;
  if (e.isDirectory()) return "a folder";
  if (!e.isSymbolicLink() && (e.isFIFO() || e.isSocket() || e.isCharacterDevice() || e.isBlockDevice()))
    return kindOf(e, "");
  let target;
  try {
    target = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ELOOP") return "a symlink loop";
    if (code === "ENOENT" || code === "ENOTDIR") return "a dangling symlink";
    return `an entry that cannot be read (${code})`;
  }
  if (target.isFile()) return null;
  return kindOf(target, e.isSymbolicLink() ? "a symlink to " : "");
}

function kindOf(s: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }, prefix: string): string {
  const what = s.isDirectory() ? "folder" : s.isFIFO() ? "FIFO (named pipe)" : s.isSocket() ? "socket" : "device";
  return prefix ? `${prefix}a ${what}` : `a ${what}`;
}

/**
 * The commands that hand versions/ to alembic (status, deploy, generate, rebase, the hook) stop at the first
 * entry that is not a file: alembic would fail on it with a traceback. `check` reports them as findings instead.
 */
export function requireOnlyFiles(repo: SchemaRepo): SchemaRepo {
  const first = repo.notFiles[0];
  if (first) throw new MigrakitError("EMIGRAKIT_SCRIPT_NOT_A_FILE", { file: first.path, kind: first.kind });
  return repo;
}

/**
 * Read one schema package. Synchronous reads on purpose: for a thousand small files they are several times
 * faster than fs/promises (no thread-pool round trip per open/stat/read/close), and the hook waits on this.
 */
export async function readSchemaRepo(root: string, pkg: string, opts: RepoOptions = {}): Promise<SchemaRepo> {
  const where = await locateScripts(root, pkg, opts);
  const { migrationsDir, versionsDir } = where;
  let entries: Dirent[];
  try {
    entries = readdirSync(join(root, versionsDir), { withFileTypes: true }).filter((e) => isScriptFile(e.name));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR")
      throw new MigrakitError("EMIGRAKIT_VERSIONS_MISSING", { package: pkg, folder: versionsDir });
    throw e;
  }
  const init = readInit(root, pkg);
  const dir = join(root, versionsDir);
  // Entry paths by concatenation: join() normalizes the whole path again for each of a thousand names.
  const inDir = dir.endsWith(sep) ? dir : `${dir}${sep}`;
  const scripts: ScriptFile[] = [];
  const undecodable: string[] = [];
  const notFiles: NotAFile[] = [];
  const names: string[] = [];
  const symlinks = new Set<string>();
  for (const e of entries) {
    const kind = notAFile(inDir + e.name, e);
    if (kind) notFiles.push({ path: `${versionsDir}/${e.name}`, kind });
    else names.push(e.name);
    if (!kind && e.isSymbolicLink()) symlinks.add(e.name);
  }
  names.sort();
  notFiles.sort((a, b) => (a.path < b.path ? -1 : 1));
  const memo = opts.memoDir === undefined ? undefined : scriptMemo(opts.memoDir, dir);
  // With the memo, each released script's git blob id too (see worktreeBlobsOf).
  const blobs = memo && new Map<string, string>();
  let sha1: ((bytes: Buffer) => string) | undefined;
  for (const name of names) {
    const path = `${versionsDir}/${name}`;
    const full = inDir + name;
    // Taken before the read: a change after it gives a newer identity, so the memo misses next run.
    const stat = memo && statSync(full, { bigint: true });
    const hit = stat && memo.get(name, stat);
    if (hit) {
      const { name: parsedName, source, blob } = hit.value;
      if (blob !== undefined && !symlinks.has(name)) blobs!.set(name, blob);
      scripts.push({ path, name: parsedName, source, text: hit.text });
      continue;
    }
    const bytes = stat ? readFileSync(full) : undefined;
    const text = bytes ? decodeText(bytes) : readText(full);
    if (text === null) {
      undecodable.push(path);
      continue;
    }
    const parsed = { name: parseScriptName(name), source: parseScriptSource(text) };
    if (stat) {
      // An unreleased script is never compared with a tag: its blob is not needed (nor node:crypto loaded for it).
      let blob: string | undefined;
      if (parsed.name.kind !== "unreleased") {
        sha1 ??= await blobHasher();
        // With its mode: the memo's identity holds the ctime, which a chmod moves.
        blob = `${gitMode(stat)} ${sha1(bytes!)}`;
        if (!symlinks.has(name)) blobs!.set(name, blob);
      }
      memo.set(name, stat, text, blob === undefined ? parsed : { ...parsed, blob });
    }
    scripts.push({ path, ...parsed, text });
  }
  memo?.save();
  const pyproject = readPyproject(root);
  const repo: SchemaRepo = {
    root,
    package: pkg,
    importName: basename(pkg),
    migrationsDir,
    versionsDir,
    init,
    scripts,
    undecodable,
    notFiles,
    graph: buildGraph(scripts),
    convention: opts.convention ?? (where.alembic && !init?.parsed?.migration ? "alembic" : "lamin"),
    ...(where.alembic ? { alembic: where.alembic } : {}),
    ...(pyproject !== null ? { pyproject: { path: "pyproject.toml", text: pyproject } } : {}),
    ...(opts.acceptHistoryUpTo ? { acceptedUpTo: opts.acceptHistoryUpTo } : {}),
  };
  if (blobs) worktreeBlobs.set(repo, blobs);
  return repo;
}

const worktreeBlobs = new WeakMap<SchemaRepo, ReadonlyMap<string, string>>();

/**
 * For a repo read with the memo: each released or legacy script's git blob as a tree lists it, `mode oid` (SHA-1;
 * `100644 …` or `100755 …`), by file name; no entry for a symlink. What src/checks/released-fast.ts compares
 * with a release tag instead of asking git. Undefined for a repo read without the memo (or a copy of one).
 */
export function worktreeBlobsOf(repo: SchemaRepo): ReadonlyMap<string, string> | undefined {
  return worktreeBlobs.get(repo);
}

/** git's mode for a regular file: executable when its owner may execute it. */
const gitMode = (stat: BigIntStats) => ((stat.mode & 0o100n) !== 0n ? "100755" : "100644");

/** SHA-1 of a file as a git blob (`blob <length>\0` and the bytes), loading node:crypto on first use only. */
async function blobHasher(): Promise<(bytes: Buffer) => string> {
  const { createHash } = await import("node:crypto");
  return (bytes) => createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** What the memo keeps of a script besides its text (all made from the file alone): its parse, its git blob (`mode oid`). */
type ParsedScript = Pick<Script, "name" | "source"> & { blob?: string };

/** The modules whose code makes a ParsedScript: a build or an install of another version changes them. */
const PARSER_MODULES = [
  "./repo.js",
  "./script-name.js",
  "./script-source.js",
  "./script-scan.js",
  "./python-literal.js",
  "./pep440.js",
];

function scriptMemo(memoDir: string, folder: string): FileMemo<ParsedScript> | undefined {
  let code: string;
  try {
    code = codeIdentity(PARSER_MODULES.map((m) => fileURLToPath(new URL(m, import.meta.url))));
  } catch {
    return undefined; // the compiled modules are not where they should be: no memo rather than a wrong one
  }
  return openFileMemo<ParsedScript>(memoDir, folder, code);
}

function readPyproject(root: string): string | null {
  try {
    return readText(join(root, "pyproject.toml"));
  } catch {
    return null;
  }
}

/** The repo's alembic.ini at its root (else pyproject's [tool.alembic]), when it names a script location. */
async function readAlembicIni(root: string): Promise<{ file: string; settings: AlembicSettings } | undefined> {
  const text = (name: string) => {
    try {
      return readText(join(root, name));
    } catch {
      return null;
    }
  };
  const ini = text("alembic.ini");
  const settings = ini === null ? null : parseAlembicIni(ini, ".");
  if (settings?.scriptLocation) return { file: "alembic.ini", settings };
  const pyproject = text("pyproject.toml");
  // Parsed only when the table is there: the hook's fast path should not pay for loading a TOML parser.
  if (pyproject === null || !/^\s*\[tool\.alembic\]/m.test(pyproject)) return undefined;
  const { parse } = await import("smol-toml");
  let doc: unknown;
  try {
    doc = parse(pyproject);
  } catch {
    return undefined; // the configuration loader reports a broken pyproject.toml
  }
  const fromToml = alembicFromPyproject(doc, ".");
  return fromToml?.scriptLocation ? { file: "pyproject.toml", settings: fromToml } : undefined;
}

/**
 * Where a package's scripts are: the `migrations` key for it, else `{pkg}/migrations` when it holds
 * versions/, else the script_location of the root's alembic.ini (an app's repo, adopted where it is).
 */
async function locateScripts(
  root: string,
  pkg: string,
  opts: RepoOptions,
): Promise<{ migrationsDir: string; versionsDir: string; alembic?: { file: string; settings: AlembicSettings } }> {
  const ini = await readAlembicIni(root);
  const configured = opts.migrations?.[pkg] ?? opts.migrations?.["*"];
  const own = pkg === "." ? "migrations" : `${pkg}/migrations`;
  const migrationsDir = configured
    ? toPosix(configured).replace(/\/+$/, "")
    : !isDir(join(root, own, "versions")) && ini?.settings.scriptLocation
      ? ini.settings.scriptLocation
      : own;
  const fromIni = ini !== undefined && ini.settings.scriptLocation === migrationsDir;
  const versionsDir = (fromIni && ini.settings.versionLocations[0]) || `${migrationsDir}/versions`;
  return { migrationsDir, versionsDir, ...(fromIni ? { alembic: ini } : {}) };
}

/** Load the configured (or discovered) package the command works on. */
export async function loadSchemaRepo(opts: {
  cwd: string;
  config: LoadedConfig;
  packageName?: string;
}): Promise<SchemaRepo> {
  const pkg = choosePackage(await listPackages(opts.cwd, opts.config), opts.packageName, opts.cwd);
  return requireOnlyFiles(await readSchemaRepo(opts.cwd, pkg, opts.config));
}

/** Load every package (or only --package): what `check` works on. */
export async function loadSchemaRepos(opts: {
  cwd: string;
  config: LoadedConfig;
  packageName?: string;
  /** RepoOptions.memoDir. */
  memoDir?: string;
}): Promise<SchemaRepo[]> {
  const packages = await listPackages(opts.cwd, opts.config);
  const read = { ...opts.config, ...(opts.memoDir !== undefined ? { memoDir: opts.memoDir } : {}) };
  if (opts.packageName !== undefined || packages.length === 0) {
    return [await readSchemaRepo(opts.cwd, choosePackage(packages, opts.packageName, opts.cwd), read)];
  }
  return Promise.all(packages.map((p) => readSchemaRepo(opts.cwd, p, read)));
}
