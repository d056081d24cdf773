// The instances of a fleet: read from a file (`--targets FILE`, `-` for stdin, config `targets`), or from a
// registry database (`--targets-from-sql URL QUERY`, first column of each row). An entry is a Postgres URL
// or a libpq service name (resolved here from the service file, so node-postgres and Python get the same
// URL). `--shard I/N` keeps every N-th entry of the list as read (duplicates removed), so the N jobs of a CI
// matrix given the same list deploy each instance exactly once. Parsing and sharding are pure.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { encodedUrl, isPostgresUrl } from "../db/url.js";
import { MigrakitError } from "../errors/index.js";
import { rememberSecretsOf } from "../util/redact.js";

export interface Shard {
  index: number;
  count: number;
}

/**
 * The entries of a targets text: one per line; blank lines and `#` comments are ignored (docs/operators.md).
 * A comment is a line starting with `#`, or a `#` after whitespace following the entry. In a URL that `#`
 * must come after the last `@`: up to there is the userinfo (as everywhere in migrakit, src/util/redact.ts),
 * and a password pasted raw may hold ` #` itself (`ab #cd`). So a comment after a URL holds no `@`.
 */
export function parseTargets(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => {
      const l = line.trim();
      if (l.startsWith("#")) return "";
      const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(l);
      const from = scheme ? Math.max(scheme[0].length, l.lastIndexOf("@") + 1) : 0;
      const comment = /\s#/.exec(l.slice(from));
      return (comment ? l.slice(0, from + comment.index) : l).trim();
    })
    .filter(Boolean);
}

export function parseShard(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count)
    throw new MigrakitError("EMIGRAKIT_FLEET_OPTION_INVALID", {
      option: "--shard",
      value,
      reason: "it must be I/N with 1 ≤ I ≤ N",
    });
  return { index, count };
}

export function parseCount(option: string, value: string | number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) < min)
    throw new MigrakitError("EMIGRAKIT_FLEET_OPTION_INVALID", {
      option,
      value: text,
      reason: `it must be a whole number of at least ${min}`,
    });
  return Number(text);
}

/** Duplicates removed (first one kept), then this shard's share: entry i goes to shard (i mod N) + 1. */
export function shardOf(entries: string[], shard: Shard | undefined): string[] {
  const unique = [...new Set(entries)];
  if (!shard) return unique;
  return unique.filter((_, i) => i % shard.count === shard.index - 1);
}

/** libpq's service file (INI: `[name]` then `key=value` lines) → service name → its keys. */
export function parseServiceFile(text: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = {};
      out.set(section[1]!.trim(), current);
      continue;
    }
    const eq = line.indexOf("=");
    if (current && eq > 0) current[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

/** A service's keys as a URL (password and options encoded). */
export function serviceUrl(keys: Record<string, string>): string {
  const user = keys.user
    ? encodeURIComponent(keys.user) + (keys.password ? `:${encodeURIComponent(keys.password)}` : "") + "@"
    : "";
  const host = keys.host ?? "localhost";
  const port = keys.port ? `:${keys.port}` : "";
  const params = new URLSearchParams();
  for (const k of ["sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name"])
    if (keys[k]) params.set(k, keys[k]!);
  const query = params.toString();
  return `postgresql://${user}${host}${port}/${encodeURIComponent(keys.dbname ?? "")}${query ? `?${query}` : ""}`;
}

function serviceFiles(env: NodeJS.ProcessEnv): string[] {
  const files = [env.PGSERVICEFILE ?? join(env.HOME ?? homedir(), ".pg_service.conf")];
  files.push(join(env.PGSYSCONFDIR ?? "/etc/postgresql-common", "pg_service.conf"));
  return files;
}

/** Entries → URLs: a URL stays as it is; a service name is looked up in libpq's service files. */
export function resolveEntries(entries: string[], env: NodeJS.ProcessEnv): string[] {
  let services: Map<string, Record<string, string>> | undefined;
  const files = serviceFiles(env);
  return entries.map((e) => {
    if (isPostgresUrl(e)) {
      rememberSecretsOf(e);
      // A password pasted raw (`/ @ # ?`, spaces) reaches node-postgres and SQLAlchemy percent-encoded.
      return encodedUrl(e);
    }
    services ??= new Map(
      files
        .flatMap((f) => {
          try {
            return [...parseServiceFile(readFileSync(f, "utf8"))];
          } catch {
            return [];
          }
        })
        .reverse(), // the first file wins
    );
    const keys = services.get(e);
    if (!keys) throw new MigrakitError("EMIGRAKIT_PG_SERVICE_UNKNOWN", { service: e, files: files.join(", ") });
    return serviceUrl(keys);
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The entries of `--targets FILE` (`-`: stdin) or of config `targets` (a file, or the list itself). */
export async function readTargetsSource(
  source: string | string[],
  cwd: string,
): Promise<{ entries: string[]; label: string }> {
  if (Array.isArray(source)) return { entries: source, label: "config targets" };
  if (source === "-") return { entries: parseTargets(await readStdin()), label: "stdin" };
  try {
    return { entries: parseTargets(readFileSync(resolve(cwd, source), "utf8")), label: source };
  } catch (err) {
    throw new MigrakitError("EMIGRAKIT_TARGETS_INVALID", {
      source,
      reason: (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String((err as Error).message),
    });
  }
}

/** `--targets-from-sql URL QUERY`: the first column of every row the query returns. */
export async function targetsFromSql(url: string, query: string): Promise<string[]> {
  const { withClient } = await import("../db/connect.js");
  const { describeTarget } = await import("./target.js");
  return withClient(url, async (client) => {
    try {
      const { rows, fields } = await client.query({ text: query, rowMode: "array" });
      if (!fields.length)
        throw new MigrakitError("EMIGRAKIT_TARGETS_INVALID", {
          source: `the query on ${describeTarget(url)}`,
          reason: "it returns no column",
        });
      return (rows as unknown[][]).map((r) => String(r[0] ?? "").trim()).filter(Boolean);
    } catch (err) {
      if (err instanceof MigrakitError) throw err;
      throw new MigrakitError("EMIGRAKIT_TARGETS_INVALID", {
        source: `the query on ${describeTarget(url)}`,
        reason: (err as Error).message,
      });
    }
  });
}
