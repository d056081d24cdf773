// Reading a real instance with node-postgres: where its version table is, the revision(s) it holds, and the
// deploy history. Read-only: plain SELECTs on one short-lived connection. Every failure is a MigrakitError
// without the URL's password (connection failures come from src/db/connect.ts).
import type pg from "pg";
import { withClient } from "../db/connect.js";
import { safeReason } from "../db/connect-error.js";
import { quoteIdent } from "../db/identifiers.js";
import { MigrakitError } from "../errors/index.js";
import { HISTORY_TABLE, historyRow, selectHistorySql, type HistoryRow } from "./history.js";
import { userOf } from "../util/redact.js";
import { describeTarget } from "./target.js";

export interface InstanceState {
  /** `host:port/database`: how the instance is named in output. */
  target: string;
  /** The version table's schema and name. */
  schema: string;
  table: string;
  /** The revisions in the version table (alembic keeps one per head; a linear history has one). */
  revisions: string[];
  /** The deploy history (empty when no deploy by migrakit happened yet). */
  history: HistoryRow[];
  /**
   * True for a database without the version table that is new to the package: no table at all, or (an
   * instance other packages' migrations manage) none of the package's own tables. Deploy brings it to head.
   */
  empty?: boolean;
  /** With `empty`: the other packages' version tables the database holds (`public.migration_core`). */
  others?: string[];
}

const INSUFFICIENT_PRIVILEGE = "42501";

/** A statement of ours failed: a missing privilege gets its own code; anything else is unexpected. */
export function instanceError(err: unknown, url: string, action: string): Error {
  if (err instanceof MigrakitError) return err;
  if ((err as { code?: string })?.code === INSUFFICIENT_PRIVILEGE) {
    return new MigrakitError("EMIGRAKIT_INSTANCE_PRIVILEGE", {
      user: userOf(url),
      target: describeTarget(url),
      action,
      reason: safeReason(err, url),
    });
  }
  const out = new Error(safeReason(err, url));
  (out as Error & { code?: unknown }).code = (err as { code?: unknown })?.code;
  return out;
}

/** The schema holding `table`: the one first on the search path, else the first by name; undefined when none. */
async function findTable(client: pg.Client, table: string): Promise<string | undefined> {
  const { rows } = await client.query<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND c.relkind IN ('r', 'p')
      ORDER BY coalesce(array_position(current_schemas(false), n.nspname), 1000), n.nspname`,
    [table],
  );
  return rows[0]?.schema;
}

async function columnsOf(client: pg.Client, schema: string, table: string): Promise<Set<string>> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
    [schema, table],
  );
  return new Set(rows.map((r) => r.name));
}

async function readHistory(client: pg.Client, schema: string): Promise<HistoryRow[]> {
  const columns = await columnsOf(client, schema, HISTORY_TABLE);
  if (!columns.size) return [];
  const { rows } = await client.query(selectHistorySql(schema, columns));
  return rows.map((r) => historyRow(r as Parameters<typeof historyRow>[0]));
}

/** Tables of the database's own (not the catalogue's, not an extension's): none means an empty instance. */
async function hasTables(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') LIMIT 1`,
  );
  return rows.length > 0;
}

/** alembic version tables (a `version_num` column) other than `versionTable`: other packages' migrations. */
async function otherVersionTables(client: pg.Client, versionTable: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'version_num' AND NOT a.attisdropped
      WHERE c.relkind IN ('r', 'p') AND c.relname <> $1 AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      ORDER BY 1`,
    [versionTable],
  );
  return rows.map((r) => r.name);
}

/** Which of `tables` (`schema.table`, or a bare name in any schema) exist. */
async function existingTables(client: pg.Client, tables: string[]): Promise<string[]> {
  const qualified = tables.filter((t) => t.includes("."));
  const bare = tables.filter((t) => !t.includes("."));
  const { rows } = await client.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND (n.nspname || '.' || c.relname = ANY($1::text[]) OR c.relname = ANY($2::text[]))`,
    [qualified, bare],
  );
  return rows.map((r) => r.name);
}

/**
 * Where the package stands on an instance. `ownTables`: the tables the package's scripts create. A database
 * without the package's version table is new to it when it has no table at all, or when other packages'
 * migrations manage it (their version tables are there: a lamin instance with core, getting a schema module)
 * and none of the package's own tables exists; any other database without it is refused (its state unknown).
 */
export async function readInstance(
  url: string,
  versionTable: string,
  ownTables: string[] = [],
): Promise<InstanceState> {
  const target = describeTarget(url);
  return withClient(url, async (client) => {
    let step = `look for the version table ${versionTable}`;
    try {
      const schema = await findTable(client, versionTable);
      if (!schema) {
        let others: string[] = [];
        if (await hasTables(client)) {
          others = ownTables.length ? await otherVersionTables(client, versionTable) : [];
          if (!others.length || (await existingTables(client, ownTables)).length)
            throw new MigrakitError("EMIGRAKIT_VERSION_TABLE_MISSING", { target, table: versionTable });
        }
        // New to the package: alembic creates the version table with the first script (in the schema env.py names).
        const { rows } = await client.query<{ s: string | null }>("SELECT current_schema() AS s");
        return {
          target,
          schema: rows[0]?.s ?? "public",
          table: versionTable,
          revisions: [],
          history: [],
          empty: true,
          ...(others.length ? { others } : {}),
        };
      }
      step = `read the version table ${schema}.${versionTable}`;
      const columns = await columnsOf(client, schema, versionTable);
      if (!columns.has("version_num")) {
        throw new MigrakitError("EMIGRAKIT_VERSION_TABLE_INVALID", {
          target,
          table: `${schema}.${versionTable}`,
          columns: [...columns].sort().join(", ") || "(none)",
        });
      }
      const { rows } = await client.query<{ v: string }>(
        `SELECT version_num AS v FROM ${quoteIdent(schema)}.${quoteIdent(versionTable)} ORDER BY 1`,
      );
      step = `read the deploy history ${schema}.${HISTORY_TABLE}`;
      const history = await readHistory(client, schema);
      return { target, schema, table: versionTable, revisions: rows.map((r) => r.v), history };
    } catch (err) {
      throw instanceError(err, url, step);
    }
  });
}
