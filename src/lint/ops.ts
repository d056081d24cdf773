// Recorded alembic ops → actions (actions.ts). Pure. Raw SQL in an op is handed to sql.ts by the caller.
import type { Action, TableName } from "./actions.js";
import type { RecordedOp } from "./recorded.js";
import { KNOWN_VOLATILE } from "./rules.js";

/** Offline (no catalog to ask), a default's volatile functions by name from the known list. */
const knownVolatileIn = (sql: string | null) =>
  sql ? KNOWN_VOLATILE.filter((f) => new RegExp(`\\b${f}\\s*\\(`, "i").test(sql)) : [];

const tableOf = (op: { schema?: string | null; table?: string | null }): TableName => ({
  schema: op.schema ?? null,
  name: op.table ?? "?",
});

/** The actions of one recorded op, or the SQL text to parse (for op.execute and SQL sent past alembic). */
export function opActions(op: RecordedOp): Action[] | { sql: string; params: boolean } {
  const line = op.line ?? null;
  switch (op.op) {
    case "create_table":
      return [{ line, kind: "create-table", table: tableOf(op) }];
    case "drop_table":
      return [{ line, kind: "drop-table", table: tableOf(op) }];
    case "rename_table":
      return [{ line, kind: "rename-table", table: tableOf(op), to: op.new_name }];
    case "add_column":
      return [
        {
          line,
          kind: "add-column",
          table: tableOf(op),
          column: op.column,
          notNull: !op.nullable,
          default: op.server_default,
          volatile: op.volatile ?? knownVolatileIn(op.server_default),
        },
      ];
    case "drop_column":
      return [{ line, kind: "drop-column", table: tableOf(op), column: op.column }];
    case "alter_column": {
      const out: Action[] = [];
      const table = tableOf(op);
      if (op.type)
        out.push({
          line,
          kind: "alter-type",
          table,
          column: op.column,
          from: op.before,
          to: op.type,
          ...(op.enum_labels ? { toLabels: op.enum_labels } : {}),
        });
      if (op.nullable === false && op.before?.nullable !== false)
        out.push({
          line,
          kind: "set-not-null",
          table,
          column: op.column,
          wasNullable: op.before ? op.before.nullable : null,
        });
      if (op.new_name && op.new_name !== op.column)
        out.push({ line, kind: "rename-column", table, column: op.column, to: op.new_name });
      return out;
    }
    case "create_index":
      return [
        {
          line,
          kind: "create-index",
          table: op.table ? tableOf(op) : null,
          name: op.name,
          unique: op.unique ?? false,
          concurrently: op.concurrently,
        },
      ];
    case "drop_index":
      return [
        {
          line,
          kind: "drop-index",
          table: op.table ? tableOf(op) : null,
          name: op.name,
          concurrently: op.concurrently,
        },
      ];
    case "create_unique":
    case "create_primary_key":
      // alembic's ops cannot say USING INDEX: that form is only reachable through op.execute.
      return [
        {
          line,
          kind: "add-constraint",
          table: tableOf(op),
          constraint: op.op === "create_unique" ? "unique" : "primary",
          name: op.name,
          notValid: false,
          usingIndex: false,
        },
      ];
    case "create_foreign_key":
    case "create_check":
      return [
        {
          line,
          kind: "add-constraint",
          table: tableOf(op),
          constraint: op.op === "create_check" ? "check" : "foreign",
          name: op.name,
          notValid: op.not_valid,
          usingIndex: false,
        },
      ];
    case "execute":
      if (op.sql === null)
        return [{ line, kind: "unparseable", sql: "(an SQL construct)", error: "it could not be rendered as text" }];
      return { sql: op.sql, params: false };
    case "sql":
      return { sql: op.sql, params: op.params ?? false };
    case "autocommit_block":
      return [{ line, kind: "transaction", what: "autocommit_block()" }];
    case "unknown":
      return [{ line, kind: "unrecorded", error: op.error }];
  }
}
