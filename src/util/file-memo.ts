// A folder's memo of what was derived from each of its files (the model's parse of a migration script), so that a
// run over a thousand unchanged scripts reads one memo file instead of opening and parsing a thousand. It lives
// in the cache folder, one JSON file per memoized folder, and is only ever an optimisation: a memo that is
// missing, unreadable, from other code or for another folder, or that another user owns or may write (what it
// says is believed: src/util/own-cache-file.ts), is ignored and rewritten.
//
// A file's entry is used only when its identity is what it was: device, inode, size, mtime and ctime in
// nanoseconds. An edit that keeps the size and puts the mtime back (`touch -r`) still moves the ctime, which no
// process can set; a file replaced by another (rename, checkout) has another inode. What this cannot see is a
// rewrite within one tick of the file system's clock after we read it ("racily clean", as git calls it): such
// a file is not memoized until its ctime is RACY_MS old, so it is read again until then.
import { statSync, type BigIntStats } from "node:fs";
import { join } from "node:path";
import { readOwnCacheFile, writeOwnCacheFile } from "./own-cache-file.js";
import { nameHash } from "./name-hash.js";

/** Bumped when the memo file's shape changes. */
const FORMAT = 1;
/** A file changed less than this before its stat is not memoized (a second write may land in the same tick). */
const RACY_MS = 2000;

interface MemoFile<T> {
  format: number;
  code: string;
  folder: string;
  entries: Record<string, [identity: string, text: string, value: T]>;
}

export interface FileMemo<T> {
  /** The memoized text and value of `name` when the file is still the one they came from. */
  get(name: string, stat: BigIntStats): { text: string; value: T } | undefined;
  /** Remember what `name` (with this stat, taken before its text was read) holds. */
  set(name: string, stat: BigIntStats, text: string, value: T): void;
  /** Write the memo when it changed, keeping only the names seen in this run. Never throws. */
  save(): void;
}

const identity = (s: BigIntStats) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;

/** A short, stable file name for a folder's memo (FNV-1a; a collision only means the folder check misses). */
function memoName(folder: string): string {
  return `${nameHash(folder)}.json`;
}

/**
 * The memo of `folder` (absolute) under `cacheDir`, for values made by code whose identity is `code` (a memo
 * written by other code is not read: its values may be shaped or computed differently).
 */
export function openFileMemo<T>(cacheDir: string, folder: string, code: string): FileMemo<T> {
  const path = join(cacheDir, "file-memo", memoName(folder));
  let old: MemoFile<T>["entries"] = {};
  try {
    const file = readOwnCacheFile(path);
    const read = file && (JSON.parse(file.data.toString("utf8")) as MemoFile<T>);
    if (read && read.format === FORMAT && read.code === code && read.folder === folder) old = read.entries;
  } catch {
    // none yet, or unreadable: every file is read, and the memo written again
  }
  const next: MemoFile<T>["entries"] = {};
  let changed = false;
  return {
    get(name, stat) {
      const e = Object.hasOwn(old, name) ? old[name] : undefined;
      if (e === undefined || e[0] !== identity(stat)) return undefined;
      next[name] = e;
      return { text: e[1], value: e[2] };
    },
    set(name, stat, text, value) {
      // A racy file is left out; the memo is written again for it only to drop the entry it had (stale now):
      // a file that stays racy over several runs (a release's rewritten scripts) costs no rewrite on each.
      if (stat.ctimeNs > BigInt(Date.now() - RACY_MS) * 1_000_000n) {
        if (Object.hasOwn(old, name)) changed = true;
        return;
      }
      changed = true;
      next[name] = [identity(stat), text, value];
    },
    save() {
      if (!changed && Object.keys(next).length === Object.keys(old).length) return;
      const memo: MemoFile<T> = { format: FORMAT, code, folder, entries: next };
      writeOwnCacheFile(path, JSON.stringify(memo));
    },
  };
}

/** The identity of the code behind a memo: the given module files' inode, size and mtime (they change on a build or install). */
export function codeIdentity(files: string[]): string {
  return files
    .map((f) => {
      const s = statSync(f, { bigint: true });
      return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    })
    .join(",");
}
