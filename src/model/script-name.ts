// Script file names `{YYYY-MM-DD}-{revision}-{slug}.py` (SPEC §1) and the slug ↔ version mapping.
import { isCanonicalPep440 } from "./pep440.js";
import type { ScriptName } from "./types.js";

export const UNRELEASED_SLUG = "vx_x_x";

// `{YYYY-MM-DD}-{revision}-{slug}.py`: the date, the alembic revision token (letters and digits, no `-`), then
// an optional slug (anything) before `.py` — what /^(\d{4}-\d{2}-\d{2})-([0-9A-Za-z]+)(?:-(.*))?\.py$/s matches,
// read by hand: a static check splits a thousand names, and a regex match array per name shows in its profile.
const DATE_SHAPE = "dddd-dd-dd-";

function isAsciiDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isAsciiAlnum(c: number): boolean {
  return isAsciiDigit(c) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/** [date, revision, slug (undefined when there is none)], or null when the name has another shape. */
function splitName(base: string): [string, string, string | undefined] | null {
  const n = base.length;
  if (n < DATE_SHAPE.length + 4 || !base.endsWith(".py")) return null;
  for (let i = 0; i < DATE_SHAPE.length; i++) {
    const c = base.charCodeAt(i);
    if (DATE_SHAPE[i] === "d" ? !isAsciiDigit(c) : c !== 0x2d) return null;
  }
  const from = DATE_SHAPE.length;
  let i = from;
  while (i < n && isAsciiAlnum(base.charCodeAt(i))) i++;
  const stem = n - 3;
  if (i === from) return null;
  const date = base.slice(0, from - 1);
  const revision = base.slice(from, i);
  if (i === stem) return [date, revision, undefined];
  if (base.charCodeAt(i) !== 0x2d || i + 1 > stem) return null;
  return [date, revision, base.slice(i + 1, stem)];
}

/** The slug of a release: `1.0.0` → `v1_0_0`, `0.30rc3` → `v0_30rc3`. Throws for non-canonical or local versions. */
export function slugForVersion(version: string): string {
  if (!isCanonicalPep440(version)) throw new Error(`not a canonical PEP 440 version: ${JSON.stringify(version)}`);
  if (version.includes("+")) throw new Error(`a local version cannot name a release: ${JSON.stringify(version)}`);
  return `v${version.replace(/\./g, "_")}`;
}

/** The version a release slug stands for, or null when the slug is not exactly `slugForVersion` of one. */
export function versionForSlug(slug: string): string | null {
  if (!slug.startsWith("v") || slug === UNRELEASED_SLUG) return null;
  const version = slug.slice(1).replace(/_/g, ".");
  // Only the canonical spelling round-trips: `v0_30_rc2` (0.30.rc2) is a legacy name, not 0.30rc2.
  if (version.includes("+") || !isCanonicalPep440(version)) return null;
  if (`v${version.replace(/\./g, "_")}` !== slug) return null; // e.g. `v1.0.0` with dots
  return version;
}

export function parseScriptName(file: string): ScriptName {
  const base = file.slice(file.lastIndexOf("/") + 1);
  const parts = splitName(base);
  if (!parts) return { file: base, date: null, revision: null, slug: null, kind: "legacy", version: null };
  const [date, revision, slug] = parts;
  const common = { file: base, date, revision, slug: slug ?? null };
  if (slug === UNRELEASED_SLUG) return { ...common, kind: "unreleased", version: null };
  const version = slug === undefined ? null : versionForSlug(slug);
  if (version !== null) return { ...common, kind: "released", version };
  return { ...common, kind: "legacy", version: null };
}

export function formatScriptName(p: { date: string; revision: string; slug: string }): string {
  return `${p.date}-${p.revision}-${p.slug}.py`;
}
