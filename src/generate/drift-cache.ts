// What HEAD's ORM differs from a baseline database by, remembered (issue 15): the hook compares HEAD's ORM
// with the database at head to tell the drift that predates a change from the change (predating.ts), a
// comparison as long as the change's own. Its answer depends only on HEAD's package (its object ids), the
// database (its key: database.ts `keyAt`, everything its template key hashes plus the scripts on top), the
// interpreter with its installed distributions, and migrakit itself: this cache is keyed on exactly those.
// It lives in the cache folder as the parse memo does (src/util/cache-dir.ts: not in CI, not with
// MIGRAKIT_NO_CACHE=1); an entry that is missing or unreadable only costs the comparison.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Diff } from "../bridge/contract.js";
import { hashParts } from "../checks/dynamic/keys.js";
import { sitePackagesStamps } from "../checks/dynamic/result-cache.js";
import { memoDir } from "../util/cache-dir.js";
import { migrakitVersion } from "../util/package-root.js";

/** Bumped when an entry's meaning changes. */
const FORMAT = "migrakit-drift-1";

export interface DriftCache {
  dir: string;
  /** Every part of the key but HEAD's ids and the database's. */
  machine: string;
}

/** The cache, or undefined where caches are off (CI, MIGRAKIT_NO_CACHE=1) or there is no cache folder. */
export function driftCache(env: NodeJS.ProcessEnv, python: string | undefined): DriftCache | undefined {
  const base = memoDir(env);
  if (base === undefined || !python) return undefined;
  // A pip install or uninstall changes these folders' mtimes (as for the result cache).
  const stamps = sitePackagesStamps(python);
  return { dir: join(base, "drift"), machine: JSON.stringify([FORMAT, migrakitVersion(), python, stamps]) };
}

/** The key of HEAD's ORM (predating.ts objectIds) against the database of `database` (database.ts keyAt). */
export const driftKey = (c: DriftCache, head: string, database: string): string =>
  hashParts([c.machine, head, database]);

const entryPath = (c: DriftCache, key: string) => join(c.dir, `${key}.json`);

/** The drift remembered for `key`, or undefined. */
export async function readDrift(c: DriftCache, key: string): Promise<Diff[] | undefined> {
  try {
    const entry = JSON.parse(await readFile(entryPath(c, key), "utf8")) as { format?: string; drift?: unknown };
    return entry.format === FORMAT && Array.isArray(entry.drift) ? (entry.drift as Diff[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Remember the drift for `key`; never fails (a cache that cannot be written only costs time next run). */
export async function writeDrift(c: DriftCache, key: string, drift: Diff[]): Promise<void> {
  const path = entryPath(c, key);
  try {
    await mkdir(c.dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ format: FORMAT, drift }));
    await rename(tmp, path);
  } catch {
    // not written: the next run compares
  }
}
