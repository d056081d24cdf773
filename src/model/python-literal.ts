// migrakit's one reader of Python source: just enough of Python's tokenizer to read module-level literals,
// function bodies and the `op.*` calls in them, and to spot the syntax errors that stop Python from
// importing a file (unterminated strings, unbalanced brackets). One linear pass, no regex backtracking: a
// static check reads a thousand scripts in a few milliseconds. By default the bodies of module-level
// def/class blocks are skipped (they never run at import time); `{ bodies: true }` reads them too, for the
// readers of upgrade()/downgrade() (src/model/python-functions.ts, src/model/operations.ts).

export interface Token {
  kind: "name" | "number" | "string" | "op";
  start: number;
  end: number;
  /** 1-based line of the first character. */
  line: number;
}

/** One logical line (a statement or several joined by `;`), as Python's tokenizer sees it. */
export interface LogicalLine {
  /** Column of the first token (tabs to multiples of 8); 0 is module level. */
  indent: number;
  line: number;
  /** Offset of the first token. */
  start: number;
  /** Offset just past the line's newline (or the end of the source): where a following line may be inserted. */
  end: number;
  /** Every token of a module-level line; only the first two of an indented one (enough to see what it assigns).
   * Lines in the body of a module-level def/class are not listed at all: they never run at import time.
   * With `{ bodies: true }` every line is listed with all its tokens. */
  tokens: Token[];
}

export interface SyntaxProblem {
  line: number;
  message: string;
}

export interface Tokenized {
  lines: LogicalLine[];
  /** The first problem found; tokenizing stops there. */
  syntaxError: SyntaxProblem | null;
}

const SPACE = 0x20,
  TAB = 0x09,
  FF = 0x0c,
  LF = 0x0a,
  CR = 0x0d,
  HASH = 0x23,
  BACKSLASH = 0x5c;
const SQ = 0x27,
  DQ = 0x22,
  DOT = 0x2e;

const OPS3 = new Set(["**=", "//=", ">>=", "<<=", "..."]);
const OPS2 = new Set([
  "==",
  "!=",
  "<=",
  ">=",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
  "@=",
  "->",
  "**",
  "//",
  "<<",
  ">>",
  ":=",
]);
const OPEN: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
/** Characters that end the fast skip through an indented line: quotes, `#`, line breaks, `\`, brackets. */
const SIGNIFICANT = new Uint8Array(128);
for (const ch of "'\"#\n\r\\()[]{}") SIGNIFICANT[ch.charCodeAt(0)] = 1;
/** Characters that can continue an operator (`==`, `**=`, `->`, `...`). */
const OP_CHAR = new Uint8Array(128);
for (const ch of "=*/<>-.:") OP_CHAR[ch.charCodeAt(0)] = 1;
const CLOSE: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
const STRING_PREFIXES = new Set(["r", "u", "b", "f", "br", "rb", "fr", "rf"]);

function isIdentStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 0x30 && c <= 0x39);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Where a string literal starting at `quoteAt` ends, and how many line breaks it spans. */
function scanString(
  src: string,
  quoteAt: number,
): { end: number; newlines: number } | { error: "single" | "triple"; at: number; newlines: number } {
  const q = src.charCodeAt(quoteAt);
  const n = src.length;
  const triple = src.charCodeAt(quoteAt + 1) === q && src.charCodeAt(quoteAt + 2) === q;
  let i = quoteAt + (triple ? 3 : 1);
  let newlines = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === BACKSLASH) {
      // Even in raw strings a backslash keeps the next character (a quote or a line break) inside the string.
      const d = src.charCodeAt(i + 1);
      if (d === LF) newlines++;
      else if (d === CR) {
        newlines++;
        if (src.charCodeAt(i + 2) === LF) i++;
      }
      i += 2;
      continue;
    }
    if (c === q) {
      if (!triple) return { end: i + 1, newlines };
      if (src.charCodeAt(i + 1) === q && src.charCodeAt(i + 2) === q) return { end: i + 3, newlines };
    } else if (c === LF || (c === CR && src.charCodeAt(i + 1) !== LF)) {
      if (!triple) return { error: "single", at: i, newlines };
      newlines++;
    }
    i++;
  }
  return { error: triple ? "triple" : "single", at: n, newlines };
}

