// A second, real Postgres for the pg_dump | pg_restore path of `check --against`: the distribution's server
// whose major version equals the pg_dump on PATH (Debian: /usr/lib/postgresql/<N>/bin), in a temporary
// data folder, as the `postgres` user when the tests run as root. The embedded Postgres (newer) is then the
// scratch server the copy is restored into, like a production instance on an older server would be.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../src/db/free-port.js";
import { isRoot, postgresRunAs } from "../../src/db/os-user.js";
import { localUrl } from "../../src/db/url.js";
import { reachableTempDir } from "../helpers/postgres.js";

export interface SystemPostgres {
  adminUrl: string;
  major: number;
  stop(): void;
}

function pgDumpMajor(): number | null {
  try {
    const m = /\)\s*(\d+)/.exec(execFileSync("pg_dump", ["--version"], { encoding: "utf8" }));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The server binaries matching pg_dump, or a reason why there are none. */
export function systemServerBin(): { bin: string; major: number } | string {
  const major = pgDumpMajor();
  if (major === null) return "no pg_dump on PATH";
  const bin = `/usr/lib/postgresql/${major}/bin`;
  return existsSync(join(bin, "postgres")) ? { bin, major } : `no Postgres ${major} server in ${bin}`;
}

export async function startSystemPostgres(bin: string, major: number): Promise<SystemPostgres> {
  const dir = await reachableTempDir("migrakit-syspg-");
  const data = join(dir, "data");
  const password = "sys-" + Math.random().toString(16).slice(2);
  const pwfile = join(dir, "pw");
  writeFileSync(pwfile, password, { mode: 0o644 });
  const runAs = await postgresRunAs();
  const wrap = (cmd: string, args: string[]): [string, string[]] =>
    isRoot() && runAs ? ["runuser", ["-u", runAs.name, "--", cmd, ...args]] : [cmd, args];
  if (runAs) execFileSync("chown", ["-R", `${runAs.uid}:${runAs.gid}`, dir]);
  const exec = (cmd: string, args: string[]) => {
    const [c, a] = wrap(cmd, args);
    const r = spawnSync(c, a, { encoding: "utf8", timeout: 120_000 });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  exec(join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "--pwfile",
    pwfile,
    "--auth=scram-sha-256",
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  const port = await freePort();
  exec(join(bin, "pg_ctl"), [
    "-D",
    data,
    "-l",
    join(dir, "log"),
    "-w",
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    "start",
  ]);
  return {
    adminUrl: localUrl({ port, user: "postgres", password, database: "postgres" }),
    major,
    stop: () => {
      try {
        exec(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"]);
      } finally {
        execFileSync("rm", ["-rf", dir]);
      }
    },
  };
}
