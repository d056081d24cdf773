// The database the unreleased scripts start from (docs/spec.md §3 `baseline`), built once and kept as a template
// database keyed by a hash of what built it; a warm run clones the template instead of rebuilding.
//   replay  — upgrade an empty database through every released script (pytest-alembic's way);
//   release — create_all of the ORM as it was at the last release, stamped with that release's _migration
//             (how lamin's CI set up its test instances);
//   auto    — replay when the history replays from empty, else release.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Baseline as BaselineMode } from "../../config/schema.js";
import type pg from "pg";
import { connect, withClient } from "../../db/connect.js";
import type { FingerprintReader } from "../../db/fingerprint.js";
import { quoteIdent } from "../../db/identifiers.js";
import { createScratchDatabase, type ScratchDatabase } from "../../db/scratch.js";
import { cloneTemplate, createTemplateFrom } from "../../db/templates.js";
import { isMigrakitError } from "../../errors/index.js";
import type { SchemaRepo } from "../../model/repo.js";
import { parseInitFile } from "../../model/init-file.js";
import { makeTempDir, removeTempDir } from "../../util/temp-dirs.js";
import { finding, type Finding } from "../../errors/finding.js";
import { errorSummary, failureDetail, locateFailure, ormLocation, type RemoteFailure } from "./failure.js";
import { ormImportFinding } from "./orm-failure.js";
import { hashParts, templateKey } from "./keys.js";
import { packageParams } from "./package-params.js";
import type { ChainPlan } from "./chain-plan.js";
import type { BridgePort, FailureOf } from "./port.js";
import { exportPackage, findReleaseTree, isShallowClone, type ReleaseTree } from "./release-tree.js";
import { packageVersionOf } from "../../model/package-version.js";

/** Bump when what goes into a template changes meaning, so old templates are not reused. */
const FORMAT = "migrakit-baseline-1";

export interface BaselineInputs {
  repo: SchemaRepo;
  plan: ChainPlan;
  mode: BaselineMode;
  bridge: BridgePort;
  failureOf: FailureOf;
  adminUrl: string;
  /** Everything about the machine a baseline depends on: package versions, server version. */
  machine: string[];
  /** The env.py that runs (the repo's, or the built-in one's text). */
  envPy: string;
  versionTable: string;
  /** Keep and reuse template databases (false with --no-cache). */
  useTemplates: boolean;
  /** Where to remember that a history does not replay (null: nowhere). */
  cacheDir: string | null;
  env: NodeJS.ProcessEnv;
  /**
   * The ORM's schemas when the caller asks for them anyway (its warm-up request while the template is
   * cloned): then the baseline needs no request of its own for them. Undefined (or a failed ask): it asks.
   */
  ormSchemas?: Promise<string[] | undefined>;
  /**
   * Ask Python for the ORM's schemas when `ormSchemas` did not answer them (default true: generate compares
   * the ORM with this very database). `check` does not, and passes no `ormSchemas`: to its fingerprints an
   * empty schema is no difference (src/db/fingerprint.ts), and each of its upgrades creates the ORM's
   * schemas before the first script runs (python/migrakit_bridge/schema.py), so a schema missing here changes
   * nothing it reports. Its baseline is then ready as soon as it is cloned (the first fingerprint is read
   * while Python still imports), and a request (one more env.py run) is saved.
   */
  askOrmSchemas?: boolean;
}

export interface Baseline {
  db: ScratchDatabase;
  kind: "replay" | "release";
  /** The revision the database is at (null: empty, before the first script). */
  start: string | null;
  release?: ReleaseTree;
  /** True when cloned from a template built by an earlier run. */
  cached: boolean;
  /** Why `auto` did not replay. */
  note?: string;
  /**
   * Its fingerprint reader, opened and its first fingerprint read by whoever hands the baseline over untouched
   * (generate, while Python compares the ORM with it): the check's first fingerprint is then no step of its
   * own. `db.drop` closes it first.
   */
  reading?: Promise<FingerprintReader & { first: string }>;
}

export type BaselineOutcome = { ok: true; baseline: Baseline } | { ok: false; findings: Finding[] };

type Built = { ok: true; db: ScratchDatabase } | { ok: false; failure: RemoteFailure };

function replayKey(i: BaselineInputs): string {
  const scripts = i.plan.released.flatMap((s) => [s.path, s.text]);
  return templateKey(
    i.repo.importName,
    hashParts([FORMAT, "replay", i.repo.package, i.versionTable, i.envPy, ...i.machine, ...scripts]),
  );
}

function releaseKey(i: BaselineInputs, tree: ReleaseTree): string {
  return templateKey(
    i.repo.importName,
    hashParts([FORMAT, "release", i.repo.package, i.versionTable, i.envPy, ...i.machine, tree.packageTree]),
  );
}

/** Run `build` on a fresh scratch database; drop it when the build fails. */
async function building(
  adminUrl: string,
  build: (db: ScratchDatabase) => Promise<RemoteFailure | undefined>,
): Promise<Built> {
  const db = await createScratchDatabase(adminUrl);
  try {
    const failure = await build(db);
    if (failure) {
      await db.drop();
      return { ok: false, failure };
    }
    return { ok: true, db };
  } catch (err) {
    await db.drop().catch(() => {});
    throw err;
  }
}

