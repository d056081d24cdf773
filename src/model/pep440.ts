// PEP 440 versions: parsing (with the lenient spellings PEP 440 normalises), the canonical spelling, and
// the ordering pip uses. Mirrors `packaging.version.Version` so what we compute matches what Python tools see.

export interface Pep440 {
  epoch: number;
  release: number[];
  /** Pre-release: normalised label (`a`, `b`, `rc`) and number. */
  pre: { label: "a" | "b" | "rc"; number: number } | null;
  post: number | null;
  dev: number | null;
  /** Local segments (`+ubuntu.1` → ["ubuntu", 1]), lower-cased; null when there is none. */
  local: (string | number)[] | null;
}

// packaging's VERSION_PATTERN. Every group is anchored by a literal or a separator class, so it matches in
// linear time (no nested quantifiers over the same characters).
const PATTERN = new RegExp(
  "^\\s*v?" +
    "(?:(?<epoch>[0-9]+)!)?" +
    "(?<release>[0-9]+(?:\\.[0-9]+)*)" +
    "(?<pre>[-_.]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preN>[0-9]+)?)?" +
    "(?<post>(?:-(?<postN1>[0-9]+))|(?:[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?))?" +
    "(?<dev>[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?" +
    "(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?" +
    "\\s*$",
  "i",
);

const PRE_LABELS: Record<string, "a" | "b" | "rc"> = {
  alpha: "a",
  a: "a",
  beta: "b",
  b: "b",
  c: "rc",
  pre: "rc",
  preview: "rc",
  rc: "rc",
};

/** A numeric component; numbers beyond 2^53 cannot be held exactly, so such versions are refused. */
function num(digits: string): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) throw new RangeError("version component too large");
  return n;
}

// The spellings scripts and packages really use (`1.2.0`, `0.30rc3`, `1.0.post1.dev2`): a small regex with plain
// groups reads them, and the full pattern (named groups, every lenient form) only runs for the rest. At most 15
// digits a number, so every number is a safe integer, as num() requires.
const SIMPLE =
  /^([0-9]{1,15}(?:\.[0-9]{1,15})*)(?:(a|b|rc)([0-9]{1,15}))?(?:\.post([0-9]{1,15}))?(?:\.dev([0-9]{1,15}))?$/;
// Exactly the texts formatPep440 writes (no leading zeros): such a text is its own normal form.
const N = "(?:0|[1-9][0-9]{0,14})";
const CANONICAL = new RegExp(`^${N}(?:\\.${N})*(?:(?:a|b|rc)${N})?(?:\\.post${N})?(?:\\.dev${N})?$`);

function parseSimple(v: string): Pep440 | null {
  const m = SIMPLE.exec(v);
  if (!m) return null;
  return {
    epoch: 0,
    release: m[1]!.split(".").map(Number),
    pre: m[2] ? { label: m[2] as "a" | "b" | "rc", number: Number(m[3]) } : null,
    post: m[4] ? Number(m[4]) : null,
    dev: m[5] ? Number(m[5]) : null,
    local: null,
  };
}

/** The reference parser (packaging's regex): parsePep440 answers the same, faster for canonical spellings. */
export function parsePep440Pattern(v: string): Pep440 | null {
  const m = PATTERN.exec(v);
  if (!m?.groups) return null;
  const g = m.groups;
  try {
    const postDigits = g.postN1 ?? g.postN2;
    return {
      epoch: g.epoch ? num(g.epoch) : 0,
      release: g.release!.split(".").map(num),
      pre: g.preL ? { label: PRE_LABELS[g.preL.toLowerCase()]!, number: g.preN ? num(g.preN) : 0 } : null,
      post: g.post ? (postDigits ? num(postDigits) : 0) : null,
      dev: g.dev ? (g.devN ? num(g.devN) : 0) : null,
      local: g.local
        ? g.local
            .toLowerCase()
            .split(/[-_.]/)
            .map((s) => (/^[0-9]+$/.test(s) ? num(s) : s))
        : null,
    };
  } catch {
    return null;
  }
}

