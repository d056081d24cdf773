// Postgres URLs as users write them (SQLAlchemy style `postgresql+psycopg2://` included) turned into what
// node-postgres understands, and pointed at another database on the same server.

/** True for `postgres://`, `postgresql://` and SQLAlchemy's `postgresql+driver://`. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?(\+[a-z0-9]+)?:\/\//i.test(value);
}

/** The URL with a plain `postgresql://` scheme (drops a SQLAlchemy `+driver`). */
export function plainUrl(url: string): string {
  return url.replace(/^postgres(ql)?(\+[a-z0-9]+)?:\/\//i, "postgresql://");
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
