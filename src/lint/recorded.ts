// What the bridge recorded while each script's upgrade() ran (python/migrakit_bridge/recording.py): the
// op objects as plain data, with the database state just before each op. The wire format, nothing more.

export interface ColumnState {
  /** format_type() of the column before the op, e.g. `character varying(50)`. */
  type: string;
  nullable: boolean;
  enum_labels?: string[];
}

interface Base {
  /** The script line that called the op (null when it ran from a helper outside the script). */
  line?: number | null;
  schema?: string | null;
  table?: string | null;
}

export type RecordedOp =
  | (Base & { op: "create_table" | "drop_table" })
  | (Base & { op: "rename_table"; new_name: string })
  | (Base & {
      op: "add_column";
      column: string;
      type: string | null;
      nullable: boolean;
      server_default: string | null;
      volatile: string[] | null;
    })
  | (Base & { op: "drop_column"; column: string })
  | (Base & {
      op: "alter_column";
      column: string;
      before: ColumnState | null;
      new_name?: string;
      type?: string | null;
      enum_labels?: string[];
      nullable?: boolean;
      server_default?: string | null;
    })
  | (Base & { op: "create_index" | "drop_index"; name: string | null; unique?: boolean; concurrently: boolean })
  | (Base & { op: "create_unique" | "create_primary_key"; name: string | null; columns: string[] })
  | (Base & { op: "create_foreign_key" | "create_check"; name: string | null; not_valid: boolean })
  /** op.execute: the SQL text (null when a construct could not be rendered). */
  | (Base & { op: "execute"; sql: string | null })
  /** SQL the script sent past alembic (op.get_bind().execute): the driver's text, with `%(name)s` placeholders when `params`. */
  | (Base & { op: "sql"; sql: string; params?: boolean })
  | (Base & { op: "autocommit_block" })
  /** The recorder could not describe an op (its error): reported, never skipped. */
  | (Base & { op: "unknown"; error: string });

export interface RecordedScript {
  /** The script's path as alembic loaded it. */
  path: string;
  /** false when the script says `migrakit_transaction = False`. */
  transactional: boolean;
  ops: RecordedOp[];
}

/** By revision. */
export type Recorded = Record<string, RecordedScript>;
