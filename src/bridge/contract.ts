// The bridge contract, the one TypeScript description of it: every method the Python helper serves
// (python/migrakit_bridge/methods.py, its one method table) with its params and its answer, as they travel
// (snake_case, like the Python side reads them). `Bridge.request` (client.ts) takes its types from here;
// test/bridge/contract.test.ts fails when this map and the Python table name different methods.
import type { Recorded } from "../lint/recorded.js";

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
  recorded?: Recorded;
  /** `upgrade` with `compare`: the ORM compared with the database afterwards (absent when that failed). */
  compared?: CompareResult;
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

export interface ColumnDiff extends ColumnInfo {
  kind: "add_column" | "remove_column";
  schema: string | null;
  table: string;
  column: string;
}

export interface TableDiff {
  kind: "add_table" | "remove_table";
  schema: string | null;
  table: string;
  columns: (ColumnInfo & { name: string })[];
  primary_key: string[];
  foreign_keys: ForeignKeyInfo[];
}

export interface FkDiff extends ForeignKeyInfo {
  kind: "add_fk" | "remove_fk";
  schema: string | null;
  table: string;
}

/** One difference between the ORM and the database, from alembic's autogenerate (python/migrakit_bridge/diffs.py). */
export type Diff =
  | TableDiff
  | ColumnDiff
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
  | FkDiff
  | {
      kind: "alter_column";
      schema: string | null;
      table: string;
      column: string;
      existing: { type: string | null; nullable: boolean | null; server_default: string | null };
      changes: Partial<Record<"type" | "nullable" | "server_default" | "comment", { from: unknown; to: unknown }>>;
    }
  // What diffs.py passes on as alembic named it (a comment change, an op of a newer alembic).
  | { kind: string; [key: string]: unknown };

export const isColumnDiff = (d: Diff): d is ColumnDiff => d.kind === "add_column" || d.kind === "remove_column";
export const isTableDiff = (d: Diff): d is TableDiff => d.kind === "add_table" || d.kind === "remove_table";
export const isFkDiff = (d: Diff): d is FkDiff => d.kind === "add_fk" || d.kind === "remove_fk";

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

/** One frame of the repo's own code in a failure (python/migrakit_bridge/frames.py). */
export interface PythonFrame {
  /** Relative to the request's import root (`import_root`, else `repo_root`) with `/`; absolute outside it. */
  file: string;
  line: number;
  /** null for a SyntaxError's place (the file never ran). */
  function: string | null;
  /** The source line, stripped ("" when Python could not read it). */
  code: string;
}

/** What Python reports when a request fails. */
export interface RemoteError {
  type: string;
  message: string;
  /** Shown to a person as it is; what to point at is in `frames`. */
  traceback: string;
  /** `error` (the repo's code), `missing_module`, `database`, or `protocol`. */
  category: string;
  /** The repo's frames of the failure (SQLAlchemy's, alembic's, the bridge's left out), the innermost last. */
  frames: PythonFrame[];
  /** For a ModuleNotFoundError: the module. */
  module?: string;
}

/** A rename the TypeScript side decided (src/generate/renames.ts), for python/migrakit_bridge/renames.py. */
export interface RenameInstruction {
  kind: "column" | "table";
  schema: string | null;
  table?: string;
  from: string;
  to: string;
  /** A table moved to this schema (null: public). */
  to_schema?: string | null;
}

/** A NOT NULL column to add in three steps with this SQL as the value (`--backfill T.COL=SQL`). */
export interface BackfillRequest {
  schema: string | null;
  table: string;
  column: string;
  /** A SQL expression, written into the script as given (`'unknown'`, `0`, `now()`). */
  sql: string;
}

/** A NOT NULL column generate added in the safe form; `fill_in`: the script asks a person for the value. */
export interface BackfillAnswer {
  schema: string | null;
  table: string;
  column: string;
  value: string | null;
  fill_in: boolean;
}

export interface GenerateParams extends UrlParams {
  renames: RenameInstruction[];
  backfill?: BackfillRequest[];
  /** The token of the comparison the bridge kept (the answer before): apply and render on it (generate.py). */
  comparison?: string;
  /**
   * Leave out the differences that predate the change (docs/spec.md §2): `path`, the ORM as committed at HEAD
   * (an export), compared with `url` (default: this request's database) first; without `path`, the ORM of
   * this request on `url`; with neither, the ORM is HEAD's and every difference predates the change.
   */
  predating?: PredatingRequest;
}

export interface PredatingRequest {
  path?: string;
  url?: string;
}

export interface GenerateAnswer {
  /** alembic's diffs before any rename (what the renames are paired on). */
  diffs: Diff[];
  /** The instructions that matched a drop + add pair in alembic's ops. */
  applied: { kind: "column" | "table"; schema: string | null; table?: string; from: string; to: string }[];
  /** NOT NULL columns added in three steps (add nullable, backfill, SET NOT NULL). */
  backfills?: BackfillAnswer[];
  upgrade_ops: string;
  downgrade_ops: string;
  imports: string[];
  empty: boolean;
  /** A token for the comparison the bridge kept: the rename request passes it back to skip comparing again. */
  comparison?: string;
  /** True when the bridge applied and rendered on its kept comparison instead of comparing again. */
  reused?: boolean;
  /** The differences left out because they predate the change (with `predating`; else empty). */
  predating?: Diff[];
  /** Why HEAD's ORM could not be compared (then nothing was left out). */
  predating_failed?: string;
}

