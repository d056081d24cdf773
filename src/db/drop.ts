// Dropping one of migrakit's own databases, whoever is still connected to it.
import type pg from "pg";
import { assertOwnDatabase, quoteIdent } from "./identifiers.js";

const OBJECT_IN_USE = "55006";

/**
 * Drop `name` if it exists: end its sessions, unmark it as a template (Postgres refuses to drop
 * templates), drop. Works on every supported Postgres (DROP … WITH (FORCE) needs 13+). A session
 * connecting between the two steps makes the drop fail with 55006; then we go round again.
 */
export async function dropOwnDatabase(client: pg.Client, name: string): Promise<void> {
  assertOwnDatabase(name);
  for (let attempt = 0; ; attempt++) {
    const { rows } = await client.query<{ is_template: boolean }>(
      "SELECT datistemplate AS is_template FROM pg_database WHERE datname = $1",
      [name],
    );
    if (rows.length === 0) return;
    if (rows[0]!.is_template)
      await client.query(`ALTER DATABASE ${quoteIdent(name)} WITH IS_TEMPLATE false ALLOW_CONNECTIONS true`);
    await client.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [name],
    );
    try {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== OBJECT_IN_USE || attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
