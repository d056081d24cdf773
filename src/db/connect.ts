// The one place migrakit opens a connection to Postgres: a short connect timeout, and failures turned
// into MigrakitErrors without secrets (see connect-error.ts).
import pg from "pg";
import { connectionError, safeReason } from "./connect-error.js";
import { plainUrl } from "./url.js";
import { rememberSecretsOf } from "../util/redact.js";

export interface ConnectOptions {
  /** How long to wait for the server before giving up (ms). */
  timeoutMs?: number;
}

/** Connect, or throw EMIGRAKIT_DB_AUTH / EMIGRAKIT_DB_MISSING / EMIGRAKIT_DB_UNREACHABLE. */
export async function connect(url: string, opts: ConnectOptions = {}): Promise<pg.Client> {
  rememberSecretsOf(url);
  const connectionString = plainUrl(url);
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString, connectionTimeoutMillis: opts.timeoutMs ?? 10_000 });
  } catch (err) {
    // A URL node-postgres cannot parse.
    throw connectionError(err, connectionString);
  }
  // An idle client whose server goes away emits 'error'; without a listener that would crash the process.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw connectionError(err, connectionString);
  }
  return client;
}

/** Run `fn` on a fresh connection and always close it. */
export async function withClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
  opts: ConnectOptions = {},
): Promise<T> {
  const client = await connect(url, opts);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Re-throw an unexpected statement error with its text redacted (pg may quote connection strings). */
export function redactedError(err: unknown, url: string): Error {
  const out = new Error(safeReason(err, url));
  (out as Error & { code?: unknown }).code = (err as { code?: unknown })?.code;
  return out;
}
