// Reading and writing one file of the per-user cache folder (the parse memo, the release tags' tree listings): a
// file another user owns or may write is not trusted, as the V8 code cache is not (src/util/code-cache.ts): what
// it holds decides which checks the quick paths skip. Written whole (a temporary file renamed over it), 0600 in a
// 0700 folder.
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface CacheFileRead {
  data: Buffer;
  /** The file's device, inode, size, mtime and ctime (ns): a file written again has another. */
  identity: string;
}

/** The file's content, or null: missing, unreadable, or owned by another user or writable by group or others. */
export function readOwnCacheFile(path: string): CacheFileRead | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    const s = fstatSync(fd, { bigint: true });
    if (process.getuid !== undefined && s.uid !== BigInt(process.getuid())) return null;
    if ((s.mode & 0o022n) !== 0n) return null;
    return { data: readFileSync(fd), identity: `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}` };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Write the file whole (readers see the old one or the new one, never a part). Never throws: a cache only costs time. */
export function writeOwnCacheFile(path: string, data: string | Uint8Array): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // A cache file that cannot be written only costs time next run.
  }
}
