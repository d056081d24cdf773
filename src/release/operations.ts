// A one-line summary of what a migration script does, read from the `op.*` calls of its upgrade() body
// ("rename column core.transform.version → v"), for release notes. Pure, and deliberately shallow: it reads
// call names and their literal arguments, never evaluates Python; whatever it cannot read it names by the
// operation alone ("execute"), so the summary is never wrong, only sometimes terse.

export interface Operation {
  /** The alembic operation (`alter_column`, `create_table`, …). */
  name: string;
  /** Positional arguments: the literal string when the argument is one, else the first string inside it
   * (`sa.Column("v", …)` → "v"), else null. */
  args: (string | null)[];
  /** Keyword arguments, the same way. */
  kwargs: Record<string, string | null>;
  /** Literal keyword values that are not strings, by name (`nullable=False` → "False"). */
  flags: Record<string, string>;
  /** The table a `batch_alter_table` block applies its operations to. */
  batchTable?: string | null;
}

interface Tok {
  kind: "name" | "string" | "op" | "other";
  text: string;
  /** For strings: the decoded value (escape sequences kept as written: names never hold them). */
  value?: string;
  /** Indentation column of the line the token starts, when it is the first of its line. */
  lineIndent?: number;
}

/** Tokens of a Python text: names, strings (with value), single-character operators; comments dropped. */
function tokens(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let lineStart = true;
  let indent = 0;
  let depth = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "\n") {
      if (depth === 0) lineStart = true;
      indent = 0;
      i++;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\f") {
      if (lineStart) indent += c === "\t" ? 8 - (indent % 8) : 1;
      i++;
      continue;
    }
    if (c === "\\" && src[i + 1] === "\n") {
      i += 2;
      continue;
    }
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    const first = lineStart && depth === 0;
    lineStart = false;
    const push = (t: Tok) => out.push(first ? { ...t, lineIndent: indent } : t);
    const prefix = /^(?:[rRuUbBfF]{1,2})?(?="|')/.exec(src.slice(i, i + 3));
    if (prefix) {
      const q = src[i + prefix[0].length]!;
      const start = i + prefix[0].length;
      const triple = src.startsWith(q.repeat(3), start);
      const quote = triple ? q.repeat(3) : q;
      let j = start + quote.length;
      while (j < src.length && !src.startsWith(quote, j)) {
        if (src[j] === "\\") j++;
        else if (!triple && src[j] === "\n") break;
        j++;
      }
      push({ kind: "string", text: src.slice(i, j + quote.length), value: src.slice(start + quote.length, j) });
      i = Math.min(src.length, j + quote.length);
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 200));
    if (name) {
      push({ kind: "name", text: name[0] });
      i += name[0].length;
      continue;
    }
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth = Math.max(0, depth - 1);
    const other = /^[0-9][0-9A-Za-z_.]*/.exec(src.slice(i, i + 100));
    if (other) {
      push({ kind: "other", text: other[0] });
      i += other[0].length;
      continue;
    }
    push({ kind: "op", text: c });
    i++;
  }
  return out;
}

/** The tokens of `def upgrade(...)`'s body: from its colon to the next statement at the def's indentation. */
function upgradeBody(toks: Tok[]): Tok[] {
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.text !== "def" || t.lineIndent === undefined || toks[i + 1]?.text !== "upgrade") continue;
    const defIndent = t.lineIndent;
    let j = i + 2;
    let depth = 0;
    for (; j < toks.length; j++) {
      const x = toks[j]!.text;
      if (x === "(" || x === "[" || x === "{") depth++;
      else if (x === ")" || x === "]" || x === "}") depth--;
      else if (x === ":" && depth === 0) break;
    }
    let end = j + 1;
    while (end < toks.length && !(toks[end]!.lineIndent !== undefined && toks[end]!.lineIndent! <= defIndent)) end++;
    return toks.slice(j + 1, end);
  }
  return [];
}

