// Cache keys: a hash of everything that went into a result, so a changed input simply misses. Pure.
import { createHash } from "node:crypto";

/** sha256 over the parts, each length-prefixed so that ("ab","c") and ("a","bc") differ. */
export function hashParts(parts: readonly (string | null | undefined)[]): string {
  const h = createHash("sha256");
  for (const p of parts) {
    const s = p ?? "\0null";
    h.update(`${Buffer.byteLength(s)}:`);
    h.update(s);
  }
  return h.digest("hex");
}

/** A template key: `<package>_<16 hex>`; the package part groups a package's templates for pruning. */
export function templateKey(pkg: string, hash: string): string {
  const slug =
    pkg
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "")
      .slice(0, 30) || "pkg";
  return `${slug}_${hash.slice(0, 16)}`;
}
