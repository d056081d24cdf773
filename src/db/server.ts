// The scratch server a run works on: the embedded one (default) or any Postgres URL, where migrakit
// only creates, uses and drops its own databases.
import { MigrakitError } from "../errors/index.js";
import { isCI } from "../util/ci.js";
import { redactUrl } from "../util/redact.js";
import { withClient } from "./connect.js";
import { embeddedPaths, joinEmbeddedServer, stopEmbeddedServer } from "./embedded.js";
import { readState } from "./state.js";
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
  /**
   * Done with the server. With keepAlive off, the embedded one is stopped when this run started it (or a
   * run that did asked its last user to) and no other run uses it; else the last of those stops it.
   */
  release(): Promise<void>;
  /** EMIGRAKIT_SERVER_STOPPED when the embedded server went away under this run (what failed is its echo). */
  lostError(): MigrakitError | undefined;
}

// CI=true (GitHub Actions, GitLab, …) or CI=1: nothing should outlive the job. One definition for all (src/util/ci.ts).
export { isCI };

export async function getScratchServer(opts: ScratchServerOptions): Promise<ScratchServer> {
  const database = opts.env.MIGRAKIT_DATABASE_URL?.trim() || opts.database;
  if (database === "embedded") {
    const keepAlive = opts.keepAlive ?? !isCI(opts.env);
    const server = await joinEmbeddedServer({
      env: opts.env,
      dataDir: opts.dataDir,
      lockTimeoutMs: opts.lockTimeoutMs,
    });
    let released = false;
    return {
      kind: "embedded",
      adminUrl: server.adminUrl,
      serverVersion: server.version,
      release: async () => {
        if (released) return;
        released = true;
        const lost = server.session.lost();
        await server.session.end();
        if (keepAlive || lost) return;
        const stopWhenIdle =
          server.started ||
          (await readState((await embeddedPaths({ env: opts.env, dataDir: server.dataDir })).stateFile))?.stopWhenIdle;
        if (stopWhenIdle)
          await stopEmbeddedServer({
            env: opts.env,
            dataDir: server.dataDir,
            lockTimeoutMs: opts.lockTimeoutMs,
            ifIdle: true,
          });
      },
      lostError: () => {
        const reason = server.session.lost();
        return reason === undefined
          ? undefined
          : new MigrakitError("EMIGRAKIT_SERVER_STOPPED", { dataDir: server.dataDir, reason });
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
  const serverVersion = await withClient(
    adminUrl,
    async (client) => (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v,
    {
      timeoutMs: 10_000,
    },
  );
  return { kind: "url", adminUrl, serverVersion, release: async () => {}, lostError: () => undefined };
}
