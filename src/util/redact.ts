// Secrets in database URLs are never printed. Two layers: a URL is never echoed but described from its parts
// (`describeUrl`: user@host:port/db), and every text migrakit prints goes through `redactSecrets`, which cuts
// the password out of anything that looks like a URL and every password this process was handed.
//
// Users paste passwords raw (`k3Jx+9/aQw==`, `p@ss word`), which no URL parser reads as they meant, so the
// parts are found the way a person reads the URL: the userinfo is everything between `://` and the LAST `@`.

export interface UrlParts {
  /** `postgresql`, `postgresql+psycopg2`, … */
  scheme: string;
  user: string;
  /** null when the URL has no `:` in its userinfo. */
  password: string | null;
  host: string;
  port: string;
  database: string;
}

/** A Postgres (or any) URL's parts, read leniently; null when there is no `scheme://`. */
export function urlParts(url: string): UrlParts | null {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  if (!m) return null;
  const rest = url.slice(m[0].length);
  const at = rest.lastIndexOf("@");
  const userinfo = at >= 0 ? rest.slice(0, at) : "";
  const colon = userinfo.indexOf(":");
  const hostPart = at >= 0 ? rest.slice(at + 1) : rest;
  const hp = /^(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?(?:\/([^?#]*))?/.exec(hostPart)!;
  return {
    scheme: m[1]!,
    user: colon >= 0 ? userinfo.slice(0, colon) : userinfo,
    password: at >= 0 && colon >= 0 ? userinfo.slice(colon + 1) : null,
    host: hp[1] ?? "",
    port: hp[2] ?? "",
    database: hp[3] ?? "",
  };
}

/** A URL part percent-decoded, or as written when it is no valid percent-encoding (a raw `100%sure`). */
export const decoded = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/**
 * How a URL is shown: `user@host:port/db`, built from the parts, so no password (nor a `password=` parameter)
 * can be part of it. Without a `scheme://` nothing of it is shown.
 */
export function describeUrl(url: string): string {
  const text = url.trim();
  const p = urlParts(text);
  if (!p) return "(unparsable URL)";
  const user = p.user ? `${decoded(p.user)}@` : "";
  // A socket folder may come as `?host=/var/run/postgresql` (only the part after the last `@` is looked at).
  const query = text.slice(text.lastIndexOf("@") + 1);
  const hostParam = /[?&]host=([^&#]*)/.exec(query)?.[1];
  const host = decoded(p.host) || (hostParam ? decoded(hostParam) : "") || "localhost";
  const port = p.port ? `:${p.port}` : "";
  const db = decoded(p.database) || "(default database)";
  return `${user}${host}${port}/${db}`;
}

/** The login role a URL names, decoded (for privilege and login messages: never the password). */
export function userOf(url: string): string {
  const p = urlParts(url.trim());
  if (!p) return "(unknown)";
  return decoded(p.user) || "(default user)";
}

// Passwords this process was handed (--db, --against, MIGRAKIT_DATABASE_URL, `database`), in every spelling
// they may come back in: raw, percent-decoded, percent-encoded, as a SQL literal ('' for ': a script may
// render the password into a user mapping, which `deploy --sql` prints) and JSON-escaped (\" and \\ in
// every --json document). Shorter ones are left to describeUrl: cutting every "ab" out of a text would garble
// it and hide nothing.
const secrets = new Set<string>();
const MIN_SECRET = 3;

/** Every way a password may be written back: in a URL, in SQL, in JSON. */
export function spellingsOf(password: string): string[] {
  const forms = new Set<string>();
  for (const plain of [password, decoded(password)]) {
    for (const form of [plain, encodeURIComponent(plain), plain.replace(/'/g, "''")]) {
      forms.add(form).add(JSON.stringify(form).slice(1, -1));
    }
  }
  return [...forms];
}

/** Remember the password of a URL so that no output can show it, whatever quotes it (pg, Python, alembic). */
export function rememberSecretsOf(url: string | undefined): void {
  const password = url ? urlParts(url.trim())?.password : null;
  if (!password) return;
  for (const form of spellingsOf(password)) if (form.length >= MIN_SECRET) secrets.add(form);
}

// `scheme://user:…@`: everything between the user's `:` and the last `@` before the next whitespace.
const URL_WITH_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):(\S*)@/gi;
const PASSWORD_PARAM = /([?&](?:password|sslpassword)=)[^&\s]*/gi;
const KEYWORD_PASSWORD = /\b(password\s*=\s*)('[^']*'|\S+)/gi;

/** Every remembered password, the password of every URL and every `?password=` parameter replaced with `***`. */
export function redactSql(text: string): string {
  let out = text;
  // Longest first: a password that contains another must go whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join("***");
  return out.replace(URL_WITH_PASSWORD, "$1:***@").replace(PASSWORD_PARAM, "$1***");
}

/**
 * redactSql, and libpq's `password=…` keyword too. Not for SQL a user asked for: there `SET password = NULL`
 * is a statement of the script, and a password migrakit was handed is cut by redactSql whatever quotes it.
 */
export function redactSecrets(text: string): string {
  return redactSql(text).replace(KEYWORD_PASSWORD, "$1***");
}

/** A URL fit for display: its parts, never its text (see describeUrl). */
export function redactUrl(url: string): string {
  return describeUrl(url);
}
