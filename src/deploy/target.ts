// How an instance is named in messages and prompts: `host:port/database`, built from the URL's parts so
// that no password (nor a password= parameter) can ever be part of it. Pure.
import { plainUrl } from "../db/url.js";

export function describeTarget(url: string): string {
  try {
    const u = new URL(plainUrl(url));
    const host = u.hostname || u.searchParams.get("host") || "localhost";
    const port = u.port ? `:${u.port}` : "";
    const db = decodeURIComponent(u.pathname.replace(/^\//, "")) || "(default database)";
    return `${host}${port}/${db}`;
  } catch {
    return "(unparsable URL)";
  }
}

/** The login role a URL names (for privilege messages). */
export function userOf(url: string): string {
  try {
    return decodeURIComponent(new URL(plainUrl(url)).username) || "(default user)";
  } catch {
    return "(unknown)";
  }
}
