// One real embedded Postgres per test file: a fresh temporary data folder, stopped (and deleted) at the
// end. Each test makes its own scratch databases on it; stop() fails the file when any `migrakit_*`
// database was left behind.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient } from "../../src/db/connect.js";
import { getScratchServer } from "../../src/db/server.js";
import { stopEmbeddedServer } from "../../src/db/embedded.js";

export interface TestPostgres {
  adminUrl: string;
  dataDir: string;
  serverVersion: string;
  stop(): Promise<void>;
}

/** The `migrakit_*` databases on a server (scratch and template). */
export async function ownDatabases(adminUrl: string): Promise<string[]> {
  return withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ name: string }>("SELECT datname AS name FROM pg_database ORDER BY 1");
    return rows.map((r) => r.name).filter((n) => n.startsWith("migrakit_"));
  });
}

/** A temporary folder the server user can reach when the tests run as root (mkdtemp makes it 0700). */
export async function reachableTempDir(prefix = "migrakit-pg-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const base = await reachableTempDir();
  const dataDir = join(base, "pg");
  const env = { ...process.env, MIGRAKIT_DATABASE_URL: "" };
  const server = await getScratchServer({ database: "embedded", env, keepAlive: false, dataDir });
  return {
    adminUrl: server.adminUrl,
    dataDir,
    serverVersion: server.serverVersion,
    async stop() {
      let left: string[] = [];
      try {
        left = await ownDatabases(server.adminUrl);
      } finally {
        await server.release();
        // release() stops only a server it started; make sure, whatever happened.
        await stopEmbeddedServer({ env, dataDir });
        await rm(base, { recursive: true, force: true });
      }
      if (left.length) throw new Error(`migrakit databases left behind: ${left.join(", ")}`);
    },
  };
}
