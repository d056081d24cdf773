// The bridge's requests and answers as they travel (snake_case, like the Python side reads them).

/** Which package and scripts a request is about; every method but `versions` takes these. */
export interface PackageParams {
  /** The repository root (sys.path gets it when there is no import_root). */
  repo_root: string;
  /** The import name of the schema package (`lnschema_core`). */
  package: string;
  /** The alembic script location; default `{import_root or repo_root}/{package}/migrations`. */
  migrations_dir?: string;
  /** The repo's alembic.ini: env.py runs with it as `config.config_file_name`, with its options and driver. */
  config_file?: string;
  /** The version table for the built-in env.py (a repo's own env.py decides for itself). */
  version_table?: string;
  /** Import the package from here (an export of the git index), even over an editable install. */
  import_root?: string;
}

export interface UrlParams extends PackageParams {
  /** A plain `postgresql://` URL: the bridge picks the installed driver. */
  url: string;
}

export interface OfflineSqlParams extends PackageParams {
  /** Start revision (omitted: from the empty database). */
  from?: string | null;
  /** Target revision (default `head`). */
  to?: string;
  direction?: "upgrade" | "downgrade";
  /** Also answer what each script does (`recorded`, for the lint in deploy's confirmation)… */
  record?: boolean;
  /** …with the column states read from this instance (only read). */
  url?: string;
}

export interface PythonVersions {
  python: string;
  executable: string;
  implementation: string;
  alembic: string | null;
  sqlalchemy: string | null;
  sqlmodel: string | null;
  pydantic: string | null;
  psycopg2: string | null;
  psycopg: string | null;
  /** The driver the bridge will use for plain postgresql:// URLs. */
  driver: "psycopg2" | "psycopg" | null;
  protocol: number;
  /** The signal that makes the helper write its threads' stacks to stderr (newer helpers). */
  stack_dump?: string | null;
}

export interface HistoryEntry {
  revision: string;
  down_revision: string[];
  /** Absolute path of the script, as the bridge sees it. */
  path: string;
  doc: string;
}

export interface CurrentResult {
  /** The database's revision(s) after the step. */
  current: string[];
  /** With `record`: what each script did, by revision (python/migrakit_bridge/recording.py; src/lint/recorded.ts). */
  recorded?: Record<string, unknown>;
}

export interface ColumnInfo {
  type: string | null;
  nullable: boolean;
  primary_key: boolean;
  server_default: string | null;
  /** The column's place in its table (a hint for rename pairing). */
  position?: number | null;
}

export interface ForeignKeyInfo {
  name: string | null;
  columns: string[];
  referred_schema: string | null;
  referred_table: string;
  referred_columns: string[];
}

/** One difference between the ORM and the database, from alembic's autogenerate. */
export type Diff =
  | {
      kind: "add_table" | "remove_table";
      schema: string | null;
      table: string;
      columns: (ColumnInfo & { name: string })[];
      primary_key: string[];
      foreign_keys: ForeignKeyInfo[];
    }
  | ({ kind: "add_column" | "remove_column"; schema: string | null; table: string; column: string } & ColumnInfo)
  | {
      kind: "add_index" | "remove_index";
      schema: string | null;
      table: string | null;
      name: string | null;
      columns: string[];
      unique: boolean;
    }
  | {
      kind: "add_unique" | "remove_unique" | "add_constraint" | "remove_constraint";
      schema: string | null;
      table: string;
      name: string | null;
      columns: string[];
    }
  | ({ kind: "add_fk" | "remove_fk"; schema: string | null; table: string } & ForeignKeyInfo)
  | {
      kind: "alter_column";
      schema: string | null;
      table: string;
      column: string;
      existing: { type: string | null; nullable: boolean | null; server_default: string | null };
      changes: Partial<Record<"type" | "nullable" | "server_default" | "comment", { from: unknown; to: unknown }>>;
    }
  | { kind: string; [key: string]: unknown };

export interface CompareResult {
  diffs: Diff[];
  /** alembic's rendering of the body of upgrade() (indented, with its "commands auto generated" marks). */
  upgrade_ops: string;
  downgrade_ops: string;
  /** Import lines the rendered code needs (`import sqlmodel`). */
  imports: string[];
  empty: boolean;
}

export interface PackageInfo {
  file: string | null;
  version: string | null;
  migration: string | null;
  schema_id: string | null;
  own_env: boolean;
}

/** What Python reports when a request fails. */
export interface RemoteError {
  type: string;
  message: string;
  traceback: string;
  /** `error` (the repo's code), `missing_module`, `database`, or `protocol`. */
  category: string;
  /** For a ModuleNotFoundError: the module. */
  module?: string;
}
