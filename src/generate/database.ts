// "The database at head" for generate: the baseline of `check` (src/checks/dynamic/baseline.ts: replay or
// release, cached as a template database) upgraded through the unreleased scripts up to a revision — the
// parent of the script being refreshed, or the head. Reusing the check's baseline means the hook and
// `check` share one template: a warm hook clones it instead of replaying the history.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { envPyText } from "../checks/dynamic.js";
import { prepareBaseline, type Baseline } from "../checks/dynamic/baseline.js";
import { errorSummary, failureDetail } from "../checks/dynamic/failure.js";
import { packageParams, versionTableOf, versionTablesOf } from "../checks/dynamic/package-params.js";
import { readAhead as readFingerprintAhead } from "../db/fingerprint.js";
import { revisionOf, scriptsAfter, type ChainPlan } from "../checks/dynamic/chain-plan.js";
import type { PackageParams } from "../checks/dynamic/port.js";
import { trimmable, trimmedMigrations } from "../checks/dynamic/trimmed-scripts.js";
import { hashParts } from "../checks/dynamic/keys.js";
import { MigrakitError } from "../errors/index.js";
import type { SchemaRepo, ScriptFile } from "../model/repo.js";
import { removeTempDir } from "../util/temp-dirs.js";
import { progress } from "../output/progress.js";
import type { Session } from "./session.js";

export interface DatabaseAt {
  url: string;
  /** Params for bridge requests on this database (trimmed scripts folder, import root of a snapshot). */
  params: PackageParams;
  /** The revision the database is at (null: empty). */
  revision: string | null;
  baseline: "replay" | "release";
  cached: boolean;
  /**
   * The baseline database itself while nothing was applied to it (`revision` is the baseline's start): the
   * check can take it over instead of cloning the template again (the hook). Undefined once upgraded.
   */
  untouched?: Baseline;
  /**
   * The key of what this baseline holds once upgraded to `revision` in `plan` (drift-cache.ts): everything the
   * baseline's template key hashes (src/checks/dynamic/baseline.ts) and the scripts applied on top. A replay
   * is keyed by every script from the root, so a script that becomes released keeps its database's key.
   * Undefined for labelled branches (one database at every head) and a revision not after the baseline's start.
   */
  keyAt(plan: ChainPlan, revision: string | null): string | undefined;
  dispose(): Promise<void>;
}

/** Bumped when what a database key stands for changes. */
const KEY_FORMAT = "migrakit-database-1";

/**
 * The untouched baseline with its fingerprint reader opened and the first fingerprint read while Python
 * compares the ORM with it (a comparison only reads): the check that takes it over starts at its first upgrade.
 * Its drop closes that connection first (a database with a session on it cannot be dropped).
 */
function readingAhead(b: Baseline, versionTable: string): Baseline {
  const reading = readFingerprintAhead(b.db.url, { excludeTables: versionTablesOf(versionTable) });
  reading.catch(() => {}); // the check then opens its own reader, and meets the failure there
  const drop = async () => {
    await (await reading.catch(() => undefined))?.close();
    await b.db.drop();
  };
  return { ...b, db: { ...b.db, drop }, reading };
}

/** Scripts from the baseline's start up to and including `upTo` (none when the start is `upTo`). Pure. */
export function scriptsUpTo(plan: ChainPlan, start: string | null, upTo: string | null): ScriptFile[] | null {
  if (upTo === start) return [];
  const after = scriptsAfter(plan, start);
  if (!after) return null;
  const i = after.findIndex((s) => revisionOf(s) === upTo);
  return i < 0 ? null : after.slice(0, i + 1);
}

/**
 * A scratch database at `upTo` (null: before the first script). `importRoot`: the package is imported from
 * there (an export of the git index), even over an editable install. `readAhead`: an untouched baseline is
 * to be handed over to the check (readingAhead).
 */
