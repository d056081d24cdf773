// Start the embedded server detached, so it outlives this run and the next run answers at once.
// It listens on 127.0.0.1 only, with unix sockets disabled (`-k ''`): nothing needs a socket folder,
// which would have to be writable by the server user and short enough for the socket path limit.
import { spawn } from "node:child_process";
import { open, readFile, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { MigrakitError } from "../errors/index.js";
import type { PostgresBinaries } from "./binaries.js";
import { connect } from "./connect.js";
import { serverEnv, SUPERUSER } from "./embedded-init.js";
import { freePort } from "./free-port.js";
import { logTail } from "./log-tail.js";
import type { RunAs } from "./os-user.js";
import type { EmbeddedPaths } from "./paths.js";
import { isAlive } from "./pid.js";
import { localUrl } from "./url.js";

const START_TIMEOUT_MS = 30_000;
const PORT_ATTEMPTS = 3;

// Scratch data only: durability settings off make CREATE DATABASE and migrations several times faster.
const SPEED_FLAGS = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"];

export interface Running {
  pid: number;
  port: number;
  version: string;
}

/** The admin URL of the embedded server on `port`. */
export function embeddedUrl(port: number, password: string, database = "postgres"): string {
  return localUrl({ port, user: SUPERUSER, password, database });
}

/**
 * Is our server answering on `port`? Connects and asks for its data folder, so a foreign server that
 * happens to hold the port is not taken for ours. Returns its version, or undefined.
 */
export async function probe(
  port: number,
  password: string,
  dataDir: string,
  timeoutMs = 2_000,
): Promise<string | undefined> {
  try {
    const client = await connect(embeddedUrl(port, password), { timeoutMs });
    try {
      const { rows } = await client.query<{ dir: string; version: string }>(
        "SELECT current_setting('data_directory') AS dir, current_setting('server_version') AS version",
      );
      return rows[0] && resolve(rows[0].dir) === resolve(dataDir) ? rows[0].version : undefined;
    } finally {
      await client.end().catch(() => {});
    }
  } catch {
    return undefined;
  }
}

/**
 * A server already running on this data folder without our state file (the file was lost, or a run
 * died between start and write): Postgres' own postmaster.pid names its pid and port.
 */
export async function adoptRunning(paths: EmbeddedPaths, password: string): Promise<Running | undefined> {
  const text = await readFile(join(paths.dataDir, "postmaster.pid"), "utf8").catch(() => undefined);
  if (!text) return undefined;
  const lines = text.split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !isAlive(pid)) {
    // Left by a crash. Postgres would remove it itself, unless the pid was reused by another process.
    await rm(join(paths.dataDir, "postmaster.pid"), { force: true });
    return undefined;
  }
  const version = Number.isInteger(port) ? await probe(port, password, paths.dataDir) : undefined;
  return version ? { pid, port, version } : undefined;
}

/** Start the server on a free port and wait until it accepts connections. Call under the lock. */
export async function startServer(opts: {
  paths: EmbeddedPaths;
  bin: PostgresBinaries;
  runAs: RunAs | undefined;
  password: string;
  env: NodeJS.ProcessEnv;
}): Promise<Running> {
  let lastError: MigrakitError | undefined;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    const outcome = await startOnce(opts, port);
    if ("pid" in outcome) return outcome;
    lastError = outcome.error;
    if (!outcome.portTaken) break;
  }
  throw lastError!;
}

async function startOnce(
  opts: {
    paths: EmbeddedPaths;
    bin: PostgresBinaries;
    runAs: RunAs | undefined;
    password: string;
    env: NodeJS.ProcessEnv;
  },
  port: number,
): Promise<Running | { error: MigrakitError; portTaken: boolean }> {
  const { paths, bin, runAs } = opts;
  const log = await open(paths.logFile, "w", 0o644);
  const args = ["-D", paths.dataDir, "-p", String(port), "-h", "127.0.0.1", "-k", "", ...SPEED_FLAGS];
  const child = spawn(bin.postgres, args, {
    cwd: dirname(paths.dataDir),
    env: serverEnv(opts.env),
    // Its own process group, no pipes to us: it keeps running after this run exits.
    detached: true,
    stdio: ["ignore", log.fd, log.fd],
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  });
  await log.close();
  let exited: string | undefined;
  child.on("exit", (code, signal) => (exited = signal ? `it was killed by ${signal}` : `it exited with code ${code}`));
  child.on("error", (err) => (exited = err.message));
  child.unref();

  const failure = async (reason: string) => {
    const text = await readFile(paths.logFile, "utf8").catch(() => "");
    const error = new MigrakitError("EMIGRAKIT_POSTGRES_START", {
      dataDir: paths.dataDir,
      logFile: paths.logFile,
      reason: `${reason} (port ${port})`,
      log: logTail(text),
    });
    return {
      error,
      portTaken: /could not bind|address already in use|could not create any TCP\/IP sockets/i.test(text),
    };
  };

  const until = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < until) {
    if (exited) return failure(exited);
    const version = await probe(port, opts.password, paths.dataDir, 1_000);
    if (version) return { pid: child.pid!, port, version };
    if (exited) return failure(exited);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (child.pid) process.kill(child.pid, "SIGQUIT");
  return failure(`it did not accept connections within ${START_TIMEOUT_MS / 1000} s`);
}
