// What differs between two schema fingerprints (canonical text, one object per line). Pure.

/** Lines only in `before` (prefixed `- `) and only in `after` (`+ `), at most `limit` of them. */
export function schemaDiff(before: string, after: string, limit = 12): string {
  const a = new Set(before.split("\n").filter(Boolean));
  const b = new Set(after.split("\n").filter(Boolean));
  const out = [
    ...[...a].filter((l) => !b.has(l)).map((l) => `- ${l}`),
    ...[...b].filter((l) => !a.has(l)).map((l) => `+ ${l}`),
  ];
  if (out.length > limit) return [...out.slice(0, limit), `… and ${out.length - limit} more`].join("\n");
  return out.join("\n");
}