export interface TokenizeOptions {
  /** Read the bodies of module-level def/class blocks, and every token of indented lines (default: skip them). */
  bodies?: boolean;
}

/** Tokenize `source` into logical lines (comments and blank lines dropped), stopping at the first syntax problem. */
export function tokenize(source: string, options: TokenizeOptions = {}): Tokenized {
  const readAll = options.bodies === true;
  const src = source;
  const n = src.length;
  const lines: LogicalLine[] = [];
  // Open brackets as two number stacks (char code, line): no object per bracket.
  const bracketChars: number[] = [];
  const bracketLines: number[] = [];
  let i = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let cur = null as LogicalLine | null; // assigned inside push(): keep TS from narrowing it to null
  let atLineStart = true;
  let indent = 0;
  // Inside the body of a module-level def/class nothing can assign at import time: its lines are skipped
  // without tokens or LogicalLine objects (most of a migration script is upgrade()/downgrade()).
  let inDefBody = false;
  let skipLine = false;
  const fail = (l: number, message: string): Tokenized => ({ lines, syntaxError: { line: l, message } });
  const push = (kind: Token["kind"], start: number, end: number, at: number) => {
    if (skipLine) return;
    if (cur === null) {
      cur = { indent, line: at, start, end: n, tokens: [] };
      if (indent === 0 && !readAll) {
        const word = end - start <= 5 ? src.slice(start, end) : "";
        inDefBody = word === "def" || word === "class" || word === "async" || word === "@";
      }
    }
    if (readAll || cur.indent === 0 || cur.tokens.length < 2) cur.tokens.push({ kind, start, end, line: at });
  };

  while (i < n) {
    let c = src.charCodeAt(i);
    if (atLineStart) {
      indent = 0;
      while (i < n) {
        c = src.charCodeAt(i);
        if (c === SPACE) indent++;
        else if (c === TAB) indent = (Math.floor(indent / 8) + 1) * 8;
        else if (c === FF) indent = 0;
        else break;
        i++;
      }
      atLineStart = false;
      skipLine = inDefBody && indent > 0;
      continue;
    }
    if (skipLine || (!readAll && cur !== null && cur.indent > 0 && cur.tokens.length >= 2)) {
      // Fast path through the rest of an indented line (most of a script): only where strings, comments,
      // brackets and lines end matters there, so skip everything else without making tokens.
      while (i < n && !SIGNIFICANT[src.charCodeAt(i)]) i++;
      if (i >= n) break;
      c = src.charCodeAt(i);
      if (c === SQ || c === DQ) {
        const r = scanString(src, i);
        if ("error" in r) return unterminated(r, line);
        i = r.end;
        line += r.newlines;
        continue;
      }
    }
    if (c === SPACE || c === TAB || c === FF) {
      i++;
      continue;
    }
    if (c === HASH) {
      while (i < n && src.charCodeAt(i) !== LF && src.charCodeAt(i) !== CR) i++;
      continue;
    }
    if (c === LF || c === CR) {
      i += c === CR && src.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      if (bracketChars.length === 0) {
        skipLine = false;
        if (cur) {
          cur.end = i;
          lines.push(cur);
          cur = null;
        }
        atLineStart = true;
      }
      continue;
    }
    if (c === BACKSLASH) {
      const d = src.charCodeAt(i + 1);
      if (d === LF || d === CR) {
        i += d === CR && src.charCodeAt(i + 2) === LF ? 3 : 2;
        line++;
        continue;
      }
      if (i + 1 >= n) return fail(line, "unexpected EOF while parsing");
      return fail(line, "unexpected character after line continuation character");
    }
    const start = i;
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      const q = src.charCodeAt(i);
      if ((q === SQ || q === DQ) && i - start <= 2 && STRING_PREFIXES.has(src.slice(start, i).toLowerCase())) {
        const r = scanString(src, i);
        if ("error" in r) return unterminated(r, line);
        push("string", start, r.end, line);
        i = r.end;
        line += r.newlines;
      } else push("name", start, i, line);
      continue;
    }
    if (c === SQ || c === DQ) {
      const r = scanString(src, i);
      if ("error" in r) return unterminated(r, line);
      push("string", start, r.end, line);
      i = r.end;
      line += r.newlines;
      continue;
    }
    if (isDigit(c) || (c === DOT && isDigit(src.charCodeAt(i + 1)))) {
      i++;
      while (i < n) {
        const d = src.charCodeAt(i);
        if (isIdentPart(d) || d === DOT) i++;
        else if (
          (d === 0x2b || d === 0x2d) &&
          (src.charCodeAt(i - 1) | 0x20) === 0x65 &&
          !/^0[xX]/.test(src.slice(start, start + 2))
        )
          i++;
        else break;
      }
      push("number", start, i, line);
      continue;
    }
    if (c === 0x28 || c === 0x5b || c === 0x7b) {
      bracketChars.push(c);
      bracketLines.push(line);
      push("op", start, ++i, line);
      continue;
    }
    if (c === 0x29 || c === 0x5d || c === 0x7d) {
      const ch = src[i]!;
      const openChar = bracketChars.pop();
      const openLine = bracketLines.pop()!;
      if (openChar === undefined) return fail(line, `unmatched '${ch}'`);
      const open = String.fromCharCode(openChar);
      if (open !== CLOSE[ch]) {
        const where = openLine === line ? "" : ` on line ${openLine}`;
        return fail(line, `closing parenthesis '${ch}' does not match opening parenthesis '${open}'${where}`);
      }
      push("op", start, ++i, line);
      continue;
    }
    // Multi-character operators only matter to tell `=` from `==`, `+=`, …; look at the text only then.
    let len = 1;
    if (OP_CHAR[src.charCodeAt(i + 1)]) len = OPS3.has(src.slice(i, i + 3)) ? 3 : OPS2.has(src.slice(i, i + 2)) ? 2 : 1;
    i += len;
    push("op", start, i, line);
  }
  if (bracketChars.length > 0) {
    const open = String.fromCharCode(bracketChars[bracketChars.length - 1]!);
    return fail(bracketLines[bracketLines.length - 1]!, `'${open}' was never closed`);
  }
  if (cur) lines.push(cur);
  return { lines, syntaxError: null };

  function unterminated(r: { error: "single" | "triple"; newlines: number }, startLine: number): Tokenized {
    // Python reports the last line that has text, so a final line break does not count.
    const last = startLine + r.newlines - (/[\r\n]$/.test(src) ? 1 : 0);
    if (r.error === "triple")
      return fail(
        startLine,
        `unterminated triple-quoted string literal (detected at line ${Math.max(last, startLine)})`,
      );
    return fail(startLine, `unterminated string literal (detected at line ${startLine})`);
  }
}

