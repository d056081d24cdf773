// A "developer database": one a person made by hand on the test server, with rows, that migrakit must never
// touch (docs/spec.md §3b). `dump` is its schema and every row as one text, compared byte for byte.
import { withClient } from "../../src/db/connect.js";
import { schemaFingerprint } from "../../src/db/fingerprint.js";
import { withDatabase } from "../../src/db/url.js";

/** Creates database `name` on the server and runs `sql` in it (its tables and rows); returns its URL. */
export async function developerDatabase(adminUrl: string, name: string, sql: string): Promise<string> {
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(adminUrl, name);
  await withClient(url, (c) => c.query(sql));
  return url;
}

/** The schema (pg_catalog fingerprint) and every row of every table, as one text. */
export async function dump(url: string): Promise<string> {
  const schema = (await schemaFingerprint(url)).text;
  const rows = await withClient(url, async (c) => {
    const tables = await c.query<{ t: string }>(
      `SELECT format('%I.%I', table_schema, table_name) AS t FROM information_schema.tables
        WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    );
    const out: string[] = [];
    for (const { t } of tables.rows) {
      const r = await c.query<{ j: string }>(
        `SELECT coalesce(json_agg(x ORDER BY x::text), '[]')::text AS j FROM ${t} x`,
      );
      out.push(`${t} ${r.rows[0]!.j}`);
    }
    return out.join("\n");
  });
  return `${schema}\n${rows}`;
}
