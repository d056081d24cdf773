// A one-line summary of what a migration script does, for release notes ("rename column core.transform.version
// → v"), from the `op.*` calls the one reader of Python text finds in upgrade() (src/model/operations.ts).
// Never wrong, only terse: an operation is named only when every name it needs is a plain literal; the rest
// are counted ("2 operations on core.file", "1 more operation"), never guessed.
import { readOperations, schemaOf, type OpArg, type Operation } from "../model/operations.js";

export type { Operation } from "../model/operations.js";

/** What one operation reads as: its text, or (when a name is not a literal) the table it is known to touch. */
type Reading = { text: string } | { unreadable: true; table: string | null };

const UNKNOWN: unique symbol = Symbol("unknown");
type Name = string | typeof UNKNOWN;

/** A name argument: the literal, or UNKNOWN (missing, an f-string, a variable, an expression). */
const lit = (a: OpArg | undefined): Name => a?.string ?? UNKNOWN;

/** The table an operation works on, with its schema: positional index `at` / keyword `kw`, or the batch's. */
function tableOf(o: Operation, at: number, kw: string, schemaKw = "schema"): Name {
  if (o.batch) {
    if (o.batch.table === null || o.batch.schema === undefined) return UNKNOWN;
    return o.batch.schema ? `${o.batch.schema}.${o.batch.table}` : o.batch.table;
  }
  const table = lit(o.args[at] ?? o.kwargs[kw]);
  const schema = schemaOf(o.kwargs[schemaKw]);
  if (table === UNKNOWN || schema === undefined) return UNKNOWN;
  return schema ? `${schema}.${table}` : table;
}

/** Positional argument `i` of the call as alembic defines it: batch calls have no table argument. */
const arg = (o: Operation, i: number, kw: string): OpArg | undefined => o.args[o.batch ? i - 1 : i] ?? o.kwargs[kw];

type Describe = (o: Operation) => (Name | string)[] | null;

// One describer per alembic operation (a dispatch table, as alembic's renderers do). Each returns the parts of
// its text; any UNKNOWN part makes the operation unreadable. Batch calls drop the table argument (index 0).
/** `<what> <constraint name> on <table>`: the constraint ops that name their table second. */
const constraintOn =
  (what: string): Describe =>
  (o) => [`${what} `, lit(o.args[0] ?? o.kwargs.constraint_name), " on ", tableOf(o, 1, "table_name")];

const DESCRIBE: Record<string, Describe> = {
  create_table: (o) => ["create table ", tableOf(o, 0, "table_name")],
  drop_table: (o) => ["drop table ", tableOf(o, 0, "table_name")],
  rename_table: (o) => [
    "rename table ",
    tableOf(o, 0, "old_table_name"),
    " → ",
    lit(o.args[1] ?? o.kwargs.new_table_name),
  ],
  add_column: (o) => ["add column ", tableOf(o, 0, "table_name"), ".", arg(o, 1, "column")?.columnName ?? UNKNOWN],
  drop_column: (o) => ["drop column ", tableOf(o, 0, "table_name"), ".", lit(arg(o, 1, "column_name"))],
  alter_column: (o) => {
    const where: Name[] = [tableOf(o, 0, "table_name"), ".", lit(arg(o, 1, "column_name"))];
    const changes: string[] = [];
    if (o.kwargs.type_) changes.push("type");
    const nullable = o.kwargs.nullable?.word;
    if (nullable === "False") changes.push("not null");
    else if (nullable === "True") changes.push("nullable");
    else if (o.kwargs.nullable) return [UNKNOWN];
    if (o.kwargs.server_default) changes.push("default");
    const extra = changes.length ? ` (${changes.join(", ")})` : "";
    if (o.kwargs.new_column_name) return ["rename column ", ...where, " → ", lit(o.kwargs.new_column_name), extra];
    return ["alter column ", ...where, extra];
  },
  create_index: (o) => ["create index ", lit(o.args[0] ?? o.kwargs.index_name), " on ", tableOf(o, 1, "table_name")],
  drop_index: (o) => {
    const index = lit(o.args[0] ?? o.kwargs.index_name);
    if (o.batch) return ["drop index ", index, " on ", tableOf(o, 0, "")];
    const schema = schemaOf(o.kwargs.schema);
    return schema === undefined ? [UNKNOWN] : ["drop index ", schema ? `${schema}.` : "", index];
  },
  create_foreign_key: (o) => [
    "create foreign key ",
    lit(o.args[0] ?? o.kwargs.constraint_name),
    " on ",
    tableOf(o, 1, "source_table", "source_schema"),
  ],
  create_unique_constraint: constraintOn("create unique constraint"),
  create_primary_key: constraintOn("create primary key"),
  create_check_constraint: constraintOn("create check constraint"),
  drop_constraint: constraintOn("drop constraint"),
  execute: () => ["execute SQL"],
  bulk_insert: () => ["insert rows"],
};

/** The table an unreadable operation is still known to touch (for "N operations on <table>"). */
function knownTable(o: Operation): string | null {
  if (o.batch) {
    const t = tableOf(o, 0, "");
    return t === UNKNOWN ? null : t;
  }
  const kw =
    o.name === "create_foreign_key" ? "source_table" : o.name === "rename_table" ? "old_table_name" : "table_name";
  const at = [
    "create_index",
    "create_foreign_key",
    "create_unique_constraint",
    "create_primary_key",
    "create_check_constraint",
    "drop_constraint",
  ].includes(o.name)
    ? 1
    : 0;
  const t = tableOf(o, at, kw, o.name === "create_foreign_key" ? "source_schema" : "schema");
  return t === UNKNOWN ? null : t;
}

export function readOperation(o: Operation): Reading {
  const describe = DESCRIBE[o.name];
  // An operation this table does not know is named by alembic's own name for it (`create_table_comment`).
  if (!describe) return { text: o.name.replace(/_/g, " ") };
  const parts = describe(o);
  if (parts?.every((p) => p !== UNKNOWN)) return { text: (parts as string[]).join("") };
  return { unreadable: true, table: knownTable(o) };
}

export function describeOperation(op: Operation): string {
  const r = readOperation(op);
  return "text" in r ? r.text : r.table ? `1 operation on ${r.table}` : "1 operation";
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/**
 * The operations of a script on one line: each once, in order (scripts that branch on the dialect repeat
 * them), at most `limit` named and the rest counted. "no operations" for an empty upgrade().
 */
export function summarizeOperations(source: string, limit = 6): string {
  const seen = new Set<string>();
  const unreadable = new Map<string, number>(); // table ("" unknown) → count
  for (const op of readOperations(source)) {
    const r = readOperation(op);
    if ("text" in r) seen.add(r.text);
    else unreadable.set(r.table ?? "", (unreadable.get(r.table ?? "") ?? 0) + 1);
  }
  for (const [table, n] of unreadable) if (table) seen.add(`${count(n, "operation")} on ${table}`);
  const all = [...seen];
  const other = unreadable.get("") ?? 0;
  if (all.length === 0 && other === 0) return "no operations";
  const named = all.length <= limit ? all : all.slice(0, limit);
  const rest = all.length - named.length + other;
  if (named.length === 0) return count(other, "operation");
  return rest > 0 ? `${named.join("; ")}; and ${rest} more` : named.join("; ");
}
