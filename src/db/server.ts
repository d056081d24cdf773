// The scratch server a run works on: the embedded one (default) or any Postgres URL, where migrakit
// only creates, uses and drops its own databases.
import { MigrakitError } from "../errors/index.js";
import { isCI } from "../util/ci.js";
import { redactUrl } from "../util/redact.js";
import { withClient } from "./connect.js";
import { ensureEmbeddedServer, stopEmbeddedServer } from "./embedded.js";
import { isPostgresUrl, plainUrl } from "./url.js";

export interface ScratchServerOptions {
  /** "embedded" or a Postgres URL (config `database`); MIGRAKIT_DATABASE_URL in `env` overrides it. */
  database: string;
  env: NodeJS.ProcessEnv;
  /** Leave the embedded server running for the next run (default: yes, except when CI is set). */
  keepAlive?: boolean;
  /** The embedded server's data folder (default: the per-user cache). */
  dataDir?: string;
  /** How long to wait for another run holding the embedded server's lock (ms). */
  lockTimeoutMs?: number;
}

export interface ScratchServer {
  kind: "embedded" | "url";
  /** Where scratch databases are created from (a maintenance database such as `postgres`). */
  adminUrl: string;
  serverVersion: string;
  /** Done with the server: stops the embedded one when this run started it and keepAlive is off. */
  release(): Promise<void>;
}

// CI=true (GitHub Actions, GitLab, …) or CI=1: nothing should outlive the job. One definition for all (src/util/ci.ts).
export { isCI };

export async function getScratchServer(opts: ScratchServerOptions): Promise<ScratchServer> {
  const database = opts.env.MIGRAKIT_DATABASE_URL?.trim() || opts.database;
  if (database === "embedded") {
    const keepAlive = opts.keepAlive ?? !isCI(opts.env);
    const server = await ensureEmbeddedServer({ env: opts.env, dataDir: opts.dataDir, lockTimeoutMs: opts.lockTimeoutMs });
    let released = false;
    return {
      kind: "embedded",
      adminUrl: server.adminUrl,
      serverVersion: server.version,
      release: async () => {
        if (released) return;
        released = true;
        if (!keepAlive && server.started) await stopEmbeddedServer({ env: opts.env, dataDir: server.dataDir, lockTimeoutMs: opts.lockTimeoutMs });
      },
    };
  }
  if (!isPostgresUrl(database)) {
    throw new MigrakitError("EMIGRAKIT_CONFIG_INVALID", {
      source: opts.env.MIGRAKIT_DATABASE_URL?.trim() ? "MIGRAKIT_DATABASE_URL" : "configuration",
      key: "database",
      value: JSON.stringify(redactUrl(database)),
      expected: '"embedded" or a postgres:// URL',
    });
  }
  const adminUrl = plainUrl(database);
  const serverVersion = await withClient(adminUrl, async (client) => (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v, {
    timeoutMs: 10_000,
  });
  return { kind: "url", adminUrl, serverVersion, release: async () => {} };
}