/** Split the arguments of a call whose `(` is at `open`; returns them and the index after `)`. */
function callArgs(toks: Tok[], open: number): { args: Tok[][]; end: number } {
  const args: Tok[][] = [];
  let current: Tok[] = [];
  let depth = 0;
  let i = open + 1;
  for (; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind === "op" && "([{".includes(t.text)) depth++;
    if (t.kind === "op" && ")]}".includes(t.text)) {
      if (depth === 0) break;
      depth--;
    }
    if (depth === 0 && t.kind === "op" && t.text === ",") {
      args.push(current);
      current = [];
      continue;
    }
    current.push(t);
  }
  if (current.length) args.push(current);
  return { args, end: i + 1 };
}

const firstString = (arg: Tok[]): string | null => arg.find((t) => t.kind === "string")?.value ?? null;

function toOperation(name: string, rawArgs: Tok[][]): Operation {
  const op: Operation = { name, args: [], kwargs: {}, flags: {} };
  for (const arg of rawArgs) {
    if (arg.length >= 2 && arg[0]!.kind === "name" && arg[1]!.text === "=" && arg[2]?.text !== "=") {
      const value = arg.slice(2);
      op.kwargs[arg[0]!.text] = value.length === 1 && value[0]!.kind === "string" ? value[0]!.value! : firstString(value);
      if (value.length === 1 && value[0]!.kind !== "string") op.flags[arg[0]!.text] = value[0]!.text;
    } else if (arg[0]?.text !== "*") {
      op.args.push(arg.length === 1 && arg[0]!.kind === "string" ? arg[0]!.value! : firstString(arg));
    }
  }
  return op;
}

/** Every `op.X(…)` call of the upgrade body in order, and `batch_op.X(…)` calls inside `with op.batch_alter_table`. */
export function parseOperations(source: string): Operation[] {
  const body = upgradeBody(tokens(source));
  const out: Operation[] = [];
  // alias name (`batch_op`) → table of the `with op.batch_alter_table("t") as batch_op:` that bound it
  const batches = new Map<string, string | null>();
  for (let i = 0; i + 3 < body.length; i++) {
    const [a, dot, b, paren] = [body[i]!, body[i + 1]!, body[i + 2]!, body[i + 3]!];
    if (a.kind !== "name" || dot.text !== "." || b.kind !== "name" || paren.text !== "(") continue;
    if (body[i - 1]?.text === ".") continue; // `x.op.y(` is not alembic's op
    const { args, end } = callArgs(body, i + 3);
    if (a.text === "op" && b.text === "batch_alter_table") {
      const table = args[0] ? firstString(args[0]) : null;
      if (body[end]?.text === "as" && body[end + 1]?.kind === "name") batches.set(body[end + 1]!.text, table);
      out.push({ ...toOperation(b.text, args), batchTable: table });
      i = end - 1;
    } else if (a.text === "op" || batches.has(a.text)) {
      const op = toOperation(b.text, args);
      if (a.text !== "op") op.batchTable = batches.get(a.text) ?? null;
      out.push(op);
      i = end - 1;
    }
  }
  return out;
}

const qualified = (schema: string | null | undefined, ...names: (string | null | undefined)[]) =>
  [schema, ...names.map((n) => n ?? "?")].filter((x) => x !== undefined && x !== null).join(".");

type Describe = (op: Operation) => string;

