// A throw-away copy of a real instance for `check --against`. The original is only ever read.
// 1. `CREATE DATABASE migrakit_… TEMPLATE <instance>` on the instance's own server: a file-level copy, fast,
//    but Postgres allows it only when nobody else is connected to the instance and the role may create
//    databases. Not tried with a row limit (a template copies everything).
// 2. Otherwise `pg_dump | pg_restore` into a scratch database on migrakit's scratch server (config
//    `database`, the embedded one by default), so the instance's server needs no CREATEDB at all. With a row
//    limit: the schema without constraints, then at most N rows per table (psql \copy), then the
//    constraints, foreign keys as NOT VALID (a sample of rows does not satisfy them).
// Client programs get the connection through PG* environment variables, never on their command line.
import { spawn } from "node:child_process";
import { createScratchDatabase, type ScratchDatabase } from "../db/scratch.js";
import { withClient } from "../db/connect.js";
import { safeReason } from "../db/connect-error.js";
import { databaseOf, plainUrl, withDatabase } from "../db/url.js";
import { quoteIdent } from "../db/identifiers.js";
import { MigrakitError, isMigrakitError } from "../errors/index.js";
import { describeTarget } from "./target.js";

export interface InstanceCopy extends ScratchDatabase {
  how: "template" | "dump";
  /** Why the template copy was not used (for the report), when it was not. */
  fallback?: string;
}

export interface CloneOptions {
  url: string;
  /** The scratch server's admin URL for the dump path (asked only when needed). */
  scratchAdminUrl: () => Promise<string>;
  rowLimit?: number;
  env: NodeJS.ProcessEnv;
}

/** PG* variables for client programs: the URL's parts, password included, out of argv. */
export function pgEnv(url: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const u = new URL(plainUrl(url));
  const out: NodeJS.ProcessEnv = {
    ...env,
    PGHOST: u.hostname || "localhost",
    PGPORT: u.port || "5432",
    PGDATABASE: databaseOf(url),
  };
  if (u.username) out.PGUSER = decodeURIComponent(u.username);
  if (u.password) out.PGPASSWORD = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get("sslmode");
  if (sslmode) out.PGSSLMODE = sslmode;
  delete out.PGSERVICE;
  return out;
}

async function tryTemplate(url: string): Promise<InstanceCopy | string> {
  try {
    const db = await createScratchDatabase(withDatabase(url, "postgres"), { template: databaseOf(url) });
    return { ...db, how: "template" };
  } catch (err) {
    return isMigrakitError(err) ? `${err.code}: ${err.message}` : safeReason(err, url);
  }
}

interface Run {
  code: number | null;
  stderr: string;
}

function collect(child: ReturnType<typeof spawn>, password: string): Promise<Run> {
  return new Promise((resolve) => {
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    child.on("error", (e) => resolve({ code: -1, stderr: String(e.message) }));
    child.on("close", (code) =>
      resolve({ code, stderr: password.length >= 3 ? stderr.split(password).join("***") : stderr }),
    );
  });
}

/** `a | b` with both exit statuses; stdout of `b` is discarded (or kept when asked). */
async function pipe(
  a: { cmd: string; args: string[]; env: NodeJS.ProcessEnv },
  b: { cmd: string; args: string[]; env: NodeJS.ProcessEnv },
  password: string,
) {
  const left = spawn(a.cmd, a.args, { env: a.env, stdio: ["ignore", "pipe", "pipe"] });
  const right = spawn(b.cmd, b.args, { env: b.env, stdio: ["pipe", "ignore", "pipe"] });
  left.stdout!.pipe(right.stdin!);
  right.stdin!.on("error", () => {});
  const [l, r] = await Promise.all([collect(left, password), collect(right, password)]);
  return { left: l, right: r };
}

