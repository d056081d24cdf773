// What a failed connection means for the user, from node-postgres' error. Pure: the error object in,
// a MigrakitError out. node-postgres and node sometimes echo the connection string in their texts,
// so every reason is redacted, and the URL's own password is cut out as well should it appear bare.
import { MigrakitError } from "../errors/index.js";
import { redactSecrets, redactUrl, urlParts } from "../util/redact.js";
import { psqlCommand } from "./psql-command.js";

interface PgLikeError {
  code?: string;
  message?: string;
}

/** The reason text of an error, with secrets removed. */
export function safeReason(err: unknown, url: string): string {
  const e = err as PgLikeError;
  let text = redactSecrets(String(e?.message ?? err));
  const raw = urlParts(url.trim())?.password ?? "";
  for (const password of [passwordOf(url), raw]) if (password.length >= 3) text = text.split(password).join("***");
  return text || String(e?.code ?? "unknown error");
}

function passwordOf(url: string): string {
  const password = urlParts(url.trim())?.password ?? "";
  try {
    return decodeURIComponent(password);
  } catch {
    return password;
  }
}

function userOf(url: string): string {
  const p = urlParts(url.trim());
  if (!p) return "(unknown)";
  try {
    return decodeURIComponent(p.user) || "(default user)";
  } catch {
    return p.user;
  }
}

/** Translate a connection failure into the error the user sees (all exit 3: the environment). */
export function connectionError(err: unknown, url: string): MigrakitError {
  const code = (err as PgLikeError)?.code;
  const details = {
    url: redactUrl(url),
    user: userOf(url),
    reason: safeReason(err, url),
    // What the fix line asks the user to run: flags from the URL's parts, no password (src/db/psql-command.ts).
    psql: psqlCommand(url) ?? "psql",
    psqlServer: psqlCommand(url, "postgres") ?? "psql",
  };
  // 28P01 invalid_password, 28000 invalid_authorization_specification (pg_hba rejects).
  if (code === "28P01" || code === "28000" || /SASL|SCRAM|password/i.test(details.reason)) {
    return new MigrakitError("EMIGRAKIT_DB_AUTH", details);
  }
  if (code === "3D000") return new MigrakitError("EMIGRAKIT_DB_MISSING", details);
  return new MigrakitError("EMIGRAKIT_DB_UNREACHABLE", details);
}

/** Translate a failed statement of migrakit's own housekeeping (CREATE/DROP DATABASE …). */
export function statementError(err: unknown, url: string, action: string): MigrakitError | undefined {
  const code = (err as PgLikeError)?.code;
  // 42501 insufficient_privilege: the role may not create or drop databases.
  if (code === "42501") {
    return new MigrakitError("EMIGRAKIT_DB_PERMISSION", {
      url: redactUrl(url),
      user: userOf(url),
      action,
      reason: safeReason(err, url),
    });
  }
  return undefined;
}