/** A bridge call whose failure of the repo's code is returned, anything else thrown. */
async function attempt(i: BaselineInputs, call: () => Promise<unknown>): Promise<RemoteFailure | undefined> {
  try {
    await call();
    return undefined;
  } catch (err) {
    const failure = i.failureOf(err);
    if (!failure) throw err;
    return failure;
  }
}

async function createSchemas(url: string, schemas: string[]): Promise<void> {
  if (schemas.length === 0) return;
  await withClient(url, (client) => createSchemasOn(client, schemas));
}

/** One message for all of them: one round trip. */
async function createSchemasOn(client: pg.Client, schemas: string[]): Promise<void> {
  if (schemas.length)
    await client.query(schemas.map((s) => `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)}`).join(";\n"));
}

function buildReplay(i: BaselineInputs): Promise<Built> {
  const params = packageParams(i.repo, { versionTable: i.versionTable });
  return building(i.adminUrl, async (db) => {
    // Labelled branches (convention alembic): up to where each branch's released history ends.
    for (const revision of i.plan.releasedHeads) {
      const failure = await attempt(i, () => i.bridge.request("upgrade", { ...params, url: db.url, revision }));
      if (failure) return failure;
    }
    if (i.plan.releasedHead) return undefined;
    // Nothing released: the empty database, with the ORM's schemas (an upgrade would create them too).
    let schemas: string[] = [];
    const failure = await attempt(i, async () => (schemas = await i.bridge.request("schemas", params)));
    if (failure) return failure;
    await createSchemas(db.url, schemas);
    return undefined;
  });
}

async function buildRelease(
  i: BaselineInputs,
  tree: ReleaseTree,
  migration: string | null,
  dir: string,
): Promise<Built> {
  const params = packageParams(i.repo, { root: dir, versionTable: i.versionTable });
  return building(i.adminUrl, async (db) => {
    const failure = await attempt(i, () => i.bridge.request("create_all", { ...params, url: db.url }));
    if (failure || !migration) return failure;
    return attempt(i, () => i.bridge.request("stamp", { ...params, url: db.url, revision: migration }));
  });
}

/** The database for `key`: a clone of its template, or built now (and kept as the template when allowed). */
async function fromTemplate(
  i: BaselineInputs,
  key: string,
  build: () => Promise<Built>,
): Promise<Built & { cached?: boolean }> {
  if (i.useTemplates) {
    // The copy itself says whether the template is there (one connection less than asking first).
    try {
      return { ok: true, db: await cloneTemplate(i.adminUrl, key), cached: true };
    } catch (err) {
      // Not built yet, or pruned by another run: build it.
      if (!(isMigrakitError(err) && err.code === "EMIGRAKIT_TEMPLATE_MISSING")) throw err;
    }
  }
  const built = await build();
  if (!built.ok || !i.useTemplates) return { ...built, cached: false };
  await createTemplateFrom(i.adminUrl, built.db.name, key);
  return { ok: true, db: await cloneTemplate(i.adminUrl, key), cached: false };
}

// `auto` remembers that a history does not replay, so warm runs go straight to the release baseline.
const markerPath = (dir: string, key: string) => join(dir, "replay-failed", `${key}.json`);

async function readMarker(i: BaselineInputs, key: string): Promise<RemoteFailure | undefined> {
  if (!i.cacheDir || !i.useTemplates) return undefined;
  const text = await readFile(markerPath(i.cacheDir, key), "utf8").catch(() => undefined);
  try {
    const marker: unknown = text ? JSON.parse(text) : undefined;
    // A marker of an older migrakit (a traceback, no frames) is as good as none: the replay is tried again.
    return isFailure(marker) ? marker : undefined;
  } catch {
    return undefined;
  }
}

function isFailure(v: unknown): v is RemoteFailure {
  const o = v as Partial<RemoteFailure> | undefined;
  return typeof o?.type === "string" && typeof o.message === "string" && Array.isArray(o.frames);
}

async function writeMarker(i: BaselineInputs, key: string, failure: RemoteFailure): Promise<void> {
  if (!i.cacheDir) return;
  await mkdir(join(i.cacheDir, "replay-failed"), { recursive: true }).catch(() => {});
  await writeFile(markerPath(i.cacheDir, key), JSON.stringify(failure)).catch(() => {});
}

function replayFinding(i: BaselineInputs, failure: RemoteFailure): Finding {
  const orm = ormImportFinding(failure, i.repo.package);
  if (orm) return orm;
  const where = locateFailure(failure.frames, i.plan.released);
  return finding(
    "EMIGRAKIT_REPLAY_FAILED",
    where,
    { file: where.file ?? "a released script", error: errorSummary(failure), mode: i.mode },
    { detail: failureDetail(failure) },
  );
}