// One describer per alembic operation (a dispatch table, as alembic's renderers do).
const DESCRIBE: Record<string, Describe> = {
  create_table: (o) => `create table ${qualified(o.kwargs.schema, o.args[0])}`,
  drop_table: (o) => `drop table ${qualified(o.kwargs.schema, o.args[0] ?? o.kwargs.table_name)}`,
  rename_table: (o) => `rename table ${qualified(o.kwargs.schema, o.args[0] ?? o.kwargs.old_table_name)} → ${o.args[1] ?? o.kwargs.new_table_name ?? "?"}`,
  add_column: (o) =>
    o.batchTable !== undefined
      ? `add column ${qualified(null, o.batchTable, o.args[0])}`
      : `add column ${qualified(o.kwargs.schema, o.args[0] ?? o.kwargs.table_name, o.args[1])}`,
  drop_column: (o) =>
    o.batchTable !== undefined
      ? `drop column ${qualified(null, o.batchTable, o.args[0] ?? o.kwargs.column_name)}`
      : `drop column ${qualified(o.kwargs.schema, o.args[0] ?? o.kwargs.table_name, o.args[1] ?? o.kwargs.column_name)}`,
  alter_column: (o) => {
    const [table, column] = o.batchTable !== undefined ? [o.batchTable, o.args[0] ?? o.kwargs.column_name] : [o.args[0] ?? o.kwargs.table_name, o.args[1] ?? o.kwargs.column_name];
    const where = qualified(o.batchTable !== undefined ? null : o.kwargs.schema, table, column);
    const changes: string[] = [];
    if ("type_" in o.kwargs || "type_" in o.flags) changes.push("type");
    if ("nullable" in o.flags) changes.push(o.flags.nullable === "False" ? "not null" : "nullable");
    if ("server_default" in o.kwargs || "server_default" in o.flags) changes.push("default");
    if ("new_column_name" in o.kwargs) {
      const rename = `rename column ${where} → ${o.kwargs.new_column_name ?? "?"}`;
      return changes.length ? `${rename} (${changes.join(", ")})` : rename;
    }
    return `alter column ${where}${changes.length ? ` (${changes.join(", ")})` : ""}`;
  },
  create_index: (o) => `create index ${o.args[0] ?? o.kwargs.index_name ?? "?"} on ${qualified(o.kwargs.schema, o.args[1] ?? o.kwargs.table_name ?? o.batchTable)}`,
  drop_index: (o) => `drop index ${qualified(o.kwargs.schema, o.args[0] ?? o.kwargs.index_name)}`,
  create_foreign_key: (o) => `create foreign key ${o.args[0] ?? "?"} on ${qualified(o.kwargs.source_schema, o.args[1] ?? o.batchTable)}`,
  create_unique_constraint: (o) => `create unique constraint ${o.args[0] ?? "?"} on ${qualified(o.kwargs.schema, o.args[1] ?? o.batchTable)}`,
  create_primary_key: (o) => `create primary key ${o.args[0] ?? "?"} on ${qualified(o.kwargs.schema, o.args[1] ?? o.batchTable)}`,
  create_check_constraint: (o) => `create check constraint ${o.args[0] ?? "?"} on ${qualified(o.kwargs.schema, o.args[1] ?? o.batchTable)}`,
  drop_constraint: (o) => `drop constraint ${o.args[0] ?? o.kwargs.constraint_name ?? "?"} on ${qualified(o.kwargs.schema, o.args[1] ?? o.kwargs.table_name ?? o.batchTable)}`,
  execute: () => "execute SQL",
  bulk_insert: () => "insert rows",
  batch_alter_table: () => "",
};

export function describeOperation(op: Operation): string {
  return DESCRIBE[op.name]?.(op) ?? op.name.replace(/_/g, " ");
}

/**
 * The operations of a script on one line: each once, in order (scripts that branch on the dialect repeat
 * them), at most `limit` named and the rest counted. "no operations" for an empty upgrade().
 */
export function summarizeOperations(source: string, limit = 6): string {
  const seen = new Set<string>();
  for (const op of parseOperations(source)) {
    const text = describeOperation(op);
    if (text) seen.add(text);
  }
  const all = [...seen];
  if (all.length === 0) return "no operations";
  if (all.length <= limit) return all.join("; ");
  return `${all.slice(0, limit).join("; ")}; and ${all.length - limit} more`;
}
