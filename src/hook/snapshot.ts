// The folder the hook works on: the staged package exported from the index. On a developer machine it is
// kept between runs in the cache folder (one per repository and work tree, mode 0700, written by migrakit
// alone) and brought up to date from the index: a file still the export of the same blob stays, anything else
// is exported again or removed. Writing a thousand scripts anew was the hook's longest step before Python
// (checkout-index creates each file, ~0.5 s at 1000 scripts here), and its removal one of the last; a kept
// file also keeps its inode, so the parse memo (src/util/file-memo.ts) knows it again.
//   - What is there is checked, not trusted: every entry of the folder that is no wanted path (a module
//     deleted since, a __pycache__, anything a run wrote) is removed, and a wanted file stays only when its
//     lstat identity is the one recorded after its export for the same mode and blob (snapshot-plan.ts; a
//     racily recorded one is hashed instead).
//   - One run at a time: a run that finds the folder locked (another hook in the same repository) exports to a
//     temporary folder, as in CI or with MIGRAKIT_NO_CACHE=1, where nothing is kept.
//   - No links: every file is the export's own copy, never the work tree's nor another folder's.
import { createHash } from "node:crypto";
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import type { BigIntStats } from "node:fs";
import { join } from "node:path";
import { tryFileLock } from "../db/lock.js";
import { git, splitZ } from "../util/git.js";
import { makeTempDir, removeTempDir } from "../util/temp-dirs.js";
import { blobId, checkoutIndex, exportIndex, type GitWhere } from "./git-index.js";
import {
  fileIdentity,
  folderSet,
  parseStage,
  planSnapshot,
  settledAt,
  type IndexEntry,
  type ManifestEntry,
} from "./snapshot-plan.js";

export interface Snapshot {
  /** The export's top: paths below it as the index names them. */
  dir: string;
  /** Kept between runs (false: a temporary folder, removed by release). */
  kept: boolean;
  /** This run wrote these paths (as the index names them) into the folder: no export of theirs any more. */
  wrote(paths: string[]): void;
  /**
   * A kept folder: record what it holds, and unlock it once `inUse` (Python, reading it) has settled; a
   * temporary one: remove it.
   */
  release(inUse?: Promise<unknown>): Promise<void>;
}

/** Bumped when the manifest's meaning changes. */
const FORMAT = "migrakit-snapshot-1";

interface Manifest {
  format: string;
  entries: Record<string, [mode: string, id: string, identity: string, settled: boolean]>;
}

async function temporary(w: GitWhere, folders: string[]): Promise<Snapshot> {
  const dir = await makeTempDir("migrakit-index-");
  try {
    await exportIndex(w, folders, dir);
  } catch (err) {
    await removeTempDir(dir);
    throw err;
  }
  return { dir, kept: false, wrote() {}, release: () => removeTempDir(dir) };
}

/**
 * The index entries under `folders` (relative to the git top `w.cwd`) in a folder: kept below `cacheDir` when
 * one is given (undefined: CI, MIGRAKIT_NO_CACHE=1), else a temporary one. `gitDir` (absolute) tells
 * repositories and work trees apart.
 */
export async function openSnapshot(
  w: GitWhere,
  folders: string[],
  o: { cacheDir: string | undefined; gitDir: string },
): Promise<Snapshot> {
  if (o.cacheDir === undefined) return temporary(w, folders);
  const base = join(
    o.cacheDir,
    "snapshots",
    createHash("sha256").update(`${o.gitDir}\0${w.cwd}`).digest("hex").slice(0, 24),
  );
  const listing = git(["ls-files", "--stage", "-z", "--", ...folders], w);
  listing.catch(() => {});
  const unlock = await tryFileLock(join(base, "lock")).catch(() => undefined);
  if (!unlock) return temporary(w, folders);
  try {
    const wanted = parseStage(splitZ(await listing));
    if (wanted) return await refresh(w, base, wanted, unlock);
  } catch (err) {
    await unlock();
    throw err;
  }
  await unlock();
  return temporary(w, folders);
}

