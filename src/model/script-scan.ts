// The fast path of reading a migration script: one pass over the characters, no token objects, for the shape
// nearly every script has (a docstring, imports, `revision`/`down_revision` as a plain string or None, then
// def/class bodies). Anything else — a syntax problem, a tuple of parents, an assignment in an `if`, a name
// `revision` used anywhere we do not expect it — makes it give up (null), and the caller falls back to the
// full tokenizer in python-literal.ts, which knows every form and every error message. Giving up is always
// safe; the only thing this scanner must never do is accept a text the tokenizer would read differently.

/** A value the scanner read: a plain string literal (no prefix, no escapes) or `None`. */
export type ScannedValue =
  | { kind: "string"; line: number; start: number; end: number; value: string; quote: string }
  | { kind: "none"; line: number; start: number; end: number };

export interface ScriptScan {
  /** The module docstring (an unprefixed string alone on the first logical line), as offsets into the text. */
  docstring: { line: number; start: number; end: number } | null;
  /** The last module-level `revision = …` / `down_revision = …` (annotated or not). */
  revision: ScannedValue | null;
  downRevision: ScannedValue | null;
}

const LF = 0x0a, CR = 0x0d, SPACE = 0x20, TAB = 0x09, FF = 0x0c, HASH = 0x23, BACKSLASH = 0x5c;
const SQ = 0x27, DQ = 0x22, AT = 0x40, EQ = 0x3d, COLON = 0x3a;

/** What ends the skip through a line: quotes, comments, line breaks, backslashes and brackets. */
const SIGNIFICANT = new Uint8Array(128);
for (const ch of "'\"#\n\r\\()[]{}") SIGNIFICANT[ch.charCodeAt(0)] = 1;
/** Characters an annotation like `Union[str, Sequence[str], None]` is made of (besides identifiers). */
const ANNOTATION = new Uint8Array(128);
for (const ch of " \t.,|[]()") ANNOTATION[ch.charCodeAt(0)] = 1;
/** Bracket code → the code of its partner; the stack holds the opening codes. */
const OPENING = new Uint8Array(128);
OPENING[0x29] = 0x28;
OPENING[0x5d] = 0x5b;
OPENING[0x7d] = 0x7b;

function isIdentStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 0x30 && c <= 0x39);
}

// Results of the last stringEnd() call: line breaks inside the literal and whether it holds a backslash.
// Module state instead of a returned object, so a thousand scripts' worth of strings allocate nothing.
let stringNewlines = 0;
let stringBackslash = false;

/** Offset past the string literal whose quote is at `at`, or -1 when it is not terminated (the tokenizer's rules). */
function stringEnd(src: string, at: number): number {
  const n = src.length;
  const q = src.charCodeAt(at);
  const triple = src.charCodeAt(at + 1) === q && src.charCodeAt(at + 2) === q;
  let i = at + (triple ? 3 : 1);
  stringNewlines = 0;
  stringBackslash = false;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === BACKSLASH) {
      stringBackslash = true;
      const d = src.charCodeAt(i + 1);
      if (d === LF) stringNewlines++;
      else if (d === CR) {
        stringNewlines++;
        if (src.charCodeAt(i + 2) === LF) i++;
      }
      i += 2;
      continue;
    }
    if (c === q) {
      if (!triple) return i + 1;
      if (src.charCodeAt(i + 1) === q && src.charCodeAt(i + 2) === q) return i + 3;
    } else if (c === LF || (c === CR && src.charCodeAt(i + 1) !== LF)) {
      if (!triple) return -1;
      stringNewlines++;
    }
    i++;
  }
  return -1;
}

// The scanner's position, shared by its helpers (one scan at a time: everything here is synchronous).
let src = "";
let pos = 0;
let line = 1;
const brackets = new Uint8Array(64);

