// `--backfill [SCHEMA.]TABLE.COLUMN=SQL` (pure): the value existing rows get when a NOT NULL column without
// a server default is added to a table that may have rows. The bridge writes the column in three steps
// (python/migrakit_bridge/backfill.py): add it nullable, UPDATE the rows with this SQL, SET NOT NULL.
import type { BackfillRequest } from "../bridge/contract.js";
import { MigrakitError } from "../errors/index.js";

/** One `--backfill` as given: the bridge's request (src/bridge/contract.ts). */
export type Backfill = BackfillRequest;

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;

export function parseBackfillArg(text: string): Backfill {
  const at = text.indexOf("=");
  const path = at > 0 ? text.slice(0, at).trim().split(".") : [];
  const sql = at > 0 ? text.slice(at + 1).trim() : "";
  if (path.length < 2 || path.length > 3 || !path.every((p) => IDENT.test(p)) || !sql) {
    throw new MigrakitError("EMIGRAKIT_BACKFILL_SYNTAX", { value: text });
  }
  const [column, table, schema] = [...path].reverse() as [string, string, string | undefined];
  return { schema: schema ?? null, table, column, sql };
}

/** `core.item.kind`: how the output names a column that needs a value filled in. */
export const columnName = (b: { schema: string | null; table: string; column: string }) =>
  [b.schema, b.table, b.column].filter(Boolean).join(".");

/** How a script records a backfill at the top of upgrade(), so a refresh (the hook's) keeps the value. */
export const backfillNote = (b: Backfill) => `migrakit: backfill ${columnName(b)}=${b.sql}`;

const BACKFILL_NOTE = /^[ \t]*# migrakit: backfill (\S+=.*?)[ \t]*\r?$/gm;

/** The backfills a script records; the ones given on the command line win over them. */
export function recordedBackfills(text: string): Backfill[] {
  const out: Backfill[] = [];
  for (const m of text.matchAll(BACKFILL_NOTE)) {
    try {
      out.push(parseBackfillArg(m[1]!));
    } catch {
      // a comment that only looks like ours
    }
  }
  return out;
}

export function mergeBackfills(given: Backfill[], recorded: Backfill[]): Backfill[] {
  const key = (b: Backfill) => `${b.schema ?? ""}.${b.table}.${b.column}`;
  const seen = new Set(given.map(key));
  return [...given, ...recorded.filter((b) => !seen.has(key(b)))];
}
