// Scratch databases: created for one check, dropped right after, and dropped anyway when the process
// is interrupted or crashes (cleanup.ts). Only ever named `migrakit_<16 hex>`.
import type pg from "pg";
import { MigrakitError } from "../errors/index.js";
import { setDropper, track, untrack } from "./cleanup.js";
import { redactedError, withClient } from "./connect.js";
import { statementError } from "./connect-error.js";
import { dropOwnDatabase } from "./drop.js";
import { quoteIdent, scratchName } from "./identifiers.js";
import { withDatabase } from "./url.js";

export interface ScratchDatabase {
  name: string;
  /** A URL for the scratch database (same server, user and password as the admin URL). */
  url: string;
  /** Drop it (idempotent). */
  drop(): Promise<void>;
}

export interface ScratchOptions {
  /** Create it as a copy of this (migrakit) template database. */
  template?: string;
  /** How long to wait for sessions on the template to end before EMIGRAKIT_TEMPLATE_BUSY (ms). */
  busyTimeoutMs?: number;
}

const OBJECT_IN_USE = "55006";
const INVALID_CATALOG_NAME = "3D000";
/** How long a clone waits for sessions on its template to go away before giving up. */
const TEMPLATE_BUSY_MS = 5_000;

async function dropScratch(adminUrl: string, name: string): Promise<void> {
  try {
    await withClient(adminUrl, (client) => dropOwnDatabase(client, name));
  } catch (err) {
    if (err instanceof MigrakitError) throw err;
    throw statementError(err, adminUrl, `drop the database ${name}`) ?? redactedError(err, adminUrl);
  }
}

setDropper((item) => dropScratch(item.adminUrl, item.name));

/**
 * Postgres 15 made CREATE DATABASE copy block by block through the WAL (STRATEGY WAL_LOG), which suits
 * big databases on busy servers. Ours are small and the embedded server runs with fsync off: copying
 * the files (FILE_COPY, the behaviour before 15) was the faster of the two in bench/postgres-start.ts.
 */
async function serverVersionNum(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>("SELECT current_setting('server_version_num') AS n");
  return Number(rows[0]!.n);
}

/** The statement that creates `name`, a copy of `template` when given (FILE_COPY where there is a choice). */
export async function createStatement(client: pg.Client, name: string, template?: string): Promise<string> {
  return (
    `CREATE DATABASE ${quoteIdent(name)}` +
    (template ? ` TEMPLATE ${quoteIdent(template)}` : "") +
    ((await serverVersionNum(client)) >= 150000 ? " STRATEGY FILE_COPY" : "")
  );
}

export async function createScratchDatabase(adminUrl: string, opts: ScratchOptions = {}): Promise<ScratchDatabase> {
  const name = scratchName();
  // Tracked before it exists: a signal arriving during CREATE DATABASE still gets it dropped.
  track({ name, adminUrl });
  try {
    await withClient(adminUrl, async (client) => {
      const sql = await createStatement(client, name, opts.template);
      const until = Date.now() + (opts.busyTimeoutMs ?? TEMPLATE_BUSY_MS);
      for (;;) {
        try {
          await client.query(sql);
          return;
        } catch (err) {
          const code = (err as { code?: string }).code;
          // "source database … is being accessed by other users": a session on the template, often one
          // that is just ending. Wait a little, then say who to blame.
          if (opts.template && code === OBJECT_IN_USE) {
            if (Date.now() < until) {
              await new Promise((r) => setTimeout(r, 100));
              continue;
            }
            throw new MigrakitError("EMIGRAKIT_TEMPLATE_BUSY", {
              template: opts.template,
              reason: (err as Error).message,
            });
          }
          if (opts.template && code === INVALID_CATALOG_NAME)
            throw new MigrakitError("EMIGRAKIT_TEMPLATE_MISSING", { template: opts.template });
          throw statementError(err, adminUrl, "create databases") ?? redactedError(err, adminUrl);
        }
      }
    });
  } catch (err) {
    untrack(name);
    throw err;
  }
  return scratchHandle(adminUrl, name);
}

/** The handle of the scratch database `name`, which exists and is tracked (dropped at exit). */
export function scratchHandle(adminUrl: string, name: string): ScratchDatabase {
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: () => {
      dropped ??= dropScratch(adminUrl, name).then(
        () => untrack(name),
        (err) => {
          dropped = undefined; // let a later call retry
          throw err;
        },
      );
      return dropped;
    },
  };
}

/** Run `fn` on a fresh scratch database, dropped afterwards whatever happens. */
export async function withScratchDatabase<T>(
  adminUrl: string,
  fn: (db: ScratchDatabase) => Promise<T>,
  opts: ScratchOptions = {},
): Promise<T> {
  const db = await createScratchDatabase(adminUrl, opts);
  let result: T;
  try {
    result = await fn(db);
  } catch (err) {
    // The caller's error is the one to report; a failed drop is left to the exit cleanup.
    await db.drop().catch(() => {});
    throw err;
  }
  await db.drop();
  return result;
}