/**
 * Skip to the end of the logical line that starts at `pos` (past its line break, brackets balanced), counting
 * lines. With `watch`, give up (false) on any name `revision`/`down_revision`: only a line that names them
 * can assign them. False as well on anything the tokenizer would report (the caller falls back to it).
 */
function skipLogicalLine(watch: boolean): boolean {
  const s = src;
  const n = s.length;
  let i = pos;
  let depth = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c >= 128 || SIGNIFICANT[c] === 0) {
      if (!watch) i++;
      else if (isIdentPart(c)) {
        // A whole name (or number: `1e5`, `0x1F` are not names) at once, so `revision` only matches a name.
        const start = i++;
        while (i < n && isIdentPart(s.charCodeAt(i))) i++;
        const len = i - start;
        if (len === 8 && s.startsWith("revision", start)) return false;
        if (len === 13 && s.startsWith("down_revision", start)) return false;
      } else i++;
      continue;
    }
    if (c === SQ || c === DQ) {
      const end = stringEnd(s, i);
      if (end < 0) return false;
      line += stringNewlines;
      i = end;
      continue;
    }
    if (c === HASH) {
      while (i < n && s.charCodeAt(i) !== LF && s.charCodeAt(i) !== CR) i++;
      continue;
    }
    if (c === LF || c === CR) {
      i += c === CR && s.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      if (depth === 0) {
        pos = i;
        return true;
      }
      continue;
    }
    if (c === BACKSLASH) {
      const d = s.charCodeAt(i + 1);
      if (d !== LF && d !== CR) return false;
      i += d === CR && s.charCodeAt(i + 2) === LF ? 3 : 2;
      line++;
      continue;
    }
    const open = OPENING[c]!;
    if (open === 0) {
      if (depth === brackets.length) return false;
      brackets[depth++] = c;
    } else if (depth === 0 || brackets[--depth] !== open) return false;
    i++;
  }
  pos = n;
  return depth === 0;
}

/** Skip spaces and tabs from `i`. */
function blanks(i: number): number {
  while (src.charCodeAt(i) === SPACE || src.charCodeAt(i) === TAB) i++;
  return i;
}

/** At `i`: the end of a logical line (optional comment, then a line break or the end)? Consumes it. */
function endOfLine(i: number): boolean {
  const s = src;
  i = blanks(i);
  if (s.charCodeAt(i) === HASH) while (i < s.length && s.charCodeAt(i) !== LF && s.charCodeAt(i) !== CR) i++;
  if (i >= s.length) {
    pos = s.length;
    return true;
  }
  const c = s.charCodeAt(i);
  if (c !== LF && c !== CR) return false;
  pos = i + (c === CR && s.charCodeAt(i + 1) === LF ? 2 : 1);
  line++;
  return true;
}

/** A plain string literal or None at `i`, ending its line; null otherwise. */
function valueAt(i: number): ScannedValue | null {
  const s = src;
  const c = s.charCodeAt(i);
  const at = line;
  if (c === SQ || c === DQ) {
    const end = stringEnd(s, i);
    // Escapes would need decoding, and a multi-line value moves the line count: leave both to the tokenizer.
    if (end < 0 || stringBackslash || stringNewlines > 0) return null;
    const q = end - i >= 6 && s.charCodeAt(i + 1) === c && s.charCodeAt(i + 2) === c ? 3 : 1;
    if (!endOfLine(end)) return null;
    return { kind: "string", line: at, start: i, end, value: s.slice(i + q, end - q), quote: s.slice(i, i + q) };
  }
  if (c === 0x4e && s.startsWith("None", i) && !isIdentPart(s.charCodeAt(i + 4))) {
    if (!endOfLine(i + 4)) return null;
    return { kind: "none", line: at, start: i, end: i + 4 };
  }
  return null;
}

