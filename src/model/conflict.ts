// Git's conflict markers in a file (what `git merge main` leaves), and the one conflict migrakit resolves itself:
// both sides of every block of __init__.py only set `_migration` and/or `__version__` — the lines `rebase` exists
// to rewrite. Pure.
import { comparePep440, normalizePep440 } from "./pep440.js";

export interface ConflictBlock {
  /** 1-based line of the `<<<<<<<` marker. */
  line: number;
  ours: string[];
  theirs: string[];
}

const START = /^<{7}(?: |$)/;
const BASE = /^\|{7}(?: |$)/;
const MIDDLE = /^={7}$/;
const END = /^>{7}(?: |$)/;

/** The 1-based line of the first conflict marker, or null when the text has none. */
export function firstConflictMarker(text: string): number | null {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => START.test(l) || END.test(l));
  return i < 0 ? null : i + 1;
}

const ASSIGN = /^(_migration|__version__)[ \t]*(?::[^=]*)?=[ \t]*(.*?)[ \t]*(#.*)?$/;
const NEUTRAL = /^[ \t]*(#.*)?$/;

/** The value a line sets (a string literal or None), or undefined for a line that sets something else. */
function assigned(line: string): { name: string; value: string | null } | undefined {
  const m = ASSIGN.exec(line.replace(/\r$/, ""));
  if (!m) return undefined;
  const v = m[2]!;
  if (v === "None") return { name: m[1]!, value: null };
  const s = /^(['"])(.*)\1$/.exec(v);
  return s && !s[2]!.includes("\\") ? { name: m[1]!, value: s[2]! } : undefined;
}

export type Resolution = { ok: true; text: string } | { ok: false; line: number; reason: string };

/**
 * Resolve every conflict block of __init__.py whose two sides only assign `_migration` / `__version__` (blank
 * lines and comments aside): the block becomes our side's lines with `__version__` set to the higher of the two
 * versions (main may have released meanwhile) — `_migration` is rewritten by rebase anyway. Any other block, or
 * an unterminated one, is not ours to decide.
 */
export function resolveInitConflicts(text: string): Resolution {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!START.test(lines[i]!)) {
      if (END.test(lines[i]!) || MIDDLE.test(lines[i]!))
        return { ok: false, line: i + 1, reason: "a conflict marker outside a conflict block" };
      out.push(lines[i]!);
      continue;
    }
    const start = i;
    const ours: string[] = [];
    const theirs: string[] = [];
    let part: string[] | null = ours;
    for (i++; i < lines.length && !END.test(lines[i]!); i++) {
      if (BASE.test(lines[i]!))
        part = null; // diff3's base section: neither side
      else if (MIDDLE.test(lines[i]!)) part = theirs;
      else part?.push(lines[i]!);
    }
    if (i >= lines.length) return { ok: false, line: start + 1, reason: "a conflict block without its >>>>>>> end" };
    const values = new Map<string, (string | null)[]>();
    for (const l of [...ours, ...theirs]) {
      if (NEUTRAL.test(l)) continue;
      const a = assigned(l);
      if (!a)
        return {
          ok: false,
          line: start + 1,
          reason: "the conflict touches lines other than _migration and __version__",
        };
      values.set(a.name, [...(values.get(a.name) ?? []), a.value]);
    }
    const versions = (values.get("__version__") ?? []).filter(
      (v): v is string => v !== null && normalizePep440(v) !== null,
    );
    const newest = versions.sort(comparePep440).at(-1);
    const side = ours.some((l) => assigned(l)) ? ours : theirs;
    const kept = new Set<string>();
    for (const l of side) {
      const a = assigned(l);
      if (a) kept.add(a.name);
      out.push(
        a?.name === "__version__" && newest !== undefined
          ? l.replace(/(['"])[^'"]*\1/, (_q, q: string) => `${q}${newest}${q}`)
          : l,
      );
    }
    // A name only the other side assigns is kept too (its newest value for __version__).
    for (const l of side === ours ? theirs : ours) {
      const a = assigned(l);
      if (a && !kept.has(a.name)) {
        kept.add(a.name);
        out.push(
          a.name === "__version__" && newest !== undefined
            ? l.replace(/(['"])[^'"]*\1/, (_q, q: string) => `${q}${newest}${q}`)
            : l,
        );
      }
    }
  }
  return { ok: true, text: out.join(eol) };
}