// A static check asks about the same thousand versions several times (name, header, ordering): each text is
// parsed once per process. Bounded, so a long-lived process cannot grow it without end.
const MEMO_LIMIT = 10_000;
const parsed = new Map<string, Pep440 | null>();
const normalized = new Map<string, string | null>();

function remember<T>(memo: Map<string, T>, key: string, value: T): T {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
  return value;
}

/**
 * Parse any spelling PEP 440 accepts (`1.0-RC.1`, `v1.0`, `1.0-1`); null when it is not a version.
 * The result is shared between callers (frozen): copy it to change it.
 */
export function parsePep440(v: string): Pep440 | null {
  const known = parsed.get(v);
  if (known !== undefined) return known;
  const p = parseSimple(v) ?? parsePep440Pattern(v);
  if (p) for (const part of [p.release, p.pre, p.local, p]) if (part) Object.freeze(part);
  return remember(parsed, v, p);
}

/** The canonical text of a parsed version (what `str(packaging.version.Version(v))` prints). */
export function formatPep440(p: Pep440): string {
  let s = p.epoch !== 0 ? `${p.epoch}!` : "";
  s += p.release.join(".");
  if (p.pre) s += `${p.pre.label}${p.pre.number}`;
  if (p.post !== null) s += `.post${p.post}`;
  if (p.dev !== null) s += `.dev${p.dev}`;
  if (p.local) s += `+${p.local.join(".")}`;
  return s;
}

export function normalizePep440(v: string): string | null {
  if (CANONICAL.test(v)) return v;
  const known = normalized.get(v);
  if (known !== undefined) return known;
  const p = parsePep440(v);
  return remember(normalized, v, p ? formatPep440(p) : null);
}

/** True when `v` is already spelled the canonical way (`1.0rc1`, not `1.0-RC1` or `v1.0`). */
export function isCanonicalPep440(v: string): boolean {
  return normalizePep440(v) === v;
}

function compareNumbers(a: number[], b: number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const PRE_RANK = { a: 0, b: 1, rc: 2 } as const;

// packaging's _cmpkey: a dev release without pre/post sorts before every pre-release of the same release
// (1.0.dev0 < 1.0a0); no pre-release sorts after all of them; no post sorts first; no dev sorts last.
function preKey(p: Pep440): number[] {
  if (!p.pre && p.post === null && p.dev !== null) return [-1];
  if (!p.pre) return [3];
  return [PRE_RANK[p.pre.label], p.pre.number];
}

function compareLocal(a: (string | number)[] | null, b: (string | number)[] | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (typeof x === typeof y) {
      if (x !== y) return x < y ? -1 : 1;
    } else return typeof x === "number" ? 1 : -1; // numeric segments sort after alphanumeric ones
  }
  return Math.sign(a.length - b.length);
}

export function comparePep440Parsed(a: Pep440, b: Pep440): number {
  if (a.epoch !== b.epoch) return Math.sign(a.epoch - b.epoch);
  return (
    compareNumbers(a.release, b.release) ||
    compareNumbers(preKey(a), preKey(b)) ||
    compareNumbers([a.post ?? -1], [b.post ?? -1]) ||
    compareNumbers([a.dev ?? Infinity], [b.dev ?? Infinity]) ||
    compareLocal(a.local, b.local)
  );
}

/**
 * PEP 440 ordering: negative when a < b, 0 when equal (`1.0` == `1.0.0`), positive when a > b.
 * Text that is not a version sorts before every version (and among itself by code points), so a stray
 * value never throws in the middle of a check.
 */
export function comparePep440(a: string, b: string): number {
  const pa = parsePep440(a);
  const pb = parsePep440(b);
  if (pa && pb) return comparePep440Parsed(pa, pb);
  if (pa) return 1;
  if (pb) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