async function refresh(
  w: GitWhere,
  base: string,
  wanted: IndexEntry[],
  unlock: () => Promise<void>,
): Promise<Snapshot> {
  const tree = join(base, "tree");
  mkdirSync(tree, { recursive: true, mode: 0o700 });
  const manifestPath = join(base, "manifest.json");
  const manifest = readManifest(manifestPath);
  const paths = new Set(wanted.map((e) => e.path));
  const found = new Map<string, BigIntStats>();
  walk(tree, "", paths, folderSet([...paths]), found);
  const plan = planSnapshot(wanted, manifest, new Map([...found].map(([p, s]) => [p, fileIdentity(s)])));
  const byPath = new Map(wanted.map((e) => [e.path, e]));
  const now = Date.now();
  const next = new Map<string, ManifestEntry>();
  for (const p of plan.keep) next.set(p, manifest.get(p)!);
  for (const p of plan.verify) {
    const e = byPath.get(p)!;
    const s = found.get(p)!;
    if (holdsBlob(join(tree, p), s, e))
      next.set(p, { ...e, identity: fileIdentity(s), settled: settledAt(s.ctimeNs, now) });
    else plan.export.push(p);
  }
  if (plan.export.length) {
    await checkoutIndex(w, plan.export, tree);
    const at = Date.now();
    for (const p of plan.export) {
      const s = lstatSync(join(tree, p), { bigint: true });
      next.set(p, { ...byPath.get(p)!, identity: fileIdentity(s), settled: settledAt(s.ctimeNs, at) });
    }
  }
  const written = new Set<string>();
  return {
    dir: tree,
    kept: true,
    wrote: (ps) => {
      for (const p of ps) written.add(p);
    },
    async release(inUse) {
      for (const p of written) next.delete(p);
      writeManifest(manifestPath, next);
      await inUse?.catch(() => {});
      await unlock();
    },
  };
}

/**
 * Remove from `tree` every entry that is not a wanted file or symlink (nor a folder on the way to one), and
 * lstat the wanted ones that are there.
 */
function walk(tree: string, rel: string, wanted: Set<string>, folders: Set<string>, found: Map<string, BigIntStats>) {
  for (const e of readdirSync(rel ? join(tree, rel) : tree, { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    const full = join(tree, p);
    if (e.isDirectory() && folders.has(p)) walk(tree, p, wanted, folders, found);
    else if (wanted.has(p) && (e.isFile() || e.isSymbolicLink())) found.set(p, lstatSync(full, { bigint: true }));
    else rmSync(full, { recursive: true, force: true });
  }
}

/** Whether the file is what checkout-index writes for the entry when no filter applies: its blob, as a link or not. */
function holdsBlob(path: string, s: BigIntStats, e: IndexEntry): boolean {
  const link = e.mode === "120000";
  if (link !== s.isSymbolicLink()) return false;
  try {
    const bytes = link ? readlinkSync(path, { encoding: "buffer" }) : readFileSync(path);
    return blobId(bytes, e.id) === e.id;
  } catch {
    return false;
  }
}

function readManifest(path: string): Map<string, ManifestEntry> {
  try {
    const m = JSON.parse(readFileSync(path, "utf8")) as Manifest;
    if (m.format !== FORMAT) return new Map();
    return new Map(
      Object.entries(m.entries).map(([p, [mode, id, identity, settled]]) => [p, { mode, id, identity, settled }]),
    );
  } catch {
    return new Map(); // none yet, or unreadable: every file is exported again
  }
}

/** Never throws: a manifest not written only means the next run exports everything again. */
function writeManifest(path: string, entries: Map<string, ManifestEntry>) {
  const m: Manifest = { format: FORMAT, entries: {} };
  for (const [p, e] of entries) m.entries[p] = [e.mode, e.id, e.identity, e.settled];
  try {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(m), { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // next run: exported again
  }
}
