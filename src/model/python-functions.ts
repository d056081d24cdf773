// The module-level functions of a Python file (a migration's upgrade()/downgrade()), read with the one
// tokenizer (python-literal.ts), so strings, brackets and comments are understood the way Python does:
// a multi-line SQL string at column 0 inside upgrade() does not end the function, a `def upgrade` inside a
// docstring is not one. Pure.
import { statements, tokenize, type LogicalLine, type Token, type Tokenized } from "./python-literal.js";

export interface PythonFunction {
  name: string;
  /** 1-based line of the `def`. */
  line: number;
  /** Offset of the body's first line (just past the signature's line break). */
  start: number;
  /** Offset after the body's last line of code or indented comment (and its line break). */
  end: number;
  /** The body's logical lines, every token included. A one-line body (`def f(): pass`) is one line. */
  lines: LogicalLine[];
}

/** Tokenize with bodies: what every reader of function bodies starts from. */
export const tokenizeBodies = (source: string): Tokenized => tokenize(source, { bodies: true });

const text = (src: string, t: Token | undefined) => (t ? src.slice(t.start, t.end) : "");

/** The index of the signature's closing `:` (the first at bracket depth 0), or -1. */
function signatureColon(src: string, tokens: Token[]): number {
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const s = text(src, tokens[k]);
    if (s === "(" || s === "[" || s === "{") depth++;
    else if (s === ")" || s === "]" || s === "}") depth--;
    else if (s === ":" && depth === 0) return k;
  }
  return -1;
}

/** Where the body ends: before the next module-level statement, less trailing blank lines and column-0 comments. */
function bodyEnd(src: string, start: number, next: number): number {
  let end = next;
  while (end > start) {
    const lineStart = src.lastIndexOf("\n", end - 2) + 1;
    const line = src.slice(Math.max(lineStart, start), end);
    if (line.trim() !== "" && !line.startsWith("#")) break;
    end = Math.max(lineStart, start);
  }
  return end;
}

/** Every module-level `def` (and `async def`) of the source, by name; the last definition wins, as in Python. */
export function moduleFunctions(source: string, tz: Tokenized = tokenizeBodies(source)): Map<string, PythonFunction> {
  const out = new Map<string, PythonFunction>();
  const lines = tz.lines;
  for (let i = 0; i < lines.length; i++) {
    const head = lines[i]!;
    if (head.indent !== 0) continue;
    const at = text(source, head.tokens[0]) === "async" ? 1 : 0;
    if (text(source, head.tokens[at]) !== "def" || head.tokens[at + 1]?.kind !== "name") continue;
    const name = text(source, head.tokens[at + 1]);
    let j = i + 1;
    while (j < lines.length && lines[j]!.indent > 0) j++;
    const colon = signatureColon(source, head.tokens);
    const inline = colon >= 0 ? head.tokens.slice(colon + 1) : [];
    const body: LogicalLine[] =
      inline.length > 0
        ? [{ indent: 1, line: inline[0]!.line, start: inline[0]!.start, end: head.end, tokens: inline }]
        : lines.slice(i + 1, j);
    const start = inline.length > 0 ? inline[0]!.start : head.end;
    const next = j < lines.length ? lines[j]!.start : source.length;
    out.set(name, {
      name,
      line: head.line,
      start,
      end: inline.length > 0 ? head.end : bodyEnd(source, start, next),
      lines: body,
    });
  }
  return out;
}

export function findFunction(source: string, name: string, tz?: Tokenized): PythonFunction | null {
  return moduleFunctions(source, tz).get(name) ?? null;
}

/** The body's simple statements (split at `;`) as token lists, a leading docstring left out. */
export function bodyStatements(source: string, fn: PythonFunction): Token[][] {
  const all = fn.lines.flatMap((l) => statements(l.tokens, source));
  if (all[0]?.length === 1 && all[0][0]!.kind === "string") all.shift();
  return all;
}

/** True when the function does nothing: only `pass`, `...`, or nothing but a docstring. */
export function isEmptyBody(source: string, fn: PythonFunction): boolean {
  return bodyStatements(source, fn).every(
    (s) => s.length === 1 && (text(source, s[0]) === "pass" || text(source, s[0]) === "..."),
  );
}
