// Template databases cache a built baseline: a warm check clones one (CREATE DATABASE … TEMPLATE,
// a file copy, much faster than replaying migrations) instead of rebuilding it. Each is named
// `migrakit_tpl_<key>`, where the key is a hash of what went into it, so a changed baseline simply
// gets a new template; older ones of the same prefix are pruned.
// Templates are marked IS_TEMPLATE and ALLOW_CONNECTIONS false: nobody can connect to one by mistake,
// and a session on the source is what makes a copy fail ("source database is being accessed by other users").
import type pg from "pg";
import { isMigrakitError } from "../errors/index.js";
import { track, untrack } from "./cleanup.js";
import { redactedError, withClient } from "./connect.js";
import { statementError } from "./connect-error.js";
import { dropOwnDatabase } from "./drop.js";
import {
  assertOwnDatabase,
  quoteIdent,
  quoteLiteral,
  scratchName,
  SPARE_PREFIX,
  spareName,
  TEMPLATE_PREFIX,
  templateName,
  templatePrefix,
} from "./identifiers.js";
import { createScratchDatabase, createStatement, scratchHandle, type ScratchDatabase } from "./scratch.js";

export { templateName } from "./identifiers.js";

/** How many templates of one prefix are kept by default (the newest). */
export const DEFAULT_KEEP = 3;
const COMMENT_TAG = "migrakit template ";
const OBJECT_IN_USE = "55006";
const DUPLICATE_DATABASE = "42P04";

export async function templateExists(adminUrl: string, key: string): Promise<boolean> {
  return withClient(adminUrl, async (client) => {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [templateName(key)]);
    return (rowCount ?? 0) > 0;
  });
}

/**
 * Turn a built scratch database into the template for `key`: its sessions are ended, it is renamed
 * `migrakit_tpl_<key>` and locked for connections, and it is no longer dropped at exit. When a
 * template of that key exists already (another run was faster), the scratch database is dropped and
 * the existing template kept. Then only the newest `keep` templates of the key's prefix remain.
 * Returns the template's name.
 */
export async function createTemplateFrom(
  adminUrl: string,
  scratchName: string,
  key: string,
  opts: { keep?: number } = {},
): Promise<string> {
  assertOwnDatabase(scratchName);
  const name = templateName(key);
  try {
    await withClient(adminUrl, async (client) => {
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if ((exists.rowCount ?? 0) > 0) return dropOwnDatabase(client, scratchName);
      for (let attempt = 0; ; attempt++) {
        await client.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
          [scratchName],
        );
        try {
          await client.query(`ALTER DATABASE ${quoteIdent(scratchName)} RENAME TO ${quoteIdent(name)}`);
          break;
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === DUPLICATE_DATABASE) return dropOwnDatabase(client, scratchName);
          // A session reconnected between terminate and rename: go round again.
          if (code !== OBJECT_IN_USE || attempt >= 20) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      await client.query(`ALTER DATABASE ${quoteIdent(name)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
      const meta = JSON.stringify({ created: new Date().toISOString() });
      await client.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS ${quoteLiteral(COMMENT_TAG + meta)}`);
      await prune(client, templatePrefix(name), opts.keep ?? DEFAULT_KEEP, name);
    });
  } catch (err) {
    if (isMigrakitError(err)) throw err;
    throw statementError(err, adminUrl, "create template databases") ?? redactedError(err, adminUrl);
  }
  untrack(scratchName);
  return name;
}

/**
 * A fresh scratch database cloned from the template of `key` (EMIGRAKIT_TEMPLATE_MISSING when there is none).
 *
 * A clone copies files and forces two checkpoints (the better part of a second of a warm hook on a busy
 * machine), so each clone leaves a spare for the next one: `migrakit_spr_<key>`, made from the same template
 * while this run works on its own copy, and taken by the next run with one rename (a rename is atomic: of two
 * runs, one gets it, the other clones). A spare is named by its template's key, which hashes everything that
 * went into the template (released scripts, env.py, package versions): a spare of an older history is never
 * taken, as its template is not. The clone's drop() waits for its spare, so no statement outlives the run.
 */
