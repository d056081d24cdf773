// Who uses the embedded server right now. Every run that works on it holds one session with a *shared*
// advisory lock for as long as it runs; stopping takes the same lock *exclusively*, so it cannot happen
// under a run (Postgres itself counts the users, and a run that crashed lets go with its connection).
// While a stop waits for the exclusive lock, Postgres queues new shared requests behind it: a run arriving
// then fails its try-lock, falls back to the start path under the file lock (which the stop holds), and
// starts the server again once the stop is done.
import type pg from "pg";
import { connect } from "./connect.js";

/** The lock's two keys ("mk", "us"): only migrakit uses its embedded server, so any fixed pair is ours. */
const KEYS = [0x6d6b, 0x7573] as const;
const LOCK_NOT_AVAILABLE = "55P03";

export interface UserSession {
  /** Why the session ended by itself (the server stopped or was killed), or undefined while it lasts. */
  lost(): string | undefined;
  end(): Promise<void>;
}

/** A label other runs can read in pg_stat_activity (who to wait for). */
export function userLabel(pid = process.pid, argv = process.argv.slice(2)): string {
  const command =
    argv
      .filter((a) => !a.startsWith("-"))
      .slice(0, 2)
      .join(" ") || "run";
  return `migrakit ${command} (pid ${pid})`.slice(0, 63);
}

/**
 * Join the server's users: one session holding the shared lock. Undefined when a stop holds or waits for
 * the exclusive lock (the caller goes the start path, which waits for that stop to finish).
 */
export async function joinUsers(adminUrl: string): Promise<UserSession | undefined> {
  const client = await connect(adminUrl, { timeoutMs: 5_000 });
  let lost: string | undefined;
  let ending = false;
  const onGone = (reason: string) => {
    if (!ending) lost ??= reason;
  };
  client.on("error", (err) => onGone((err as Error).message || "the connection failed"));
  client.on("end", () => onGone("the server closed the connection"));
  try {
    await client.query("SELECT set_config('application_name', $1, false)", [userLabel()]);
    const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock_shared($1, $2) AS ok", [...KEYS]);
    if (!rows[0]?.ok) {
      ending = true;
      await client.end().catch(() => {});
      return undefined;
    }
  } catch (err) {
    ending = true;
    await client.end().catch(() => {});
    throw err;
  }
  // The idle session must not keep the process alive on its own; ending it must (or the end is never seen).
  const stream = (client as unknown as { connection?: { stream?: { ref?: () => void; unref?: () => void } } })
    .connection?.stream;
  stream?.unref?.();
  return {
    lost: () => lost,
    end: async () => {
      ending = true;
      stream?.ref?.();
      await client.end().catch(() => {});
    },
  };
}

/** The other runs holding the shared lock, by their labels. */
export async function currentUsers(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ label: string }>(
    `SELECT coalesce(nullif(a.application_name, ''), 'pid ' || a.pid) AS label
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = $2 AND l.granted AND l.mode = 'ShareLock'
        AND l.pid <> pg_backend_pid()
      ORDER BY a.backend_start`,
    [...KEYS],
  );
  return rows.map((r) => r.label);
}

/**
 * Take the exclusive lock, waiting up to `waitMs` for the runs using the server to finish. Holding it (on
 * `client`, which the stop leaves open until the server is gone) no run can join. Returns the users that
 * were still there when the wait ran out instead.
 */
export async function lockOutUsers(
  client: pg.Client,
  waitMs: number,
): Promise<{ ok: true } | { ok: false; users: string[] }> {
  if (waitMs <= 0) {
    const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS ok", [...KEYS]);
    return rows[0]?.ok ? { ok: true } : { ok: false, users: await currentUsers(client) };
  }
  await client.query(`SET lock_timeout = ${Math.ceil(waitMs)}`);
  try {
    await client.query("SELECT pg_advisory_lock($1, $2)", [...KEYS]);
    return { ok: true };
  } catch (err) {
    if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw err;
    return { ok: false, users: await currentUsers(client) };
  }
}
