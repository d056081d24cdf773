// The `op.*` calls of a migration function, read from its text with the one tokenizer (python-literal.ts):
// `op.X(…)` in order, and `alias.X(…)` inside `with op.batch_alter_table(…) as alias:`. Pure and exact about
// what it cannot know: an argument counts as a name only when it is one plain string literal (an f-string,
// a variable or a concatenation is unknown, never guessed), and helpers of `op` that change nothing
// (`op.get_bind()`, `op.f()`, …) are not operations.
import { stringLiteral, type Token } from "./python-literal.js";
import { bodyStatements, findFunction, tokenizeBodies } from "./python-functions.js";

export interface OpArg {
  /** The argument's tokens (after `name=` for a keyword). */
  tokens: Token[];
  /** The value when the argument is exactly one plain string literal, else null. */
  string: string | null;
  /** For `sa.Column("name", …)`-style arguments: the column's name when it is a plain literal, else null. */
  columnName: string | null;
  /** The source text when the argument is one name or number (`False`, `None`, `3`), else null. */
  word: string | null;
}

export interface BatchTarget {
  table: string | null;
  schema?: string | null;
}

/** A `schema=` argument: null when absent or None, the name when a plain literal, undefined when unknown. */
export function schemaOf(arg: OpArg | undefined): string | null | undefined {
  if (!arg || arg.word === "None") return null;
  return arg.string ?? undefined;
}

export interface Operation {
  /** The alembic operation (`alter_column`, `create_table`, …). */
  name: string;
  /** 1-based line of the call. */
  line: number;
  args: OpArg[];
  kwargs: Record<string, OpArg>;
  /** Set for calls on a batch alias: the table of its `op.batch_alter_table(…)` (null: not a plain literal) and
   * its schema (null: none given; undefined: given but not a plain literal). */
  batch?: BatchTarget;
}

/** Attributes of alembic's `op` that are helpers, not schema operations. */
const NOT_OPERATIONS = new Set([
  "get_bind",
  "get_context",
  "f",
  "inline_literal",
  "invoke",
  "run_async",
  "implementation_for",
  "register_operation",
  "batch_alter_table",
]);

const OPEN = new Set(["(", "[", "{"]);
const CLOSE = new Set([")", "]", "}"]);

function argOf(src: string, tokens: Token[]): OpArg {
  const t = (k: number) => (tokens[k] ? src.slice(tokens[k]!.start, tokens[k]!.end) : "");
  const only = tokens.length === 1 ? tokens[0]! : null;
  // `op.f("ix_x")` is alembic's marker for a name already final under the naming convention: the literal.
  const marked =
    tokens.length === 6 && t(0) === "op" && t(1) === "." && t(2) === "f" && t(3) === "(" && t(5) === ")"
      ? tokens[4]!
      : null;
  const string = only || marked ? (stringLiteral(src, (only ?? marked)!)?.value ?? null) : null;
  const word = only && only.kind !== "string" && only.kind !== "op" ? t(0) : null;
  // `sa.Column("name", …)`, `Column("name")`, `sqlmodel.Column("name", …)`: dotted name, `(`, one plain string.
  let columnName: string | null = null;
  let k = 0;
  while (tokens[k]?.kind === "name" && t(k + 1) === ".") k += 2;
  if (
    tokens[k]?.kind === "name" &&
    t(k + 1) === "(" &&
    tokens[k + 2]?.kind === "string" &&
    [",", ")"].includes(t(k + 3))
  ) {
    columnName = stringLiteral(src, tokens[k + 2]!)?.value ?? null;
  }
  return { tokens, string, columnName, word };
}

/** The arguments of the call whose `(` is at `open`, and the index after its `)`. */
function callArgs(
  src: string,
  toks: Token[],
  open: number,
): { args: OpArg[]; kwargs: Record<string, OpArg>; end: number } {
  const parts: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  let i = open + 1;
  for (; i < toks.length; i++) {
    const s = src.slice(toks[i]!.start, toks[i]!.end);
    if (OPEN.has(s)) depth++;
    else if (CLOSE.has(s)) {
      if (depth === 0) break;
      depth--;
    } else if (s === "," && depth === 0) {
      parts.push(current);
      current = [];
      continue;
    }
    current.push(toks[i]!);
  }
  if (current.length) parts.push(current);
  const args: OpArg[] = [];
  const kwargs: Record<string, OpArg> = {};
  for (const p of parts) {
    const eq = p[1] ? src.slice(p[1].start, p[1].end) : "";
    if (p[0]?.kind === "name" && eq === "=") kwargs[src.slice(p[0].start, p[0].end)] = argOf(src, p.slice(2));
    else if (!(p[0] && ["*", "**"].includes(src.slice(p[0].start, p[0].end)))) args.push(argOf(src, p));
  }
  return { args, kwargs, end: i + 1 };
}

/**
 * The operations of `def fn` (default upgrade) in source order; [] when there is no such function or the
 * file does not tokenize (a script Python could not import has no operations to summarise).
 */
export function readOperations(source: string, fn = "upgrade"): Operation[] {
  const tz = tokenizeBodies(source);
  if (tz.syntaxError) return [];
  const def = findFunction(source, fn, tz);
  if (!def) return [];
  const out: Operation[] = [];
  const batches = new Map<string, BatchTarget>();
  const s = (t: Token | undefined) => (t ? source.slice(t.start, t.end) : "");
  for (const stmt of bodyStatements(source, def)) {
    for (let i = 0; i + 3 < stmt.length; i++) {
      const [a, dot, b, paren] = [stmt[i]!, stmt[i + 1]!, stmt[i + 2]!, stmt[i + 3]!];
      if (a.kind !== "name" || s(dot) !== "." || b.kind !== "name" || s(paren) !== "(") continue;
      if (i > 0 && s(stmt[i - 1]) === ".") continue; // `x.op.y(` is not alembic's op
      const receiver = s(a);
      const name = s(b);
      if (receiver !== "op" && !batches.has(receiver)) continue;
      const call = callArgs(source, stmt, i + 3);
      if (receiver === "op" && name === "batch_alter_table") {
        const table = call.args[0]?.string ?? call.kwargs.table_name?.string ?? null;
        const target: BatchTarget = { table, schema: schemaOf(call.kwargs.schema) };
        if (s(stmt[call.end]) === "as" && stmt[call.end + 1]?.kind === "name")
          batches.set(s(stmt[call.end + 1]), target);
      } else if (!(receiver === "op" && NOT_OPERATIONS.has(name))) {
        const op: Operation = { name, line: b.line, args: call.args, kwargs: call.kwargs };
        if (receiver !== "op") op.batch = batches.get(receiver)!;
        out.push(op);
      }
      i = call.end - 1;
    }
  }
  return out;
}
