// The psql command a fix line prints for testing a connection by hand (EMIGRAKIT_DB_UNREACHABLE, _DB_MISSING):
// the URL's parts as flags, never the URL. A printed URL would be a leak with the password and useless with a
// raw one (`k3Jx+9/aQw==` is no valid URL); without a password psql asks for it (or reads PGPASSWORD), which
// works for every password. Pure.
import { urlParts } from "../util/redact.js";

const decoded = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** A word as a POSIX shell reads it back: bare when nothing in it is special, else single-quoted. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/**
 * `psql -h HOST -p PORT -U USER -d DB` for `url` (`database` instead of the URL's own, e.g. `postgres` to list
 * the databases), with `PGSSLMODE=…` in front when the URL asks for one; undefined when the URL does not parse.
 */
export function psqlCommand(url: string, database?: string): string | undefined {
  const text = url.trim();
  const p = urlParts(text);
  if (!p) return undefined;
  // Query parameters only after the userinfo: a raw password may hold `?` or `&`.
  const query = text.slice(text.lastIndexOf("@") + 1);
  const param = (key: string) => {
    const v = new RegExp(`[?&]${key}=([^&#]*)`).exec(query)?.[1];
    return v === undefined ? "" : decoded(v);
  };
  const host = (decoded(p.host) || param("host")).replace(/^\[(.*)\]$/, "$1");
  const user = decoded(p.user) || param("user");
  const db = database ?? (decoded(p.database) || param("dbname"));
  const words = ["psql"];
  if (host) words.push("-h", shellWord(host));
  if (p.port || param("port")) words.push("-p", shellWord(p.port || param("port")));
  if (user) words.push("-U", shellWord(user));
  // psql reads a -d value with `=` in it as a connection string: then it is given as one, dbname=….
  if (db)
    words.push("-d", shellWord(db.includes("=") ? `dbname='${db.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'` : db));
  const sslmode = param("sslmode");
  return `${sslmode ? `PGSSLMODE=${shellWord(sslmode)} ` : ""}${words.join(" ")}`;
}
