// The embedded scratch server: initialised once per user, started detached, reused by later runs.
// The warm path (a server is running) reads two small files and makes one connection, no lock and no
// process start; everything else happens under the file lock so two runs starting together share one
// server: the second waits, re-reads the state the first wrote, and reuses it.
import { homedir } from "node:os";
import type pg from "pg";
import { lstat, mkdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { MigrakitError } from "../errors/index.js";
import { locateBinaries, prepareBinaries } from "./binaries.js";
import { initCluster } from "./embedded-init.js";
import { adoptRunning, embeddedUrl, probe, startServer } from "./embedded-start.js";
import { DEFAULT_LOCK_TIMEOUT_MS, withFileLock } from "./lock.js";
import { isRoot, POSTGRES_USER, postgresRunAs } from "./os-user.js";
import { defaultDataDir, sidecarPaths, type EmbeddedPaths } from "./paths.js";
import { isAlive, waitForExit } from "./pid.js";
import { joinUsers, lockOutUsers, type UserSession } from "./server-users.js";
import { connect } from "./connect.js";
import { readState, removeState, writeState } from "./state.js";

export interface EmbeddedOptions {
  env: NodeJS.ProcessEnv;
  /** The data folder; default: $MIGRAKIT_POSTGRES_DIR, else the per-user cache (see paths.ts). */
  dataDir?: string;
  /** How long to wait for another run's lock before EMIGRAKIT_LOCKED. */
  lockTimeoutMs?: number;
}

export interface EmbeddedServer {
  adminUrl: string;
  version: string;
  pid: number;
  port: number;
  dataDir: string;
  /** True when this call started the server (false: it was running already). */
  started: boolean;
}

/**
 * As root, the default cache sits in world-writable /var/tmp: a folder planted there by another user
 * could hold symlinks that make root overwrite files. Only a folder owned by root (or the server user)
 * and writable by its owner alone is used.
 */
async function checkSharedCacheFolder(paths: EmbeddedPaths): Promise<void> {
  const folder = dirname(paths.dataDir);
  await mkdir(folder, { recursive: true, mode: 0o755 });
  const info = await lstat(folder);
  const runAs = await postgresRunAs();
  const owners = [0, runAs?.uid];
  if (!info.isDirectory() || !owners.includes(info.uid) || (info.mode & 0o022) !== 0) {
    throw new MigrakitError("EMIGRAKIT_POSTGRES_START", {
      step: "use its cache folder",
      dataDir: paths.dataDir,
      logFile: paths.logFile,
      reason: `${folder} must be a folder owned by root and writable by its owner only`,
    });
  }
}

/** The paths of the embedded server for these options (cheap: no process, no lock). */
export async function embeddedPaths(opts: { env: NodeJS.ProcessEnv; dataDir?: string }): Promise<EmbeddedPaths> {
  const chosen = opts.dataDir || opts.env.MIGRAKIT_POSTGRES_DIR?.trim();
  if (chosen) return sidecarPaths(resolve(chosen));
  const bin = await locateBinaries();
  const home = opts.env.HOME || homedir();
  return sidecarPaths(
    defaultDataDir({ env: opts.env, home, major: bin.major, runAsUser: isRoot() ? POSTGRES_USER : undefined }),
  );
}

async function readPassword(paths: EmbeddedPaths): Promise<string | undefined> {
  return (await readFile(paths.passwordFile, "utf8").catch(() => undefined))?.trim();
}

/** The running server described by the state file, if it answers and is ours. */
async function reuse(paths: EmbeddedPaths): Promise<EmbeddedServer | undefined> {
  const [state, password] = await Promise.all([readState(paths.stateFile), readPassword(paths)]);
  if (!state || !password || !isAlive(state.pid)) return undefined;
  const version = await probe(state.port, password, paths.dataDir);
  if (!version) return undefined;
  return {
    adminUrl: embeddedUrl(state.port, password),
    version,
    pid: state.pid,
    port: state.port,
    dataDir: paths.dataDir,
    started: false,
  };
}

/** A running embedded server: reused when one answers, else initialised and started. */
export async function ensureEmbeddedServer(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const paths = await embeddedPaths(opts);
  // Only the default shared folder needs the check: a chosen one is the user's own.
  if (isRoot() && !opts.dataDir && !opts.env.MIGRAKIT_POSTGRES_DIR?.trim()) await checkSharedCacheFolder(paths);
  const warm = await reuse(paths);
  if (warm) return warm;
  return withFileLock(
    paths.lockFile,
    async () => {
      // Another run may have started it while we waited for the lock.
      const meanwhile = await reuse(paths);
      if (meanwhile) return meanwhile;
      const bin = await locateBinaries();
      await prepareBinaries(bin);
      const runAs = await postgresRunAs();
      const password = await initCluster({ paths, bin, runAs, env: opts.env });
      const adopted = await adoptRunning(paths, password);
      const running = adopted ?? (await startServer({ paths, bin, runAs, password, env: opts.env }));
      await writeState(paths.stateFile, {
        pid: running.pid,
        port: running.port,
        dataDir: paths.dataDir,
        version: running.version,
      });
      return {
        adminUrl: embeddedUrl(running.port, password),
        version: running.version,
        pid: running.pid,
        port: running.port,
        dataDir: paths.dataDir,
        started: !adopted,
      };
    },
    opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
  );
}

/** A server this run works on, counted among its users until `session.end()` (see server-users.ts). */
export interface JoinedServer extends EmbeddedServer {
  session: UserSession;
}

/**
 * ensureEmbeddedServer, then join its users. A stop under way refuses the join: then the start path waits
 * for it under the file lock and starts the server again.
 */
export async function joinEmbeddedServer(opts: EmbeddedOptions): Promise<JoinedServer> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const server = await ensureEmbeddedServer(opts);
    try {
      const session = await joinUsers(server.adminUrl);
      if (session) return { ...server, session };
    } catch (err) {
      last = err; // stopped between the check and the join: go round
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw (
    last ??
    new MigrakitError("EMIGRAKIT_SERVER_STOPPED", {
      dataDir: opts.dataDir ?? "(default)",
      reason: "it was being stopped each time this run tried to use it",
    })
  );
}

/** The server process of a data folder, from Postgres' own postmaster.pid, when it is alive. */
async function serverPid(paths: EmbeddedPaths): Promise<number | undefined> {
  const text = await readFile(join(paths.dataDir, "postmaster.pid"), "utf8").catch(() => undefined);
  const pid = Number(text?.split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  // A pid left in the file by a crash may since belong to another program: only signal a postgres.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => undefined);
  if (cmdline !== undefined && !cmdline.includes("postgres")) return undefined;
  return pid;
}

export interface StopOptions extends EmbeddedOptions {
  /** How long to wait for runs still using the server (ms, default 0: do not wait). */
  waitMs?: number;
  /**
   * Stop only if nobody uses it; otherwise leave it running and mark it to be stopped by its last user
   * (CI's release). Without it, a server in use is EMIGRAKIT_SERVER_IN_USE (exit 4).
   */
  ifIdle?: boolean;
}

/**
 * Stop the embedded server of this data folder (for `migrakit server stop`, CI and tests), never under a
 * run that uses it: the users' lock is taken first (server-users.ts). Then fast shutdown (SIGINT: sessions
 * are ended, no waiting for clients), escalating if it hangs. True when one was running and was stopped.
 */
export async function stopEmbeddedServer(opts: StopOptions): Promise<boolean> {
  const paths = await embeddedPaths(opts);
  return withFileLock(
    paths.lockFile,
    async () => {
      const pid = await serverPid(paths);
      const [state, password] = await Promise.all([readState(paths.stateFile), readPassword(paths)]);
      // Held (open) until the server is gone: no run can join in between.
      let guard: pg.Client | undefined;
      if (pid !== undefined && state && password) {
        guard = await connect(embeddedUrl(state.port, password), { timeoutMs: 5_000 }).catch(() => undefined); // a server that does not answer is stopped as it is
        if (guard) {
          const locked = await lockOutUsers(guard, opts.waitMs ?? 0).catch(() => ({ ok: true as const }));
          if (!locked.ok) {
            await guard.end().catch(() => {});
            if (opts.ifIdle) {
              await writeState(paths.stateFile, { ...state, stopWhenIdle: true });
              return false;
            }
            throw new MigrakitError("EMIGRAKIT_SERVER_IN_USE", {
              dataDir: paths.dataDir,
              users: locked.users.join(", ") || "another run",
            });
          }
        }
      }
      if (pid !== undefined) {
        for (const [signal, waitMs] of [
          ["SIGINT", 15_000],
          ["SIGQUIT", 5_000],
          ["SIGKILL", 5_000],
        ] as const) {
          try {
            process.kill(pid, signal);
          } catch {
            break; // gone already
          }
          if (await waitForExit(pid, waitMs)) break;
        }
      }
      await guard?.end().catch(() => {});
      await removeState(paths.stateFile);
      return pid !== undefined;
    },
    opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
  );
}
