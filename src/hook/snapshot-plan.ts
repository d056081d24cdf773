// What a kept snapshot folder (snapshot.ts) needs to hold the index again: which of its files are still the
// export of the same index entry, which must be read to be sure, which are exported again. Pure.
//
// A file is taken as it stands only when the manifest says it was exported for this very entry (mode and
// object id) and its identity (device, inode, size, mtime, ctime, mode, as lstat gives them) is the one
// recorded right after that export, recorded when its ctime was already RACY_MS old: a write in the same tick
// of the file system's clock as the recording could leave the identity as it was ("racily clean", as git
// calls it), and such an entry is read and hashed instead (`verify`).

/** One stage-0 entry of `git ls-files --stage`. */
export interface IndexEntry {
  mode: string;
  /** The blob's object id. */
  id: string;
  /** Relative to the git top, `/`-separated. */
  path: string;
}

/** What the manifest remembers of one exported file. */
export interface ManifestEntry {
  mode: string;
  id: string;
  /** lstat identity right after the export (fileIdentity). */
  identity: string;
  /** The identity was taken RACY_MS or more after the file's ctime: a later change shows in it. */
  settled: boolean;
}

export interface SnapshotPlan {
  /** Still the export of their entry. */
  keep: string[];
  /** Exported for this entry, but their identity was recorded too soon after the write: hash them. */
  verify: string[];
  /** To export (again). */
  export: string[];
}

/** A change this long before its identity is recorded would be seen in the identity (the clock moved on). */
export const RACY_MS = 2000;

/** The identity of an lstat (bigint) result, as the manifest keeps it. */
export function fileIdentity(s: {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  mode: bigint;
}): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.mode}`;
}

/** Whether an identity recorded at `now` (ms) has a ctime old enough to show any later change. */
export const settledAt = (ctimeNs: bigint, nowMs: number): boolean => Number(ctimeNs / 1_000_000n) + RACY_MS <= nowMs;

/**
 * `wanted`: the index entries the snapshot must hold; `manifest`: what the folder was exported for;
 * `onDisk`: the identity of each wanted path found in the folder as a file or symlink (anything else there has
 * been removed by the walk).
 */
export function planSnapshot(
  wanted: IndexEntry[],
  manifest: ReadonlyMap<string, ManifestEntry>,
  onDisk: ReadonlyMap<string, string>,
): SnapshotPlan {
  const plan: SnapshotPlan = { keep: [], verify: [], export: [] };
  for (const e of wanted) {
    const m = manifest.get(e.path);
    const identity = onDisk.get(e.path);
    if (!m || identity === undefined || m.mode !== e.mode || m.id !== e.id) plan.export.push(e.path);
    else if (m.identity !== identity) plan.export.push(e.path);
    else (m.settled ? plan.keep : plan.verify).push(e.path);
  }
  return plan;
}

/** The stage-0 entries of `ls-files --stage -z` output fields, or undefined when one is unmerged or a submodule. */
export function parseStage(fields: string[]): IndexEntry[] | undefined {
  const out: IndexEntry[] = [];
  for (const f of fields) {
    const tab = f.indexOf("\t");
    const [mode, id, stage] = f.slice(0, tab).split(" ");
    // An unmerged path or a gitlink: the plain export (git-index.ts) handles them as it always has.
    if (stage !== "0" || mode === "160000") return undefined;
    out.push({ mode: mode!, id: id!, path: f.slice(tab + 1) });
  }
  return out;
}

/** The folders (relative, `/`-separated) the wanted paths lie in, every ancestor included. */
export function folderSet(paths: string[]): Set<string> {
  const dirs = new Set<string>();
  for (const p of paths) {
    for (let i = p.indexOf("/"); i >= 0; i = p.indexOf("/", i + 1)) dirs.add(p.slice(0, i));
  }
  return dirs;
}
