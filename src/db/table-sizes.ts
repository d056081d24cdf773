// Row counts and on-disk sizes of an instance's tables, for the lint's lock and rewrite findings under
// `check --against` ("core.file on the instance: 4.1 M rows, 2.3 GB"). Read-only. The row count is the
// planner's estimate (pg_class.reltuples, kept by autovacuum): exact enough to tell 40 rows from 40 million,
// and free; a table never analyzed (reltuples -1) is counted.
import { withClient } from "./connect.js";
import { quoteIdent } from "./identifiers.js";

export interface TableSizeRow {
  rows: number;
  bytes: number;
}

/** By `schema.table`, every ordinary and partitioned table outside the system schemas; and the server's version. */
export async function tableSizes(url: string): Promise<{ sizes: Map<string, TableSizeRow>; serverVersion: string }> {
  return withClient(url, async (client) => {
    const version = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    const { rows } = await client.query<{ schema: string; name: string; estimate: string; bytes: string }>(
      `SELECT n.nspname AS schema, c.relname AS name, c.reltuples::bigint AS estimate, pg_total_relation_size(c.oid) AS bytes
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
    );
    const out = new Map<string, TableSizeRow>();
    for (const r of rows) {
      let count = Number(r.estimate);
      if (count < 0) {
        const exact = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${quoteIdent(r.schema)}.${quoteIdent(r.name)}`,
        );
        count = Number(exact.rows[0]!.n);
      }
      out.set(`${r.schema}.${r.name}`, { rows: count, bytes: Number(r.bytes) });
    }
    return { sizes: out, serverVersion: version };
  });
}
