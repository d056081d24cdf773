// The dynamic checks of `migrakit check` (docs/spec.md §2), for one schema package, on a scratch Postgres through
// the Python bridge: the baseline builds; the unreleased scripts upgrade it to head, one by one; the ORM
// matches the database at head (else: the `op.*` block to paste); each unreleased script's downgrade
// restores the schema and its upgrade applies again.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { LoadedConfig } from "../config/load.js";
import type { SchemaRepo } from "../model/repo.js";
import type { Diff } from "../bridge/contract.js";
import { fromPackageRoot } from "../util/package-root.js";
import { finding, type Finding } from "../errors/finding.js";
import { prepareBaseline, type Baseline, type BaselineOutcome } from "./dynamic/baseline.js";
import { errorSummary, failureDetail } from "./dynamic/failure.js";
import { ormImportFinding } from "./dynamic/orm-failure.js";
import { modelsMismatchFinding } from "./dynamic/models-match.js";
import { predatingFinding } from "./dynamic/predating.js";
import { packageParams, versionTableOf, versionTablesOf } from "./dynamic/package-params.js";
import { planChain, scriptsAfter, type ChainPlan } from "./dynamic/chain-plan.js";
import type { BridgePort, CompareResult, FailureOf } from "./dynamic/port.js";
import { roundTrip, upgradeEach } from "./dynamic/steps.js";
import { trimmable, trimmedMigrations } from "./dynamic/trimmed-scripts.js";
import { removeTempDir } from "../util/temp-dirs.js";
import { clearProgress, progress } from "../output/progress.js";
import { lintHistory, lintStep } from "./dynamic/lint-step.js";
import { fingerprintReader } from "../db/fingerprint.js";
import type { LintHit } from "../lint/lint.js";

export interface DynamicOptions {
  bridge: BridgePort;
  failureOf: FailureOf;
  adminUrl: string;
  serverVersion: string;
  /** The interpreter's package versions (the bridge's `versions` answer). */
  pythonVersions: Record<string, unknown>;
  config: LoadedConfig;
  env: NodeJS.ProcessEnv;
  /** Keep and reuse template databases (false with --no-cache). */
  useTemplates: boolean;
  cacheDir: string | null;
  /**
   * The baseline database already prepared for this repo and still untouched (the one `generate` compared
   * against, in the hook): used instead of cloning the template again, and dropped by the check.
   */
  baseline?: Baseline;
  /** `check --all`: lint the released scripts too (docs/lint.md). */
  lintAll?: boolean;
  /**
   * Where to leave the scratch database's drop instead of waiting for it (it waits for the template's next
   * spare, tens of ms): the caller awaits them all before it ends, while its last request runs meanwhile.
   */
  drops?: Promise<void>[];
  /**
   * The differences HEAD's ORM already had (the hook, from generate): a mismatch made of them alone is the
   * warning EMIGRAKIT_DRIFT_PREDATES, not an error (checks/dynamic/predating.ts). `check` never sets it.
   */
  predating?: Diff[];
}

export interface BaselineReport {
  kind: "replay" | "release";
  /** The release tag or commit a `release` baseline was built from. */
  ref?: string;
  cached: boolean;
  note?: string;
}

export interface DynamicReport {
  package: string;
  baseline?: BaselineReport;
  findings: Finding[];
  /** Every safety rule that fired on the unreleased scripts, accepted ones included (release notes, deploy). */
  lint?: LintHit[];
}

/** The built-in env.py the bridge runs when the repo has none (its text is part of cache keys). */
const BUILTIN_ENV = fromPackageRoot("python", "templates", "env.py");

export async function envPyText(repo: SchemaRepo): Promise<string> {
  const own = await readFile(join(repo.root, repo.migrationsDir, "env.py"), "utf8").catch(() => undefined);
  if (own !== undefined) return own;
  return "builtin\n" + (await readFile(BUILTIN_ENV, "utf8").catch(() => ""));
}

function baselineReport(b: Baseline): BaselineReport {
  const r: BaselineReport = { kind: b.kind, cached: b.cached };
  if (b.release) r.ref = b.release.ref;
  if (b.note) r.note = b.note;
  return r;
}

export function describeBaseline(b: BaselineReport): string {
  const what = b.kind === "release" ? `release (create_all at ${b.ref ?? "?"})` : "replay";
  return `baseline: ${what}${b.cached ? ", from cache" : ""}${b.note ? `; ${b.note}` : ""}`;
}

export async function dynamicCheck(repo: SchemaRepo, o: DynamicOptions): Promise<DynamicReport> {
  const report: DynamicReport = { package: repo.package, findings: [] };
  const plan = planChain(repo);
  if (!plan) {
    await o.baseline?.db.drop();
    return report; // no single linear chain: the static rules say why, alembic could not run it
  }
  const versionTable = versionTableOf(repo, o.config.versionTable);
  // While Postgres clones the baseline and the first fingerprint is read, let Python import alembic, the
  // package and env.py (an offline `schemas` request, as generate does): the first upgrade, queued behind
  // it, then starts warm. It runs on a migrations folder with no history (a long one would be parsed for
  // nothing), and its failure is reported by the upgrade that follows, so it is only waited for, never
  // raised. Its answer is not needed: the check's baseline need not hold the ORM's schemas (askOrmSchemas).
  const warmDir = o.baseline ? undefined : await trimmedMigrations(repo, "0000migrakit", []);
  const warm =
    warmDir &&
    o.bridge
      .request("schemas", packageParams(repo, { versionTable, migrationsDir: warmDir.dir }))
      .catch(() => undefined);
  try {
    return await checkPlan(repo, plan, versionTable, o, report);
  } finally {
    // Python reads the warm-up's folder until it answers; it must not outlive the run either way.
    await warm;
    if (warmDir) await removeTempDir(warmDir.tmp);
  }
}