function releaseNote(failure: RemoteFailure, i: BaselineInputs): string {
  const orm = ormLocation(failure.frames, i.repo.package);
  if (orm) return `the ORM fails to import (${orm.file}:${orm.line}: ${errorSummary(failure)})`;
  const where = locateFailure(failure.frames, i.plan.released);
  return `the history does not replay from empty (${where.file ?? "a released script"}: ${errorSummary(failure)})`;
}

async function releaseBaseline(i: BaselineInputs, note?: string): Promise<BaselineOutcome> {
  const tree = await findReleaseTree(i.repo, i.env);
  const version = packageVersionOf(i.repo.init, i.repo.pyproject)?.value ?? "?";
  if (!tree) {
    // Only asked once nothing was found: a shallow clone is then the likely cause, and fetching the fix.
    const shallow = await isShallowClone(i.repo.root, i.env);
    return {
      ok: false,
      findings: [finding("EMIGRAKIT_NO_RELEASE", { file: i.repo.init?.path }, { version, note: note ?? "", shallow })],
    };
  }
  const tmp = await makeTempDir("migrakit-release-");
  try {
    await exportPackage(i.repo, tree.commit, tmp, i.env);
    const initText = await readFile(join(tmp, i.repo.package, "__init__.py"), "utf8").catch(() => "");
    const migration = parseInitFile(initText).migration?.value ?? null;
    const got = await fromTemplate(i, releaseKey(i, tree), () => buildRelease(i, tree, migration, tmp));
    if (!got.ok) {
      const f = got.failure;
      return {
        ok: false,
        findings: [
          finding(
            "EMIGRAKIT_RELEASE_BASELINE_FAILED",
            { file: i.repo.init?.path },
            { ref: tree.ref, error: errorSummary(f) },
            { detail: failureDetail(f) },
          ),
        ],
      };
    }
    return {
      ok: true,
      baseline: { db: got.db, kind: "release", start: migration, release: tree, cached: got.cached ?? false, note },
    };
  } finally {
    await removeTempDir(tmp);
  }
}

/**
 * The baseline as migrakit's own upgrade sees it: that upgrade creates the schemas of the ORM as it is now
 * (python/migrakit_bridge/schema.py `create_schemas`) before the first script runs, so the "before" of the
 * round trip must hold them too. A cloned template (built for an earlier ORM, e.g. one whose models were not
 * imported yet) or a release's ORM may lack a schema the ORM uses now; without it, the downgrade of a script
 * that creates that schema would be reported as leaving it behind (issue 17, the newcomer's first script).
 * A failing import is left to the upgrade that follows, which reports it with the ORM's file and line.
 * (Since the fingerprint counts no empty schema, `check` leaves them to its upgrades: `askOrmSchemas`.)
 */
async function withOrmSchemas(i: BaselineInputs, outcome: BaselineOutcome): Promise<BaselineOutcome> {
  if (!outcome.ok) return outcome;
  const b = outcome.baseline;
  if (b.kind === "replay" && !b.cached && !i.plan.releasedHead) return outcome; // buildReplay just did it
  if (i.ormSchemas) {
    // Connected while Python still imports the ORM for its answer: the comparison waits on these schemas.
    const client = connect(b.db.url);
    client.catch(() => {});
    const schemas = await i.ormSchemas;
    if (schemas) {
      const c = await client;
      try {
        await createSchemasOn(c, schemas);
      } finally {
        await c.end().catch(() => {});
      }
      return outcome;
    }
    void client.then((c) => c.end()).catch(() => {});
  }
  if (i.askOrmSchemas === false) return outcome;
  let schemas: string[] | undefined;
  const failure = await attempt(
    i,
    async () =>
      // On the baseline itself: an env.py that builds its own engine when handed no connection cannot
      // run offline (its URL names no server).
      (schemas = await i.bridge.request("schemas", {
        ...packageParams(i.repo, { versionTable: i.versionTable }),
        url: b.db.url,
      })),
  );
  if (!failure && schemas) await createSchemas(b.db.url, schemas);
  return outcome;
}

export async function prepareBaseline(i: BaselineInputs): Promise<BaselineOutcome> {
  return withOrmSchemas(i, await chooseBaseline(i));
}

async function chooseBaseline(i: BaselineInputs): Promise<BaselineOutcome> {
  if (i.mode === "release") return releaseBaseline(i);
  const key = replayKey(i);
  if (i.mode === "auto") {
    const known = await readMarker(i, key);
    if (known) return releaseBaseline(i, releaseNote(known, i));
  }
  const got = await fromTemplate(i, key, () => buildReplay(i));
  if (got.ok)
    return {
      ok: true,
      baseline: { db: got.db, kind: "replay", start: i.plan.releasedHead, cached: got.cached ?? false },
    };
  if (i.mode === "replay") return { ok: false, findings: [replayFinding(i, got.failure)] };
  await writeMarker(i, key, got.failure);
  const release = await releaseBaseline(i, releaseNote(got.failure, i));
  // Neither works: the replay failure is the one to fix first.
  if (!release.ok && release.findings.every((f) => f.code === "EMIGRAKIT_NO_RELEASE"))
    return { ok: false, findings: [replayFinding(i, got.failure)] };
  return release;
}
