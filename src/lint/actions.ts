// One model of "what a statement does" for the rules, whichever way it was written: an alembic op object
// (ops.ts turns recorded ops into actions) or raw SQL (sql.ts turns parsed statements into the same
// actions). The rules (rules.ts) only ever see actions, so raw SQL gets exactly the rules ops get.
import type { ColumnState } from "./recorded.js";

export interface TableName {
  schema: string | null;
  name: string;
}

export type ConstraintKind = "unique" | "primary" | "check" | "foreign";

export type Action = { line: number | null } & (
  | { kind: "create-table"; table: TableName }
  | { kind: "drop-table"; table: TableName }
  | { kind: "drop-schema"; schema: string }
  | { kind: "drop-type"; type: string }
  | { kind: "truncate"; table: TableName }
  | { kind: "rename-table"; table: TableName; to: string }
  | { kind: "rename-column"; table: TableName; column: string; to: string }
  /** volatile: the default's volatile functions; null when not known (raw SQL: a list of known ones is used). */
  | {
      kind: "add-column";
      table: TableName;
      column: string;
      notNull: boolean;
      default: string | null;
      volatile: string[];
    }
  | { kind: "drop-column"; table: TableName; column: string }
  /** from: the column as the database had it before (null: unknown, e.g. raw SQL). */
  | { kind: "alter-type"; table: TableName; column: string; from: ColumnState | null; to: string; toLabels?: string[] }
  | { kind: "set-not-null"; table: TableName; column: string; wasNullable: boolean | null }
  | { kind: "create-index"; table: TableName | null; name: string | null; unique: boolean; concurrently: boolean }
  | { kind: "drop-index"; table: TableName | null; name: string | null; concurrently: boolean }
  | {
      kind: "add-constraint";
      table: TableName;
      constraint: ConstraintKind;
      name: string | null;
      notValid: boolean;
      usingIndex: boolean;
    }
  | { kind: "transaction"; what: string }
  | { kind: "unparseable"; sql: string; error: string }
  | { kind: "unrecorded"; error: string }
);

export const tableKey = (t: TableName) => `${t.schema ?? "public"}.${t.name}`;
export const tableLabel = (t: TableName) => (t.schema ? `${t.schema}.${t.name}` : t.name);