/** `name = value` or `name: annotation = value` with the name ending at `i`; null when it is any other form. */
function assignmentAt(i: number): ScannedValue | null {
  const s = src;
  i = blanks(i);
  if (s.charCodeAt(i) === COLON) {
    // The annotation: names, dots, commas, `|` and brackets on this line, up to a lone `=` outside brackets.
    let depth = 0;
    i++;
    if (s.charCodeAt(i) === EQ) return null; // `:=` is no annotation
    for (;;) {
      if (i >= s.length) return null;
      const c = s.charCodeAt(i);
      if (c === EQ && depth === 0) break;
      if (c === 0x5b || c === 0x28) depth++;
      else if (c === 0x5d || c === 0x29) depth--;
      if (depth < 0 || !(c >= 128 || ANNOTATION[c] === 1 || isIdentPart(c))) return null;
      i++;
    }
  }
  if (s.charCodeAt(i) !== EQ || s.charCodeAt(i + 1) === EQ) return null;
  return valueAt(blanks(i + 1));
}

/** Read a script the fast way, or null when it needs the full tokenizer (see the top of this file). */
export function scanScript(source: string): ScriptScan | null {
  src = source;
  pos = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  line = 1;
  try {
    return scan();
  } finally {
    src = ""; // do not keep a script alive between calls
  }
}

function scan(): ScriptScan | null {
  const s = src;
  const n = s.length;
  const out: ScriptScan = { docstring: null, revision: null, downRevision: null };
  let first = true;
  // In the body of a module-level def/class (or after a decorator): indented lines never run at import time.
  let inDef = false;
  while (pos < n) {
    let i = pos;
    let c = s.charCodeAt(i);
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    const indented = i > pos;
    if (c === FF) return null;
    if (c === HASH) {
      while (i < n && s.charCodeAt(i) !== LF && s.charCodeAt(i) !== CR) i++;
      c = s.charCodeAt(i);
    }
    if (i >= n) break;
    if (c === LF || c === CR) {
      pos = i + (c === CR && s.charCodeAt(i + 1) === LF ? 2 : 1);
      line++;
      continue;
    }
    pos = i;
    if (indented) {
      if (!inDef) return null; // a statement in a module-level if/try/with block, or an indentation error
      if (!skipLogicalLine(false)) return null;
      continue;
    }
    // A line continuation before the first token: the statement really starts on a later line.
    if (c === BACKSLASH) return null;
    const wasFirst = first;
    first = false;
    if (c === SQ || c === DQ) {
      inDef = false;
      if (!wasFirst) {
        if (!skipLogicalLine(true)) return null;
        continue;
      }
      const at = line;
      const end = stringEnd(s, i);
      if (end < 0) return null;
      line += stringNewlines;
      if (!endOfLine(end)) return null; // `"""…""".strip()`, implicit concatenation, `;`: the tokenizer's call
      out.docstring = { line: at, start: i, end };
      continue;
    }
    if (c === AT) {
      inDef = true;
      if (!skipLogicalLine(true)) return null;
      continue;
    }
    if (!isIdentStart(c)) {
      inDef = false;
      if (!skipLogicalLine(true)) return null;
      continue;
    }
    let e = i + 1;
    while (e < n && isIdentPart(s.charCodeAt(e))) e++;
    const len = e - i;
    // A string prefix (`r"""…"""`, `b'…'`) at the start of a statement: the tokenizer decides what it is.
    const q = s.charCodeAt(e);
    if ((q === SQ || q === DQ) && len <= 2) return null;
    if ((len === 3 && s.startsWith("def", i)) || (len === 5 && (s.startsWith("class", i) || s.startsWith("async", i)))) {
      inDef = true;
      if (!skipLogicalLine(false)) return null;
      continue;
    }
    inDef = false;
    const isRevision = len === 8 && s.startsWith("revision", i);
    if (isRevision || (len === 13 && s.startsWith("down_revision", i))) {
      const value = assignmentAt(e);
      if (value === null) return null;
      if (isRevision) out.revision = value;
      else out.downRevision = value;
      continue;
    }
    if (!skipLogicalLine(true)) return null;
  }
  return out;
}
