// A file lock shared by every migrakit process on the machine, around the embedded server's initialise /
// start / stop and its state file. A run that finds the lock taken waits (the other run is probably
// starting the very server it needs); one that waits too long gives up with EMIGRAKIT_LOCKED (exit 4).
// proper-lockfile keeps the lock fresh while held, so a crashed holder's lock turns stale after `stale` ms.
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import lockfile from "proper-lockfile";
import { MigrakitError } from "../errors/index.js";

export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;
const POLL_MS = 100;

export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  timeoutMs = DEFAULT_LOCK_TIMEOUT_MS,
): Promise<T> {
  await mkdir(dirname(lockPath), { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(lockPath, {
      lockfilePath: lockPath,
      realpath: false,
      stale: 10_000,
      retries: {
        retries: Math.max(0, Math.ceil(timeoutMs / POLL_MS)),
        factor: 1,
        minTimeout: POLL_MS,
        maxTimeout: POLL_MS,
      },
      // Compromised (our lock was taken over after a long pause): the state file write that follows is
      // still atomic, so carry on rather than crash the process from a timer, which is the default.
      onCompromised: () => {},
    });
  } catch (err) {
    if ((err as { code?: string }).code === "ELOCKED") throw new MigrakitError("EMIGRAKIT_LOCKED", { lock: lockPath });
    throw err;
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => {});
  }
}

/**
 * The lock at `lockPath` if no other process holds it, else undefined at once (the caller does without what it
 * guards). A holder that crashed loses it after `stale` ms. Returns its release.
 */
export async function tryFileLock(lockPath: string, stale = 10_000): Promise<(() => Promise<void>) | undefined> {
  await mkdir(dirname(lockPath), { recursive: true, mode: 0o700 });
  try {
    return await lockfile.lock(lockPath, {
      lockfilePath: lockPath,
      realpath: false,
      stale,
      retries: 0,
      onCompromised: () => {},
    });
  } catch (err) {
    if ((err as { code?: string }).code === "ELOCKED") return undefined;
    throw err;
  }
}
