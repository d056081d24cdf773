// A short, stable name part for a path (FNV-1a over its UTF-16 code units, 8 hex digits): how the cache folder
// names a folder's parse memo, a bundle's code cache and a tag's listing. Not a digest: a collision only means
// a miss, since each file also names what it holds inside.
export function nameHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}
