// The package's __init__.py (docs/spec.md §1): reads `_migration`, `__version__` and `_schema_id` without running
// Python, and rewrites exactly the bytes of one value so comments, quotes, BOM and CRLF survive.
import { MigrakitError } from "../errors/index.js";
import {
  lineEnding,
  moduleAssignments,
  parseLiteral,
  renderString,
  tokenize,
  type ModuleAssignment,
} from "./python-literal.js";
import type { Assignment, InitFile } from "./types.js";

export type InitName = "_migration" | "__version__" | "_schema_id";

const NAMES: ReadonlySet<string> = new Set<InitName>(["_migration", "__version__", "_schema_id"]);
const FIELD = { _migration: "migration", __version__: "version", _schema_id: "schemaId" } as const;

/** The last assignment of each name wins, as when Python runs the module. */
function lastAssignments(source: string): Map<string, ModuleAssignment> {
  const last = new Map<string, ModuleAssignment>();
  for (const a of moduleAssignments(source, tokenize(source), NAMES)) last.set(a.name, a);
  return last;
}

export function parseInitFile(source: string): InitFile {
  const tz = tokenize(source);
  const out: InitFile = { unreadable: [], syntaxError: tz.syntaxError };
  const last = new Map<string, ModuleAssignment>();
  for (const a of moduleAssignments(source, tz, NAMES)) last.set(a.name, a);
  for (const [name, a] of last) {
    const lit = a.value ? parseLiteral(source, a.value) : null;
    const span = lit ? { line: lit.line, start: lit.start, end: lit.end } : null;
    if (lit?.kind === "string") {
      const v = { ...span!, value: lit.string.value, quote: lit.string.quote };
      if (name === "_migration") out.migration = v;
      else if (name === "__version__") out.version = v;
      else out.schemaId = v;
    } else if (lit?.kind === "none" && name === "_migration") {
      out.migration = { ...span!, value: null, quote: null };
    } else out.unreadable.push({ name, line: a.line });
  }
  out.unreadable.sort((x, y) => x.line - y.line);
  return out;
}

/** Replace just the literal of `a` with `value` (null writes `None`), keeping its quote style and prefix. */
export function rewriteAssignment(source: string, a: Assignment<unknown>, value: string | null): string {
  let literal = "None";
  if (value !== null) {
    const old = source.slice(a.start, a.end);
    const prefix = a.quote ? (/^[A-Za-z]*/.exec(old)?.[0] ?? "") : "";
    literal = renderString(value, a.quote ?? '"', prefix);
  }
  return source.slice(0, a.start) + literal + source.slice(a.end);
}

/** Offset after the module docstring and the imports that open the file, or null when it opens with neither. */
function afterPreamble(source: string): number | null {
  let at: number | null = null;
  let first = true;
  for (const logical of tokenize(source).lines) {
    if (logical.indent !== 0) break;
    const head = logical.tokens[0]!;
    const word = source.slice(head.start, head.end);
    const docstring = first && logical.tokens.every((t) => t.kind === "string");
    first = false;
    if (!docstring && word !== "import" && word !== "from") break;
    at = logical.end;
  }
  return at;
}

/**
 * Set one of the package's values: rewrite its literal when present; otherwise add `name = "value"` after the
 * last of the three values present, or after the docstring/imports at the top, or at the end.
 */
export function setInitValue(source: string, name: InitName, value: string | null): string {
  const parsed = parseInitFile(source);
  const present = parsed[FIELD[name]];
  if (present) return rewriteAssignment(source, present, value);
  if (parsed.unreadable.some((u) => u.name === name))
    throw new MigrakitError("EMIGRAKIT_INIT_VALUE_UNREADABLE", { name });
  let at: number | null = null;
  for (const a of lastAssignments(source).values()) at = Math.max(at ?? 0, a.logical.end);
  at ??= afterPreamble(source) ?? source.length;
  const eol = lineEnding(source);
  const literal = value === null ? "None" : renderString(value, '"');
  const head = source.slice(0, at);
  const before = head.replace(/^\uFEFF/, "") !== "" && !/[\r\n]$/.test(head) ? eol : "";
  return source.slice(0, at) + before + `${name} = ${literal}${eol}` + source.slice(at);
}
