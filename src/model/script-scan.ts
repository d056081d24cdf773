// The fast path of reading a migration script, for the shape nearly every script has: a docstring, imports,
// `revision`/`down_revision` as a plain string or None, then def/class bodies. Anything else — a syntax
// problem, a tuple of parents, an assignment in an `if`, a name `revision` anywhere we do not expect it — makes
// it give up (null), and the caller falls back to the full tokenizer in python-literal.ts, which knows every
// form and every error message. Giving up is always safe; what this scanner must never do is accept a text
// the tokenizer would read differently (test/model/script-scan.test.ts compares the two on thousands of texts).
//
// Why regexes: a static check reads a thousand scripts once, in a process that lives a fraction of a second.
// A loop over characters in JavaScript runs interpreted and then pays for an optimising compile that finishes
// when the work is nearly done; a regex runs as native code from its first use. So each module-level statement
// (a def or class with its whole body included) is one sticky regex match, and JavaScript only steps from
// statement to statement. Every regex below matches in linear time: the alternatives of each loop start with
// different characters, and runs of plain characters and names are matched whole (a lookahead or lookbehind
// forbids splitting them), so a failed match cannot backtrack through exponentially many splits.

/** A value the scanner read: a plain string literal (no prefix, no escapes, one line) or `None`. */
export type ScannedValue =
  | { kind: "string"; line: number; start: number; end: number; value: string; quote: string }
  | { kind: "none"; line: number; start: number; end: number };

export interface ScriptScan {
  /** The module docstring (an unprefixed string alone on the first logical line), as offsets into the text. */
  docstring: { line: number; start: number; end: number } | null;
  /** The last module-level `revision = …` / `down_revision = …` (annotated or not). */
  revision: ScannedValue | null;
  downRevision: ScannedValue | null;
  /** The last `branch_labels = …` / `depends_on = …` (a tuple of them is the tokenizer's). */
  branchLabels: ScannedValue | null;
  dependsOn: ScannedValue | null;
}

// ---- The pieces, with the tokenizer's rules (python-literal.ts) ----

const NL = String.raw`(?:\r\n|\n|\r)`;
const EOL = String.raw`(?:\r\n|\n|\r|$)`;
const COMMENT = String.raw`#[^\r\n]*`;
/** A backslash continues the line only before a line break (anything else is the tokenizer's error). */
const CONTINUATION = String.raw`\\${NL}`;
/** Name characters, as isIdentPart(): letters, digits, `_` and everything beyond ASCII. */
const ID = String.raw`[\w\u0080-\uffff]`;

/** A string body between quotes `q`: escapes take the next character (CRLF as one), line breaks end a one-line string. */
function quoted(q: string): string {
  const single = String.raw`${q}(?!${q}${q})[^${q}\\\r\n]*(?:\\(?:\r\n|[\s\S])[^${q}\\\r\n]*)*${q}`;
  const triple = String.raw`${q}${q}${q}[^${q}\\]*(?:(?:\\(?:\r\n|[\s\S])|${q}(?!${q}${q}))[^${q}\\]*)*${q}${q}${q}`;
  return `${triple}|${single}`;
}
const STRING = `(?:${quoted('"')}|${quoted("'")})`;

/** A maximal run of the characters in class body `cls` (it cannot be split between two loop iterations). */
const run = (cls: string) => `[${cls}]+(?![${cls}])`;
const SPECIAL = String.raw`'"#\\()\[\]{}`;
/** Plain text of a line (no name check): everything but quotes, `#`, `\`, brackets and line breaks. */
const PLAIN = run(String.raw`^${SPECIAL}\r\n`);
/** Inside brackets line breaks are plain too. */
const PLAIN_IN = run(`^${SPECIAL}`);
/** Plain text at module level, where names are matched whole so that `revision` can be refused. */
const WATCHED_PLAIN = run(String.raw`^${SPECIAL}\r\n\w\u0080-\uffff`);
const WATCHED_PLAIN_IN = run(String.raw`^${SPECIAL}\w\u0080-\uffff`);
/** A whole name (or number) other than the four the scanner reads (WATCHED). */
const WATCHED = "(?:down_)?revision|branch_labels|depends_on";
const OTHER_NAME = `(?<!${ID})(?!(?:${WATCHED})(?!${ID}))${ID}+`;