async function output(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  password: string,
  input?: string,
): Promise<Run & { stdout: string }> {
  const child = spawn(cmd, args, { env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stdin!.on("error", () => {});
  child.stdin!.end(input ?? "");
  const run = await collect(child, password);
  return { ...run, stdout };
}

/** The major version of a client program (`pg_dump (PostgreSQL) 15.18` → 15), or null when it is missing. */
async function clientMajor(program: string, env: NodeJS.ProcessEnv): Promise<number | null> {
  const r = await output(program, ["--version"], env, "");
  const m = /\)\s*(\d+)/.exec(r.stdout);
  return r.code === 0 && m ? Number(m[1]) : null;
}

/** Foreign keys of a post-data script made NOT VALID (pure): rows sampled per table cannot satisfy them. */
export function foreignKeysNotValid(sql: string): string {
  return sql.replace(/(ADD CONSTRAINT [^;]*?FOREIGN KEY[^;]*?)(\s+NOT VALID)?;/g, "$1 NOT VALID;");
}

async function dumpRestore(o: CloneOptions, fallback: string | undefined): Promise<InstanceCopy> {
  const target = describeTarget(o.url);
  const password = decodeURIComponent(new URL(plainUrl(o.url)).password);
  const fail = (reason: string) =>
    new MigrakitError("EMIGRAKIT_CLONE_FAILED", {
      target,
      how: fallback ? `pg_dump | pg_restore, after the template copy failed: ${fallback}` : "pg_dump | pg_restore",
      reason: oneLine(reason),
    });
  const serverMajor = await withClient(o.url, async (c) =>
    Math.floor(
      Number((await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v) / 10000,
    ),
  );
  for (const program of ["pg_dump", "pg_restore", "psql"]) {
    const major = await clientMajor(program, o.env);
    if (major === null) throw fail(`${program} was not found on PATH`);
    if (program === "pg_dump" && major < serverMajor)
      throw fail(`pg_dump ${major} cannot dump a Postgres ${serverMajor} server (it must be at least as new)`);
  }
  const adminUrl = await o.scratchAdminUrl();
  const copy = await createScratchDatabase(adminUrl);
  try {
    const src = pgEnv(o.url, o.env);
    const dst = pgEnv(copy.url, o.env);
    const dumpArgs = ["--format=custom", "--no-owner", "--no-privileges"];
    const restoreArgs = ["--no-owner", "--no-privileges", "--exit-on-error", "--dbname", databaseOf(copy.url)];
    const step = async (dumpExtra: string[], restoreExtra: string[]) => {
      const r = await pipe(
        { cmd: "pg_dump", args: [...dumpArgs, ...dumpExtra], env: src },
        { cmd: "pg_restore", args: [...restoreArgs, ...restoreExtra], env: dst },
        password,
      );
      if (r.left.code !== 0) throw fail(`pg_dump: ${r.left.stderr.trim()}`);
      if (r.right.code !== 0) throw fail(`pg_restore: ${r.right.stderr.trim()}`);
    };
    if (!o.rowLimit) {
      await step([], []);
    } else {
      await step(["--schema-only"], ["--section=pre-data"]);
      await copyRows(o, src, dst, password, fail);
      const post = await output(
        "sh",
        [
          "-c",
          "pg_dump --format=custom --schema-only --no-owner --no-privileges | pg_restore --section=post-data --no-owner --no-privileges -f -",
        ],
        src,
        password,
      );
      if (post.code !== 0) throw fail(`pg_dump/pg_restore (post-data): ${post.stderr.trim()}`);
      const apply = await output(
        "psql",
        ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"],
        dst,
        password,
        foreignKeysNotValid(post.stdout),
      );
      if (apply.code !== 0) throw fail(`psql (constraints): ${apply.stderr.trim()}`);
    }
    return { ...copy, how: "dump", ...(fallback ? { fallback } : {}) };
  } catch (err) {
    await copy.drop().catch(() => {});
    throw err;
  }
}

/** At most rowLimit rows of every table, copied with psql's \copy before any key or trigger exists (pre-data only). */
async function copyRows(
  o: CloneOptions,
  src: NodeJS.ProcessEnv,
  dst: NodeJS.ProcessEnv,
  password: string,
  fail: (r: string) => Error,
) {
  const tables = await withClient(
    o.url,
    async (c) =>
      (
        await c.query<{ schema: string; name: string }>(
          `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1, 2`,
        )
      ).rows,
  );
  for (const t of tables) {
    const table = `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
    const r = await pipe(
      {
        cmd: "psql",
        args: [
          "-X",
          "-q",
          "-v",
          "ON_ERROR_STOP=1",
          "-c",
          `\\copy (SELECT * FROM ${table} LIMIT ${o.rowLimit}) TO STDOUT`,
        ],
        env: src,
      },
      { cmd: "psql", args: ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", `\\copy ${table} FROM STDIN`], env: dst },
      password,
    );
    if (r.left.code !== 0 || r.right.code !== 0)
      throw fail(`copying ${t.schema}.${t.name}: ${(r.left.stderr + r.right.stderr).trim()}`);
  }
}

/** Client programs' stderr on one line (messages stay one line; the details follow the DETAIL: marker). */
function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, " ");
}

/** A copy of the instance at `url`: by template when possible, else by dump and restore. */
export async function cloneInstance(o: CloneOptions): Promise<InstanceCopy> {
  let fallback: string | undefined;
  if (!o.rowLimit) {
    const copy = await tryTemplate(o.url);
    if (typeof copy !== "string") return copy;
    fallback = copy;
  }
  return dumpRestore(o, fallback);
}
