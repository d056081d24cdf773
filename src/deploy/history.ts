// The deploy history kept in the instance itself: one row per deploy, in `migrakit_deploy_history` next to
// the version table (same schema). It answers "who deployed what, when, with which migrakit", and it is how
// `status`/`deploy` name the package version an instance runs when it is ahead of the installed package.
// The statements are built here (pure) and run by the bridge inside the deploy's own transaction, so a
// deploy and its record commit together or not at all.
import { quoteIdent } from "../db/identifiers.js";

export const HISTORY_TABLE = "migrakit_deploy_history";
/** The advisory lock every deploy to a database takes (hashed by Postgres' hashtext). */
export const DEPLOY_LOCK_KEY = "migrakit deploy";

export interface HistoryRecord {
  package: string;
  /** The package's `__version__` deployed. */
  version: string | null;
  fromRevision: string | null;
  revision: string;
  /** The revisions applied, in order. */
  scripts: string[];
  /** The operator: OS user and host name of the machine that ran the deploy. */
  deployedBy: string;
  migrakitVersion: string;
}

export interface Statement {
  sql: string;
  values?: Record<string, unknown>;
}

export function historyTable(schema: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(HISTORY_TABLE)}`;
}

/** CREATE TABLE IF NOT EXISTS, then INSERT: for the bridge (SQLAlchemy `text()` with :named values). */
export function historyStatements(schema: string, r: HistoryRecord): Statement[] {
  const table = historyTable(schema);
  return [
    {
      sql:
        `CREATE TABLE IF NOT EXISTS ${table} (` +
        "id bigserial PRIMARY KEY, deployed_at timestamptz NOT NULL DEFAULT now(), package text NOT NULL, " +
        "version text, from_revision text, revision text NOT NULL, scripts text NOT NULL, deployed_by text NOT NULL, " +
        "db_user text NOT NULL DEFAULT current_user, migrakit_version text NOT NULL)",
    },
    {
      sql:
        `INSERT INTO ${table} (package, version, from_revision, revision, scripts, deployed_by, migrakit_version) ` +
        "VALUES (:package, :version, :from_revision, :revision, :scripts, :deployed_by, :migrakit_version)",
      values: {
        package: r.package,
        version: r.version,
        from_revision: r.fromRevision,
        revision: r.revision,
        scripts: r.scripts.join(" "),
        deployed_by: r.deployedBy,
        migrakit_version: r.migrakitVersion,
      },
    },
  ];
}

/** The row read back (node-postgres, $1 parameters). */
export interface HistoryRow {
  deployedAt: string;
  package: string;
  version: string | null;
  fromRevision: string | null;
  revision: string;
  scripts: string[];
  deployedBy: string;
  dbUser: string;
  migrakitVersion: string;
}

export function selectHistorySql(schema: string): string {
  return (
    `SELECT deployed_at::text AS "deployedAt", package, version, from_revision AS "fromRevision", revision, scripts, ` +
    `deployed_by AS "deployedBy", db_user AS "dbUser", migrakit_version AS "migrakitVersion" FROM ${historyTable(schema)} ORDER BY id`
  );
}

/** The package version that last deployed `revision` (how an instance ahead of the package is named). */
export function versionOfRevision(rows: HistoryRow[], revision: string): string | null {
  for (let i = rows.length - 1; i >= 0; i--) if (rows[i]!.revision === revision && rows[i]!.version) return rows[i]!.version;
  return null;
}