/** Split a logical line's tokens into simple statements at top-level `;`. */
export function statements(tokens: Token[], src: string): Token[][] {
  const out: Token[][] = [];
  let depth = 0;
  let from = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== "op") continue;
    const s = src.slice(t.start, t.end);
    if (OPEN[s]) depth++;
    else if (CLOSE[s]) depth--;
    else if (s === ";" && depth === 0) {
      out.push(tokens.slice(from, k));
      from = k + 1;
    }
  }
  out.push(tokens.slice(from));
  return out.filter((s) => s.length > 0);
}

/** A string literal token, decoded. */
export interface StringLiteral {
  value: string;
  /** `"`, `'`, `"""` or `'''`. */
  quote: string;
  /** The letters before the quote (`r`, `u`, …), as written. */
  prefix: string;
  start: number;
  end: number;
  line: number;
}

/** Decode a string token; null for bytes and f-strings, which are not plain text values. */
export function stringLiteral(src: string, t: Token): StringLiteral | null {
  if (t.kind !== "string") return null;
  const text = src.slice(t.start, t.end);
  let p = 0;
  while (text[p] !== '"' && text[p] !== "'") p++;
  const prefix = text.slice(0, p);
  const lower = prefix.toLowerCase();
  if (lower.includes("b") || lower.includes("f")) return null;
  const q = text[p]!;
  const quote = text.startsWith(q + q + q, p) && text.length - p >= 6 ? q + q + q : q;
  const body = text.slice(p + quote.length, text.length - quote.length);
  return {
    value: lower.includes("r") ? body : decodeEscapes(body),
    quote,
    prefix,
    start: t.start,
    end: t.end,
    line: t.line,
  };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

function decodeEscapes(body: string): string {
  if (!body.includes("\\")) return body;
  return body.replace(/\\(\r\n|[\s\S])([0-7]{0,2})?/g, (all, ch: string, rest: string | undefined) => {
    const tail = rest ?? "";
    if (ch === "\n" || ch === "\r\n" || ch === "\r") return tail; // line continuation inside the string
    if (SIMPLE_ESCAPES[ch] !== undefined) return SIMPLE_ESCAPES[ch] + tail;
    if (/[0-7]/.test(ch)) return String.fromCharCode(parseInt(ch + tail, 8));
    return all; // \x, \u, \N and unknown escapes are kept as written: they never occur in revisions or versions
  });
}

/** Render a string literal in the given quote style, escaping what must be escaped. */
export function renderString(value: string, quote: string, prefix = ""): string {
  const q = quote[0]!;
  const needsEscape = value.includes("\\") || value.includes(q) || (quote.length === 1 && /[\r\n]/.test(value));
  const pre = needsEscape ? prefix.replace(/[rR]/g, "") : prefix;
  let body = value;
  if (needsEscape) {
    body = body
      .replace(/\\/g, "\\\\")
      .split(q)
      .join("\\" + q);
    if (quote.length === 1) body = body.replace(/\r/g, "\\r").replace(/\n/g, "\\n");
  }
  return pre + quote + body + quote;
}

/** A right-hand side we can read without running Python. */
export type Literal =
  | { kind: "string"; string: StringLiteral; start: number; end: number; line: number }
  | { kind: "none"; start: number; end: number; line: number }
  | { kind: "strings"; strings: StringLiteral[]; start: number; end: number; line: number };

/** Read a right-hand side: one string, None, or a tuple/list of strings (with or without brackets). */
export function parseLiteral(src: string, tokens: Token[]): Literal | null {
  if (tokens.length === 0) return null;
  const first = tokens[0]!;
  const last = tokens[tokens.length - 1]!;
  const span = { start: first.start, end: last.end, line: first.line };
  const text = (t: Token) => src.slice(t.start, t.end);
  if (tokens.length === 1) {
    if (first.kind === "name" && text(first) === "None") return { kind: "none", ...span };
    const s = stringLiteral(src, first);
    return s ? { kind: "string", string: s, ...span } : null;
  }
  let inner = tokens;
  let bracketed = false;
  const open = text(first);
  if ((open === "(" && text(last) === ")") || (open === "[" && text(last) === "]")) {
    inner = tokens.slice(1, -1);
    bracketed = true;
  }
  // Alternate string, comma, string, …; a trailing comma is allowed.
  const strings: StringLiteral[] = [];
  let commas = 0;
  for (let k = 0; k < inner.length; k++) {
    const t = inner[k]!;
    if (k % 2 === 0) {
      const s = stringLiteral(src, t);
      if (!s) return null;
      strings.push(s);
    } else if (t.kind === "op" && text(t) === ",") commas++;
    else return null;
  }
  // `("x")` is just a parenthesised string, `("x",)` and `["x"]` are sequences.
  if (open === "(" && bracketed && commas === 0 && strings.length === 1) {
    const only = strings[0]!;
    return { kind: "string", string: only, start: only.start, end: only.end, line: only.line }; // the span is the string itself
  }
  if (!bracketed && commas === 0) return null;
  return { kind: "strings", strings, ...span };
}

/** The line ending a file mostly uses, judged by its first line break. */
export function lineEnding(source: string): "\n" | "\r\n" {
  const i = source.indexOf("\n");
  return i > 0 && source[i - 1] === "\r" ? "\r\n" : "\n";
}

/** A module-level assignment to one of the names asked for. */
export interface ModuleAssignment {
  name: string;
  /** Line of the statement. */
  line: number;
  /** Right-hand side tokens; null when assigned in a form we cannot read (augmented, unpacking, inside an if/try). */
  value: Token[] | null;
  /** The logical line holding it; its `end` is where a following statement can be inserted. */
  logical: LogicalLine;
}

const DEF_KEYWORDS = new Set(["def", "class", "async"]);
const BLOCK_KEYWORDS = new Set([
  "if",
  "elif",
  "else",
  "try",
  "except",
  "finally",
  "with",
  "for",
  "while",
  "match",
  "case",
]);
const AUG_ASSIGN = new Set(["+=", "-=", "*=", "/=", "//=", "%=", "**=", ">>=", "<<=", "&=", "|=", "^=", "@=", ":="]);

/**
 * Every assignment to `names` that runs when the module is imported, in source order. Assignments inside
 * functions and classes do not run at import time and are skipped; ones inside module-level `if`/`try`
 * blocks do run, conditionally, so they are reported with a null value (we cannot tell which wins).
 */
export function moduleAssignments(src: string, tz: Tokenized, names: ReadonlySet<string>): ModuleAssignment[] {
  const out: ModuleAssignment[] = [];
  const blocks: { indent: number; def: boolean }[] = [];
  let defs = 0;
  const text = (t: Token | undefined) => (t ? src.slice(t.start, t.end) : "");
  for (const logical of tz.lines) {
    while (blocks.length > 0 && blocks[blocks.length - 1]!.indent >= logical.indent) if (blocks.pop()!.def) defs--;
    const head = logical.tokens[0]!;
    const keyword = head.kind === "name" ? text(head) : "";
    const opensDef = DEF_KEYWORDS.has(keyword);
    const inDef = defs > 0;
    if (opensDef || BLOCK_KEYWORDS.has(keyword)) {
      blocks.push({ indent: logical.indent, def: opensDef });
      if (opensDef) defs++;
    }
    if (inDef || opensDef) continue;
    if (logical.indent > 0) {
      const op = text(logical.tokens[1]);
      if (head.kind === "name" && names.has(keyword) && (op === "=" || op === ":" || AUG_ASSIGN.has(op))) {
        out.push({ name: keyword, line: logical.line, value: null, logical });
      }
      continue;
    }
    for (const stmt of statements(logical.tokens, src)) assignmentsIn(stmt, logical, names, text, out);
  }
  return out;
}

function assignmentsIn(
  stmt: Token[],
  logical: LogicalLine,
  names: ReadonlySet<string>,
  text: (t: Token | undefined) => string,
  out: ModuleAssignment[],
): void {
  const first = stmt[0]!;
  if (first.kind !== "name") return;
  const push = (name: string, value: Token[] | null) => {
    if (names.has(name)) out.push({ name, line: first.line, value, logical });
  };
  // `name: annotation = value`: the value follows the first `=` outside brackets.
  if (text(stmt[1]) === ":") {
    let depth = 0;
    for (let k = 2; k < stmt.length; k++) {
      const s = text(stmt[k]);
      if (s === "(" || s === "[" || s === "{") depth++;
      else if (s === ")" || s === "]" || s === "}") depth--;
      else if (s === "=" && depth === 0) return push(text(first), stmt.slice(k + 1));
    }
    return; // a bare annotation assigns nothing
  }
  // `a = b = value` (one or more plain targets).
  let k = 0;
  const targets: string[] = [];
  while (stmt[k]?.kind === "name" && text(stmt[k + 1]) === "=") {
    targets.push(text(stmt[k]));
    k += 2;
  }
  if (targets.length > 0) {
    for (const t of targets) push(t, stmt.slice(k));
    return;
  }
  if (AUG_ASSIGN.has(text(stmt[1]))) return push(text(first), null);
  // `a, b = …` unpacking: any of our names among the targets cannot be read.
  // Only names outside brackets are targets (`f(x=1)` passes a keyword, it assigns nothing).
  let depth = 0;
  const candidates: string[] = [];
  for (const t of stmt) {
    const s = text(t);
    if (s === "(" || s === "[" || s === "{") depth++;
    else if (s === ")" || s === "]" || s === "}") depth--;
    else if (depth === 0 && s === "=") {
      for (const c of candidates) push(c, null);
      return;
    } else if (depth === 0 && t.kind === "name") candidates.push(s);
    else if (depth === 0 && s !== "," && s !== "*") return; // not a target list (`a.b = …`, `x[0] = …`)
  }
}