export async function cloneTemplate(
  adminUrl: string,
  key: string,
  opts: { busyTimeoutMs?: number } = {},
): Promise<ScratchDatabase> {
  const template = templateName(key);
  const db =
    (await takeSpare(adminUrl, template)) ??
    (await createScratchDatabase(adminUrl, { template, busyTimeoutMs: opts.busyTimeoutMs }));
  const spare = makeSpare(adminUrl, template);
  const drop = db.drop;
  return { ...db, drop: () => spare.then(drop) };
}

/** The template's spare renamed to a fresh scratch database, or undefined (none, or another run took it). */
async function takeSpare(adminUrl: string, template: string): Promise<ScratchDatabase | undefined> {
  const name = scratchName();
  track({ name, adminUrl });
  try {
    await withClient(adminUrl, (c) =>
      c.query(`ALTER DATABASE ${quoteIdent(spareName(template))} RENAME TO ${quoteIdent(name)}`),
    );
    return scratchHandle(adminUrl, name);
  } catch {
    // Missing (the first clone, or taken), still being made (not visible until made), or the server refused:
    // the clone is made as without spares.
    untrack(name);
    return undefined;
  }
}

/** Make the template's spare; never fails (a spare is a head start, and a missing one costs one clone). */
async function makeSpare(adminUrl: string, template: string): Promise<void> {
  await withClient(adminUrl, async (c) => c.query(await createStatement(c, spareName(template), template))).catch(
    () => {},
  );
}

export interface TemplateRow {
  name: string;
  created: string;
  oid: number;
}

/** Parse a template's comment; "" when missing (such templates count as oldest). Pure. */
export function createdAt(comment: string | null): string {
  if (!comment?.startsWith(COMMENT_TAG)) return "";
  try {
    return String((JSON.parse(comment.slice(COMMENT_TAG.length)) as { created?: string }).created ?? "");
  } catch {
    return "";
  }
}

/**
 * Which templates to drop so that the newest `keep` of each prefix remain (only `prefix` when given;
 * `protect`, the one just made, always stays and counts as the newest). Pure.
 */
export function templatesToDrop(
  rows: TemplateRow[],
  prefix: string | undefined,
  keep: number,
  protect?: string,
): string[] {
  const groups = new Map<string, TemplateRow[]>();
  for (const row of rows) {
    const p = templatePrefix(row.name);
    if (prefix !== undefined && p !== prefix) continue;
    groups.set(p, [...(groups.get(p) ?? []), row]);
  }
  const doomed: string[] = [];
  for (const group of groups.values()) {
    const kept = group.some((r) => r.name === protect) ? 1 : 0;
    const newestFirst = group
      .filter((r) => r.name !== protect)
      .sort((a, b) => (a.created === b.created ? b.oid - a.oid : a.created < b.created ? 1 : -1));
    doomed.push(...newestFirst.slice(Math.max(0, keep - kept)).map((r) => r.name));
  }
  return doomed;
}

async function prune(client: pg.Client, prefix: string | undefined, keep: number, protect?: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string; comment: string | null; oid: number }>(
    "SELECT datname AS name, shobj_description(oid, 'pg_database') AS comment, oid::int AS oid FROM pg_database",
  );
  const templates = rows
    .filter((r) => r.name.startsWith(TEMPLATE_PREFIX))
    .map((r) => ({ name: r.name, oid: r.oid, created: createdAt(r.comment) }));
  const doomed = templatesToDrop(templates, prefix, keep, protect);
  for (const name of doomed) {
    assertOwnDatabase(name);
    await dropOwnDatabase(client, name);
  }
  // A spare goes with its template (and one whose template is gone already, from an interrupted prune).
  const kept = new Set(templates.map((t) => t.name).filter((n) => !doomed.includes(n)));
  for (const { name } of rows)
    if (name.startsWith(SPARE_PREFIX) && !kept.has(TEMPLATE_PREFIX + name.slice(SPARE_PREFIX.length)))
      await dropOwnDatabase(client, name);
  return doomed;
}

/**
 * Drop templates so that only the newest `keep` of `prefix` remain (every prefix when none is given;
 * `keep: 0` drops them all). Returns the names dropped.
 */
export async function pruneTemplates(adminUrl: string, opts: { prefix?: string; keep: number }): Promise<string[]> {
  return withClient(adminUrl, (client) => prune(client, opts.prefix, opts.keep));
}
