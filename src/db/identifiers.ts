// Names of migrakit's own databases, and how they are written in SQL. Every database migrakit creates,
// clones, renames or drops carries the `migrakit_` prefix: the one rule that keeps it from touching
// anything else on a server it shares with real data.
import { randomBytes } from "node:crypto";

export const OWN_PREFIX = "migrakit_";
export const TEMPLATE_PREFIX = "migrakit_tpl_";
/** A template's spare: one clone made ahead for the next run (templates.ts). As long as TEMPLATE_PREFIX. */
export const SPARE_PREFIX = "migrakit_spr_";
/** Postgres truncates identifiers longer than this (NAMEDATALEN - 1), which would make names collide. */
const MAX_IDENTIFIER = 63;

/** Quote an identifier for SQL: always quoted, inner quotes doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quote a string literal for SQL (for statements that take no bind parameters, like COMMENT ON). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function isOwnDatabase(name: string): boolean {
  return name.startsWith(OWN_PREFIX);
}

/** A fresh scratch database name: `migrakit_` and 16 random hex digits. */
export function scratchName(): string {
  return OWN_PREFIX + randomBytes(8).toString("hex");
}

/**
 * The template database for a cache key: `migrakit_tpl_<key>`. Keys are hashes, optionally with a
 * prefix (`<prefix>_<hash>`) that groups the versions of one package; anything outside [a-z0-9_] is
 * replaced so the name needs no escaping in logs, and the length stays within Postgres' limit.
 */
export function templateName(key: string): string {
  const clean = key.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  if (!clean) throw new Error("internal: empty template key");
  return (TEMPLATE_PREFIX + clean).slice(0, MAX_IDENTIFIER);
}

/** The spare of the template `template` (a template's name): same key, so the same content. */
export function spareName(template: string): string {
  return SPARE_PREFIX + template.slice(TEMPLATE_PREFIX.length);
}

/** The group a template belongs to: the part of its key before the last `_` ("" when there is none). */
export function templatePrefix(name: string): string {
  const key = name.slice(TEMPLATE_PREFIX.length);
  const cut = key.lastIndexOf("_");
  return cut < 0 ? "" : key.slice(0, cut);
}

/** Refuse, loudly, to run DDL on a database that is not ours. A bug, not a user error. */
export function assertOwnDatabase(name: string): void {
  if (!isOwnDatabase(name))
    throw new Error(`internal: refusing to touch database ${JSON.stringify(name)}: not a migrakit database`);
}
