// Postgres URLs as users write them (SQLAlchemy style `postgresql+psycopg2://` included) turned into what
// node-postgres and SQLAlchemy understand, and pointed at another database on the same server.
//
// Users paste passwords raw (`k3Jx+9/aQw==`, `p@ss word`, `a#b?c`), which no URL parser reads as they meant:
// `/`, `#` and `?` end the authority, an inner `@` starts the host. So the userinfo is read the way a person
// reads it (util/redact.ts `urlParts`: everything between `://` and the LAST `@`; the user ends at its first
// `:`), and user and password are percent-encoded before any driver sees them. Each part already written
// percent-encoded (every `%` followed by two hex digits, decoding to UTF-8) is taken as encoded, as every URL
// parser would; anything else is taken as written.

import { decoded } from "../util/redact.js";

/** True for `postgres://`, `postgresql://` and SQLAlchemy's `postgresql+driver://`. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?(\+[a-z0-9]+)?:\/\//i.test(value.trim());
}

/**
 * The URL with its user and password percent-encoded (scheme, host, port, database and options as written),
 * so that `postgresql://u:k3Jx+9/aQw==@host/db` reaches node-postgres, libpq and SQLAlchemy as the same login.
 * Idempotent: an encoded URL comes back equivalent.
 */
export function encodedUrl(url: string): string {
  const text = url.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0];
  if (!scheme) return text;
  const rest = text.slice(scheme.length);
  const at = rest.lastIndexOf("@");
  if (at < 0) return text;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(":");
  // Each part as the user meant it (util/redact.ts `decoded`): decoded when it is valid percent-encoding
  // (UTF-8 too: `%ff` is not an encoding anyone meant), else as written.
  const user = encodeURIComponent(decoded(colon >= 0 ? userinfo.slice(0, colon) : userinfo));
  const password = colon >= 0 ? `:${encodeURIComponent(decoded(userinfo.slice(colon + 1)))}` : "";
  return `${scheme}${user}${password}@${rest.slice(at + 1)}`;
}

/** The URL encoded (see encodedUrl) with a plain `postgresql://` scheme (drops a SQLAlchemy `+driver`). */
export function plainUrl(url: string): string {
  return encodedUrl(url).replace(/^postgres(ql)?(\+[a-z0-9]+)?:\/\//i, "postgresql://");
}

/** The same server, user and options, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(plainUrl(url));
  u.pathname = "/" + encodeURIComponent(database);
  return u.toString();
}

/** The database a URL names ("" when it names none, and the server's default applies). */
export function databaseOf(url: string): string {
  const u = new URL(plainUrl(url));
  return decodeURIComponent(u.pathname.replace(/^\//, ""));
}

/** A URL for a local server on 127.0.0.1. */
export function localUrl(opts: { port: number; user: string; password: string; database: string }): string {
  const user = encodeURIComponent(opts.user);
  const password = encodeURIComponent(opts.password);
  return `postgresql://${user}:${password}@127.0.0.1:${opts.port}/${encodeURIComponent(opts.database)}`;
}
