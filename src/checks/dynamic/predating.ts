// The hook's verdict on drift that was there before the change (docs/spec.md §2): when what the ORM still
// lacks after the written script is exactly what HEAD's ORM already lacked, the commit did not cause it, and
// it is a warning; anything else is the usual EMIGRAKIT_MODELS_MISMATCH. `migrakit check` never passes
// `predating`, so CI fails on the drift as before. Pure.
import type { Diff } from "../../bridge/contract.js";
import { finding, type Finding } from "../../errors/finding.js";
import { diffSummary } from "./models-match.js";

/**
 * Kind, names and compared values of a diff as one text (python/migrakit_bridge/diffs.py `identity` makes the
 * same choice): a column's position is a hint for renames and left out; every other field counts.
 */
export function diffIdentity(d: Diff): string {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === "object")
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k]) => k !== "position")
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, x]) => [k, strip(x)]),
      );
    return v;
  };
  return JSON.stringify(strip(d));
}

/** The warning for a mismatch made only of predating differences, or undefined when the change left some. */
export function predatingFinding(diffs: Diff[], predating: Diff[], file?: string): Finding | undefined {
  if (diffs.length === 0 || predating.length === 0) return undefined;
  const known = new Set(predating.map(diffIdentity));
  if (!diffs.every((d) => known.has(diffIdentity(d)))) return undefined;
  return finding(
    "EMIGRAKIT_DRIFT_PREDATES",
    file ? { file } : {},
    { count: diffs.length, summary: diffSummary(diffs, 5) },
    { severity: "warning" },
  );
}
