// Script file names `{YYYY-MM-DD}-{revision}-{slug}.py` (docs/spec.md §1) and the slug ↔ version mapping.
import { isCanonicalPep440 } from "./pep440.js";
import type { ScriptName } from "./types.js";

export const UNRELEASED_SLUG = "vx_x_x";

// Date, then the alembic revision token (no `-`), then an optional slug. Each part is bounded by `-`, so the
// match is linear. A regex on purpose: it runs as native code from its first use, where a hand-written loop
// over a thousand names runs interpreted and then costs an optimising compile (measured: bench/static-check).
const NAME = /^(\d{4}-\d{2}-\d{2})-([0-9A-Za-z]+)(?:-(.*))?\.py$/s;

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
  const m = NAME.exec(base);
  if (!m) return { file: base, date: null, revision: null, slug: null, kind: "legacy", version: null };
  const [, date, revision, slug] = m;
  // One literal per kind rather than a spread of common fields: this runs for every script of every check.
  if (slug === UNRELEASED_SLUG)
    return { file: base, date: date!, revision: revision!, slug, kind: "unreleased", version: null };
  const version = slug === undefined ? null : versionForSlug(slug);
  if (version !== null) return { file: base, date: date!, revision: revision!, slug: slug!, kind: "released", version };
  return { file: base, date: date!, revision: revision!, slug: slug ?? null, kind: "legacy", version: null };
}

export function formatScriptName(p: { date: string; revision: string; slug: string }): string {
  return `${p.date}-${p.revision}-${p.slug}.py`;
}