export async function databaseAt(
  s: Session,
  repo: SchemaRepo,
  plan: ChainPlan,
  upTo: string | null,
  importRoot?: string,
  readAhead = false,
): Promise<DatabaseAt> {
  const versionTable = versionTableOf(repo, s.config.versionTable);
  const machine = [JSON.stringify(s.versions), `postgres ${s.server.serverVersion}`];
  const envPy = await envPyText(repo);
  // The ini the requests name (HEAD's own, when exported, is in HEAD's ids instead).
  const ini = repo.alembic ? await readFile(join(repo.root, repo.alembic.file), "utf8").catch(() => "") : null;
  // While Postgres clones the template, let Python import alembic, the package and env.py (an offline
  // `schemas` request): the first comparison then starts warm. A failure here is the repo's to report, and
  // the comparison that follows reports it; so it is only waited for, never raised.
  const warm = s.port
    .request("schemas", packageParams(repo, { root: importRoot, versionTable }))
    .catch(() => undefined);
  progress(`${repo.package}: building the baseline`);
  const outcome = await prepareBaseline({
    repo,
    plan,
    mode: s.config.baseline,
    bridge: s.port,
    failureOf: s.failureOf,
    adminUrl: s.server.adminUrl,
    machine,
    envPy,
    versionTable,
    useTemplates: true,
    cacheDir: null,
    env: s.env,
    ormSchemas: warm,
  });
  if (!outcome.ok) {
    const f = outcome.findings[0]!;
    throw new MigrakitError("EMIGRAKIT_GENERATE_BASELINE", { message: f.message, fix: f.fix, detail: f.detail ?? "" });
  }
  await warm;
  const b = outcome.baseline;
  // Labelled branches: whatever the baseline holds, `upgrade heads` brings every branch to its head.
  const branches = plan.heads.length > 1;
  const scripts = branches ? plan.unreleased : scriptsUpTo(plan, b.start, upTo);
  let trimmed: { dir: string; tmp: string } | undefined;
  let untouched: Baseline | undefined;
  const dispose = async () => {
    await (untouched ?? b).db.drop();
    if (trimmed) await removeTempDir(trimmed.tmp);
  };
  try {
    if (scripts === null)
      throw new MigrakitError("EMIGRAKIT_GENERATE_BASELINE", {
        message: `the baseline is at ${b.start ?? "an empty database"}, which is not before ${upTo ?? "the first script"} in the chain`,
        fix: 'Set `baseline` to "replay" if the history applies from empty.',
        detail: "",
      });
    // Only the scripts still to run go to alembic (a long history is not loaded for every request).
    const after = b.start ? (scriptsAfter(plan, b.start) ?? []) : [];
    if (b.start && !branches && trimmable(b.start, after)) trimmed = await trimmedMigrations(repo, b.start, after);
    const params = packageParams(repo, { root: importRoot, versionTable, migrationsDir: trimmed?.dir });
    if (scripts.length > 0 && upTo) {
      try {
        await s.port.request("upgrade", { ...params, url: b.db.url, revision: branches ? "heads" : upTo });
      } catch (err) {
        const failure = s.failureOf(err);
        if (!failure) throw err;
        throw new MigrakitError("EMIGRAKIT_GENERATE_BASELINE", {
          message: `upgrading to ${upTo} failed: ${errorSummary(failure)}`,
          fix: "Fix the unreleased script that fails (`migrakit check` names it), then generate again.",
          detail: failureDetail(failure),
        });
      }
    }
    if (scripts.length === 0) untouched = readAhead ? readingAhead(b, versionTable) : b;
    const keyAt = (p: ChainPlan, revision: string | null) => {
      if (p.heads.length > 1) return undefined;
      const applied = scriptsUpTo(p, b.kind === "replay" ? null : b.start, revision);
      if (applied === null) return undefined;
      const release = b.release ? [b.release.commit, b.release.packageTree] : [];
      return hashParts([
        KEY_FORMAT,
        b.kind,
        b.start,
        ...release,
        repo.package,
        repo.importName,
        versionTable,
        envPy,
        ini,
        ...machine,
        ...applied.flatMap((x) => [x.path, x.text]),
      ]);
    };
    return { url: b.db.url, params, revision: upTo, baseline: b.kind, cached: b.cached, untouched, keyAt, dispose };
  } catch (err) {
    await dispose().catch(() => {});
    throw err;
  }
}