/**
 * Bracketed groups nested up to `depth`, any bracket closing any other (which pairs match is checked once for
 * the whole text, see balanced()); inside them line breaks and comments are free, as for the tokenizer.
 */
function groups(depth: number, inside: string): string {
  let g = "(?!)";
  for (let d = 0; d < depth; d++) g = String.raw`[(\[{](?:${inside}|${g})*[)\]}]`;
  return g;
}
const ATOMS_IN = `${PLAIN_IN}|${STRING}|${COMMENT}|${CONTINUATION}`;
const WATCHED_ATOMS_IN = `${WATCHED_PLAIN_IN}|${OTHER_NAME}|${STRING}|${COMMENT}|${CONTINUATION}`;
/** A logical line's tokens (not its end), deep enough for any call alembic writes. */
const LINE = `(?:${PLAIN}|${STRING}|${CONTINUATION}|${groups(8, ATOMS_IN)})*`;
const WATCHED_LINE = `(?:${WATCHED_PLAIN}|${OTHER_NAME}|${STRING}|${CONTINUATION}|${groups(4, WATCHED_ATOMS_IN)})*`;
const LINE_END = `(?:${COMMENT})?${EOL}`;

/** Blank and comment-only lines. */
const BLANKS = new RegExp(String.raw`(?:[ \t]*(?:${COMMENT})?${NL})*(?:[ \t]*(?:${COMMENT})?$)?`, "y");
/** The first statement as a lone string: the docstring. */
const DOCSTRING = new RegExp(`(${STRING})[ \\t]*${LINE_END}`, "y");
/**
 * A def, class or decorator line and the lines that belong to it: indented ones (never run at import time) and
 * blank or comment-only ones. Indentation that holds a form feed resets the column: left to the tokenizer.
 */
const BODY_LINE = String.raw`[ \t]+(?![ \t\f])${LINE}${LINE_END}|[ \t]*(?:${COMMENT})?${NL}`;
// A decorator line is read like any statement (`@x; revision = "a"` assigns, as the tokenizer sees it); only
// def/class/async lines are skipped whole.
const DEFINITION = new RegExp(
  `(?:(?:def|class|async)(?!${ID})${LINE}|@${WATCHED_LINE})${LINE_END}(?:${BODY_LINE})*`,
  "y",
);
/** Any other module-level statement that does not name `revision` or `down_revision`. */
const STATEMENT = new RegExp(`${WATCHED_LINE}${LINE_END}`, "y");
/** `name = value` or `name: Annotation[...] = value` with a one-line string without escapes, or None. */
const ANNOTATION_CHAR = String.raw`[\w\u0080-\uffff \t.,|]`;
const ANNOTATION = String.raw`(?:${ANNOTATION_CHAR}|\[(?:${ANNOTATION_CHAR}|\[${ANNOTATION_CHAR}*\])*\])*`;
const SIMPLE_STRING = String.raw`"""[^"\\\r\n]*"""|'''[^'\\\r\n]*'''|"(?!"")[^"\\\r\n]*"|'(?!'')[^'\\\r\n]*'`;
const ASSIGNMENT = new RegExp(
  String.raw`(${WATCHED})([ \t]*(?::(?!=)${ANNOTATION})?=(?!=)[ \t]*)(?:(${SIMPLE_STRING})|None(?!${ID}))[ \t]*${LINE_END}`,
  "y",
);
/** Everything but brackets outside strings and comments (run after the statements above accepted the text). */
const NOT_BRACKETS = new RegExp(`${STRING}|${COMMENT}|[^'"#()\\[\\]{}]+`, "g");
const PAIRS = /\(\)|\[\]|\{\}/g;
const PREFIXED_STRING = new RegExp(`${ID}{1,2}['"]`, "y");

const SPACE = 0x20,
  TAB = 0x09,
  FF = 0x0c,
  BACKSLASH = 0x5c,
  SQ = 0x27,
  DQ = 0x22;

/** Whether every bracket closes with its own kind (the statements only checked that they nest). */
function balanced(source: string): boolean {
  let brackets = source.replace(NOT_BRACKETS, "");
  while (brackets.length > 0) {
    const inner = brackets.replace(PAIRS, "");
    if (inner.length === brackets.length) return false;
    brackets = inner;
  }
  return true;
}

