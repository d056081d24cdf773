// Reading git's index file (.git/index) ourselves, for the few entries one question needs: which paths under one
// folder git tracks, with their staged blob id, mode and stage. The quick paths use it to tell, without a git
// process, that nothing under versions/ differs from a release tag (src/checks/released-fast.ts). Only the
// layouts we read completely are read: versions 2 to 4 without a split index, and no sparse folder over the one
// asked for; anything else is null, and the caller asks git (format: git's Documentation/gitformat-index.txt).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface IndexEntry {
  /** The staged file's mode, as git writes it in a tree (`100644`, `100755`, `120000`, `160000`). */
  mode: string;
  /** The staged blob's object id (hex). */
  oid: string;
  /** 0, or 1–3 for a side of an unmerged path (one of its entries: the last, which is all a caller needs to see). */
  stage: number;
  /** `git add --intent-to-add`: a path git knows of but holds no content for yet. */
  intentToAdd: boolean;
}

/** Bits of an entry's 16-bit flags and of its extended flags (version 3 and up). */
const EXTENDED = 0x4000;
const INTENT_TO_ADD = 0x2000;
const NAME_MASK = 0xfff;
/** A sparse index's entry for a whole folder outside the sparse checkout (mode 040000, name ending in `/`). */
const SPARSE_DIR = 0o040000;

/**
 * The entries of the index `gitDir/index` whose path (from the top of the work tree, `/`-separated) starts with
 * `prefix` (which ends in `/`), keyed by that path; null when this index cannot be read this way. `oidBytes` is
 * 20 for SHA-1 repositories, 32 for SHA-256 ones.
 */
export function indexEntriesUnder(gitDir: string, prefix: string, oidBytes: number): Map<string, IndexEntry> | null {
  // A split index keeps most entries in a shared file (and its "link" extension says which): not read here.
  try {
    if (readdirSync(gitDir).some((n) => n.startsWith("sharedindex."))) return null;
  } catch {
    return null;
  }
  let buf: Buffer;
  try {
    buf = readFileSync(join(gitDir, "index"));
  } catch {
    return null; // no index (a bare folder, a repository without a commit yet), or unreadable
  }
  if (buf.length < 12 || buf.toString("latin1", 0, 4) !== "DIRC") return null;
  const version = buf.readUInt32BE(4);
  if (version < 2 || version > 4) return null;
  const count = buf.readUInt32BE(8);
  // Names compared as latin1 strings: one character per byte, so their order is git's byte order.
  const want = Buffer.from(prefix, "utf8").toString("latin1");
  const out = new Map<string, IndexEntry>();
  let pos = 12;
  let previous = "";
  for (let i = 0; i < count; i++) {
    const start = pos;
    const fixed = start + 40 + oidBytes; // ctime, mtime, dev, ino, mode, uid, gid, size; then the object id
    if (fixed + 2 > buf.length) return null;
    const flags = buf.readUInt16BE(fixed);
    let at = fixed + 2;
    let extended = 0;
    if (flags & EXTENDED) {
      if (version < 3) return null;
      extended = buf.readUInt16BE(at);
      at += 2;
    }
    let name: string;
    if (version === 4) {
      // The name is the previous one less its last N bytes, then the bytes up to a NUL (N: git's offset varint).
      let c = buf[at++]!;
      let strip = c & 0x7f;
      while (c & 0x80) {
        c = buf[at++]!;
        strip = ((strip + 1) << 7) | (c & 0x7f);
      }
      const end = buf.indexOf(0, at);
      if (end < 0 || strip > previous.length) return null;
      name = previous.slice(0, previous.length - strip) + buf.toString("latin1", at, end);
      pos = end + 1;
    } else {
      const length = flags & NAME_MASK;
      const end = length < NAME_MASK ? at + length : buf.indexOf(0, at);
      if (end < 0 || end > buf.length) return null;
      name = buf.toString("latin1", at, end);
      // Each entry is padded with 1 to 8 NULs to a multiple of 8 bytes.
      pos = start + ((end - start + 8) & ~7);
    }
    previous = name;
    const mode = buf.readUInt32BE(start + 24);
    if (mode === SPARSE_DIR && want.startsWith(name)) return null;
    if (name.startsWith(want)) {
      out.set(Buffer.from(name, "latin1").toString("utf8"), {
        mode: mode.toString(8),
        oid: buf.toString("hex", fixed - oidBytes, fixed),
        stage: (flags >> 12) & 3,
        intentToAdd: (extended & INTENT_TO_ADD) !== 0,
      });
    } else if (name > want) break; // sorted by name: nothing further is under the prefix
  }
  return out;
}