export interface RenderScriptParams {
  /** The repo's script.py.mako (absolute), or undefined for the built-in template. */
  template?: string;
  revision: string;
  down_revision: string | null;
  message?: string;
  upgrades: string;
  downgrades: string;
  imports: string;
}

/** The deploy's history row per committed run (deploy.py `_history`): it fills from/to/scripts/checksums/mode. */
export interface HistoryStatements {
  setup: string[];
  insert: string;
  values: Record<string, unknown>;
}

/** See python/migrakit_bridge/deploy.py `deploy`. */
export interface DeployParams extends UrlParams {
  /** Head: where the instance goes. */
  revision: string | null;
  /** The revisions the operator confirmed: an instance elsewhere once the lock is held is left alone. */
  expected_from: string[];
  lock_key: string;
  lock_wait_ms: number;
  lock_timeout_ms?: number;
  statement_timeout_ms?: number;
  retries: number;
  retry_pause_ms: number;
  history: HistoryStatements;
  /** [revision, sha256] root first, recorded with each history row. */
  checksums: [string, string | null][];
  /** Write a history row even when up to date. */
  record: boolean;
  /** Watch stdin and signals (a helper of our own that nothing else talks to). */
  interruptible: boolean;
}

/** A Postgres session as deploy.py describes one (a lock holder, a blocker). */
export interface DeploySession {
  pid: number;
  usename: string;
  application_name?: string;
  client?: string | null;
  since?: string;
  state?: string;
  query?: string;
}

export interface DeployRun {
  from: string | null;
  to: string;
  revisions: string[];
  transactional: boolean;
}

export interface DeployProgress {
  committed: DeployRun[];
  retries: { attempt: number; of: number; pause_ms: number; script: string | null; blockers: DeploySession[] }[];
  dropped_indexes: string[];
  invalid_indexes_left?: string[];
  current: string[] | null;
  waited_ms: number;
  stop_reason?: string;
}

export type DeployAnswer =
  | ({ status: "applied"; from: string[]; applied: { revision: string; path: string }[] } & DeployProgress)
  | ({ status: "up_to_date" | "changed"; from: string[]; recorded?: boolean } & DeployProgress)
  | { status: "locked"; holders: DeploySession[]; waited_ms: number }
  | ({
      status: "failed" | "stopped";
      type: string;
      message: string;
      traceback: string;
      script: string | null;
      sqlstate: string | null;
      blockers?: DeploySession[];
    } & DeployProgress);

type NoParams = Record<never, never>;

/** The method map: what each method takes and answers. */
export interface Methods {
  /** The preflight: the interpreter and its packages (answered before the method table is imported). */
  versions: { params: NoParams; result: PythonVersions };
  heads: { params: PackageParams; result: string[] };
  history: { params: PackageParams; result: HistoryEntry[] };
  upgrade: { params: UrlParams & { revision?: string; record?: boolean; compare?: boolean }; result: CurrentResult };
  downgrade: { params: UrlParams & { revision: string }; result: CurrentResult };
  /** The database's revision(s). */
  current: { params: UrlParams; result: string[] };
  stamp: { params: UrlParams & { revision: string }; result: CurrentResult };
  offline_sql: { params: OfflineSqlParams; result: { sql: string; recorded?: Recorded } };
  /** The Postgres schemas the ORM's tables live in. */
  schemas: { params: PackageParams & { url?: string }; result: string[] };
  create_all: { params: UrlParams; result: { tables: string[] } };
  compare: { params: UrlParams; result: CompareResult };
  package: { params: PackageParams; result: PackageInfo };
  /** The files this process has imported (the result cache's inputs). */
  loaded_files: { params: NoParams; result: string[] };
  generate: { params: GenerateParams; result: GenerateAnswer };
  render_script: { params: RenderScriptParams; result: { text: string; template: string } };
  deploy: { params: DeployParams; result: DeployAnswer };
}

export type Method = keyof Methods;
export type Params<M extends Method> = Methods[M]["params"];
export type Result<M extends Method> = Methods[M]["result"];

/**
 * Every method, with whether it takes package params (then the bridge's own `package` option is merged in,
 * the request's params winning). A runtime list, so the contract test can hold it against methods.py.
 */
export const METHODS = {
  versions: false,
  heads: true,
  history: true,
  upgrade: true,
  downgrade: true,
  current: true,
  stamp: true,
  offline_sql: true,
  schemas: true,
  create_all: true,
  compare: true,
  package: true,
  loaded_files: false,
  generate: true,
  render_script: false,
  deploy: true,
} as const satisfies Record<Method, boolean>;

/** What a caller sends: package params may be left to the bridge's `package` option. */
export type Sent<M extends Method> = Omit<Params<M>, keyof PackageParams> & Partial<PackageParams>;

/** The params argument of a request: optional when every field of it is. */
export type SentArgs<M extends Method> = object extends Sent<M> ? [params?: Sent<M>] : [params: Sent<M>];

/** The bridge as a stage needs it: one typed request (the real one is client.ts `Bridge`). */
export interface BridgeRequests {
  request<M extends Method>(method: M, ...params: SentArgs<M>): Promise<Result<M>>;
}