/**
 * 1-based line of `offset`. Without a CR in the text (nearly always), the line feeds before it are counted
 * by indexOf, which copies nothing; else by counting in a copy of the text before it.
 */
function lineOf(source: string, offset: number, hasCR: boolean): number {
  if (hasCR) return 1 + lineBreaks(source.slice(0, offset));
  let line = 1;
  for (let i = source.indexOf("\n"); i >= 0 && i < offset; i = source.indexOf("\n", i + 1)) line++;
  return line;
}

/** Line breaks in `text` (CRLF counts once, like a lone CR or LF), by native string operations. */
function lineBreaks(text: string): number {
  const lf = text.length - text.replaceAll("\n", "").length;
  if (!text.includes("\r")) return lf;
  const cr = text.length - text.replaceAll("\r", "").length;
  const crlf = (text.length - text.replaceAll("\r\n", "").length) / 2;
  return lf + cr - crlf;
}

/** Match `re` at `at`; the offset after the match, or -1. */
function matchAt(re: RegExp, source: string, at: number): number {
  re.lastIndex = at;
  return re.test(source) ? re.lastIndex : -1;
}

/** Read a script the fast way, or null when it needs the full tokenizer (see the top of this file). */
export function scanScript(source: string): ScriptScan | null {
  const n = source.length;
  let pos = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  let docstring: { start: number; end: number } | null = null;
  let revision: RegExpExecArray | null = null;
  let downRevision: RegExpExecArray | null = null;
  let branchLabels: RegExpExecArray | null = null;
  let dependsOn: RegExpExecArray | null = null;
  let first = true;
  for (;;) {
    pos = matchAt(BLANKS, source, pos);
    if (pos >= n) break;
    const c = source.charCodeAt(pos);
    // An indented statement outside a def/class (a block of an `if`, `try` …), a form feed in the indentation,
    // a line continuation before the first token: the tokenizer's business.
    if (c === SPACE || c === TAB || c === FF || c === BACKSLASH) return null;
    // `r"""…"""` first: whether the prefix makes it a docstring is the tokenizer's call.
    if (first && matchAt(PREFIXED_STRING, source, pos) >= 0) return null;
    if (first && (c === SQ || c === DQ)) {
      first = false;
      DOCSTRING.lastIndex = pos;
      const m = DOCSTRING.exec(source);
      if (m === null) return null; // `"""…""".strip()`, implicit concatenation, `;` …
      docstring = { start: pos, end: pos + m[1]!.length };
      pos = DOCSTRING.lastIndex;
      continue;
    }
    first = false;
    let next = matchAt(DEFINITION, source, pos);
    if (next < 0) next = matchAt(STATEMENT, source, pos);
    if (next < 0) {
      ASSIGNMENT.lastIndex = pos;
      const m = ASSIGNMENT.exec(source);
      if (m === null) return null;
      if (m[1] === "revision") revision = m;
      else if (m[1] === "down_revision") downRevision = m;
      else if (m[1] === "branch_labels") branchLabels = m;
      else dependsOn = m;
      next = ASSIGNMENT.lastIndex;
    }
    if (next <= pos) return null; // cannot happen (every statement consumes text); never loop forever
    pos = next;
  }
  if (!balanced(source)) return null;
  const hasCR = source.includes("\r");
  const line = (offset: number) => lineOf(source, offset, hasCR);
  return {
    docstring: docstring && { line: line(docstring.start), ...docstring },
    revision: revision && valueOf(revision, line),
    downRevision: downRevision && valueOf(downRevision, line),
    branchLabels: branchLabels && valueOf(branchLabels, line),
    dependsOn: dependsOn && valueOf(dependsOn, line),
  };
}

function valueOf(m: RegExpExecArray, lineAt: (offset: number) => number): ScannedValue {
  const start = m.index + m[1]!.length + m[2]!.length;
  const line = lineAt(start);
  const literal = m[3];
  if (literal === undefined) return { kind: "none", line, start, end: start + 4 };
  const q = literal.length >= 6 && literal[1] === literal[0] && literal[2] === literal[0] ? 3 : 1;
  return {
    kind: "string",
    line,
    start,
    end: start + literal.length,
    value: literal.slice(q, -q),
    quote: literal.slice(0, q),
  };
}
