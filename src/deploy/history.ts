// The deploy history kept in the instance itself: one row per committed run of a deploy, in
// `migrakit_deploy_history` next to the version table (same schema). It answers "who deployed what, when,
// with which migrakit", records each applied script's content hash (how a released script edited after it
// was applied is noticed), and is how `status`/`deploy` name the package version an instance runs when it is
// ahead of the installed package. The statements are built here (pure) and run by the bridge inside each
// run's own transaction, so a run and its record commit together or not at all. Columns added over time are
// added to older tables with ADD COLUMN IF NOT EXISTS; rows written before have NULL there.
import type { HistoryStatements } from "../bridge/contract.js";
import { quoteIdent } from "../db/identifiers.js";

export const HISTORY_TABLE = "migrakit_deploy_history";
/** The advisory lock every deploy to a database takes (hashed by Postgres' hashtext). */
export const DEPLOY_LOCK_KEY = "migrakit deploy";

export interface HistoryRecord {
  package: string;
  /** The package's `__version__` deployed. */
  version: string | null;
  /** The operator: OS user and host name of the machine that ran the deploy. */
  deployedBy: string;
  migrakitVersion: string;
  /** Revisions whose changed text the operator accepted (`--accept-changed`). */
  acceptedChanged: string[];
  /** Unreleased revisions deployed with `--allow-unreleased`. */
  unreleased: string[];
}

export function historyTable(schema: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(HISTORY_TABLE)}`;
}

/** Columns after the first version of the table, in the order they were introduced. */
const ADDED_COLUMNS = ["checksums text", "accepted_changed text", "unreleased text", "mode text"];

export function historyStatements(schema: string, r: HistoryRecord): HistoryStatements {
  const table = historyTable(schema);
  return {
    setup: [
      `CREATE TABLE IF NOT EXISTS ${table} (` +
        "id bigserial PRIMARY KEY, deployed_at timestamptz NOT NULL DEFAULT now(), package text NOT NULL, " +
        "version text, from_revision text, revision text NOT NULL, scripts text NOT NULL, deployed_by text NOT NULL, " +
        "db_user text NOT NULL DEFAULT current_user, migrakit_version text NOT NULL)",
      `ALTER TABLE ${table} ${ADDED_COLUMNS.map((c) => `ADD COLUMN IF NOT EXISTS ${c}`).join(", ")}`,
    ],
    insert:
      `INSERT INTO ${table} (package, version, from_revision, revision, scripts, deployed_by, migrakit_version, checksums, accepted_changed, unreleased, mode) ` +
      "VALUES (:package, :version, :from_revision, :revision, :scripts, :deployed_by, :migrakit_version, :checksums, :accepted_changed, :unreleased, :mode)",
    values: {
      package: r.package,
      version: r.version,
      deployed_by: r.deployedBy,
      migrakit_version: r.migrakitVersion,
      accepted_changed: r.acceptedChanged.length ? r.acceptedChanged.join(" ") : null,
      unreleased: r.unreleased.length ? r.unreleased.join(" ") : null,
    },
  };
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
  /** revision → sha256 of every script from the root to `revision` (null: a row from before checksums). */
  checksums: Record<string, string> | null;
  acceptedChanged: string[];
  unreleased: string[];
  mode: string | null;
}

/** The SELECT for a table that has `columns` (older tables lack the added ones). */
export function selectHistorySql(schema: string, columns: Set<string>): string {
  const opt = (name: string, as: string) => (columns.has(name) ? `${name} AS "${as}"` : `NULL AS "${as}"`);
  return (
    `SELECT deployed_at::text AS "deployedAt", package, version, from_revision AS "fromRevision", revision, scripts, ` +
    `deployed_by AS "deployedBy", db_user AS "dbUser", migrakit_version AS "migrakitVersion", ` +
    `${opt("checksums", "checksums")}, ${opt("accepted_changed", "acceptedChanged")}, ${opt("unreleased", "unreleased")}, ${opt("mode", "mode")} ` +
    `FROM ${historyTable(schema)} ORDER BY id`
  );
}

type RawRow = Omit<HistoryRow, "scripts" | "checksums" | "acceptedChanged" | "unreleased"> & {
  scripts: string;
  checksums: string | null;
  acceptedChanged: string | null;
  unreleased: string | null;
};

const words = (s: string | null) => (s ? s.split(" ").filter(Boolean) : []);

export function historyRow(r: RawRow): HistoryRow {
  let checksums: Record<string, string> | null = null;
  try {
    checksums = r.checksums ? (JSON.parse(r.checksums) as Record<string, string>) : null;
  } catch {
    checksums = null;
  }
  return {
    ...r,
    scripts: words(r.scripts),
    checksums,
    acceptedChanged: words(r.acceptedChanged),
    unreleased: words(r.unreleased),
  };
}

/** The package version that last deployed `revision` (how an instance ahead of the package is named). */
export function versionOfRevision(rows: HistoryRow[], revision: string): string | null {
  for (let i = rows.length - 1; i >= 0; i--)
    if (rows[i]!.revision === revision && rows[i]!.version) return rows[i]!.version;
  return null;
}

/** The hashes recorded for the applied scripts: the newest row that has them (null: none recorded yet). */
export function recordedChecksums(rows: HistoryRow[]): Record<string, string> | null {
  for (let i = rows.length - 1; i >= 0; i--) if (rows[i]!.checksums) return rows[i]!.checksums;
  return null;
}