async function checkPlan(
  repo: SchemaRepo,
  plan: ChainPlan,
  versionTable: string,
  o: DynamicOptions,
  report: DynamicReport,
): Promise<DynamicReport> {
  if (!o.baseline) progress(`${repo.package}: building the baseline`);
  const outcome: BaselineOutcome = o.baseline
    ? { ok: true, baseline: o.baseline }
    : await prepareBaseline({
        repo,
        plan,
        mode: o.config.baseline,
        bridge: o.bridge,
        failureOf: o.failureOf,
        adminUrl: o.adminUrl,
        machine: [JSON.stringify(o.pythonVersions), `postgres ${o.serverVersion}`],
        envPy: await envPyText(repo),
        versionTable,
        useTemplates: o.useTemplates,
        cacheDir: o.cacheDir,
        env: o.env,
        askOrmSchemas: false,
      });
  if (!outcome.ok) {
    report.findings.push(...outcome.findings);
    return report;
  }
  const baseline = outcome.baseline;
  report.baseline = baselineReport(baseline);
  let trimmed: { dir: string; tmp: string } | undefined;
  let reader: Awaited<ReturnType<typeof fingerprintReader>> | undefined;
  try {
    const scripts = baseline.kind === "replay" ? plan.unreleased : scriptsAfter(plan, baseline.start);
    if (!scripts) {
      report.findings.push(
        finding(
          "EMIGRAKIT_RELEASE_REVISION_UNKNOWN",
          { file: repo.init?.path },
          { ref: baseline.release?.ref, revision: baseline.start },
        ),
      );
      return report;
    }
    // Only the scripts still to run are handed to alembic: a long history is not loaded again for each step.
    // One stand-in root cannot stand for the released ends of several branches, nor for the older parent of a
    // merge: those keep the whole folder.
    if (baseline.start && plan.heads.length <= 1 && trimmable(baseline.start, scripts))
      trimmed = await trimmedMigrations(repo, baseline.start, scripts);
    const params = packageParams(repo, { versionTable, migrationsDir: trimmed?.dir });
    const versionTables = versionTablesOf(versionTable);
    // Each step reads the schema once or twice: over one connection, not one per read (opened, and the first
    // read, while generate still compared, when the baseline comes from it).
    const ahead = await baseline.reading?.catch(() => undefined);
    reader = ahead ?? (await fingerprintReader(baseline.db.url, { excludeTables: versionTables }));
    const steps = {
      bridge: o.bridge,
      failureOf: o.failureOf,
      params,
      url: baseline.db.url,
      scripts,
      versionTables,
      readSchema: reader.read,
      ...(ahead ? { first: ahead.first } : {}),
      start: baseline.start,
      baselineLabel: baseline.kind,
      requireDowngrade: o.config.requireDowngrade,
      pkg: repo.package,
      // Off only when bench/hook measures what the lint costs (MIGRAKIT_BENCH_NO_LINT); never a user setting.
      record: o.env.MIGRAKIT_BENCH_NO_LINT !== "1",
      branches: plan.heads.length > 1,
    };
    const up = await upgradeEach(steps, { compare: true });
    report.findings.push(...up.findings);
    if (o.lintAll) {
      const released = plan.chain.filter((s) => !scripts.includes(s));
      report.findings.push(
        ...(await lintHistory({
          released,
          bridge: o.bridge,
          failureOf: o.failureOf,
          params: packageParams(repo, { versionTable }),
          adminUrl: o.adminUrl,
          config: o.config,
          serverVersion: o.serverVersion,
        })),
      );
    }
    if (steps.record) {
      const lint = await lintStep(scripts, up.recorded, { config: o.config, serverVersion: o.serverVersion });
      report.findings.push(...lint.findings);
      report.lint = lint.hits;
    }
    if (!up.schemas) return report;
    // The last upgrade compared already (one request less); without unreleased scripts, or when that
    // comparison failed (the compare request reports the failure), compare on its own.
    let compared: CompareResult | undefined = up.compared;
    if (!compared) progress(`${repo.package}: comparing the ORM with the database`);
    try {
      compared ??= await o.bridge.request("compare", { ...params, url: baseline.db.url });
    } catch (err) {
      const failure = o.failureOf(err);
      if (!failure) throw err;
      report.findings.push(
        ormImportFinding(failure, repo.package) ??
          finding(
            "EMIGRAKIT_COMPARE_FAILED",
            { file: repo.init?.path },
            { error: errorSummary(failure) },
            { detail: failureDetail(failure) },
          ),
      );
    }
    if (compared) {
      const mismatch =
        predatingFinding(compared.diffs, o.predating ?? [], repo.init?.path) ??
        modelsMismatchFinding(compared, scripts.at(-1));
      if (mismatch) report.findings.push(mismatch);
    }
    report.findings.push(...(await roundTrip(steps, up.schemas)));
    return report;
  } finally {
    clearProgress();
    // The reader's connection goes first: a database with a session on it cannot be dropped.
    const dropped = (reader ? reader.close() : Promise.resolve()).then(() => baseline.db.drop());
    if (o.drops) {
      dropped.catch(() => {}); // awaited (and its failure reported) by the caller
      o.drops.push(dropped);
    } else await dropped;
    if (trimmed) await removeTempDir(trimmed.tmp);
  }
}
