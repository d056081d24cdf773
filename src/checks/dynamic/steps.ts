// The unreleased scripts on the baseline database, one at a time: upgrade each (a failure names the
// script), then walk back down (each downgrade must restore the schema from before its upgrade) and up
// again (each upgrade must give the same schema as the first time). Schemas are compared by fingerprint,
// read with pg from the catalog, leaving out the alembic version table.
import { schemaFingerprint } from "../../db/fingerprint.js";
import type { ScriptFile } from "../../model/repo.js";
import { finding, type Finding } from "../../errors/finding.js";
import { errorSummary, failureDetail, locateFailure, type RemoteFailure } from "./failure.js";
import { ormImportFinding } from "./orm-failure.js";
import { parentOf, revisionOf } from "./chain-plan.js";
import type { BridgePort, CompareResult, FailureOf, PackageParams } from "./port.js";
import { functionLine, isEmptyFunction } from "./script-body.js";
import { schemaDiff } from "./schema-diff.js";
import { progress } from "../../output/progress.js";
import type { Recorded } from "../../lint/recorded.js";

export interface StepInputs {
  bridge: BridgePort;
  failureOf: FailureOf;
  params: PackageParams;
  url: string;
  scripts: ScriptFile[];
  /** Tables left out of fingerprints (the version tables). */
  versionTables: string[];
  /** The revision the database starts at (null: empty). */
  start: string | null;
  baselineLabel: string;
  requireDowngrade: boolean;
  /** The schema package folder: a failure raised in its ORM is reported as the ORM's. */
  pkg: string;
  /** Record what each script does for the safety lint (false only for bench/hook's lint-cost ratio). */
  record: boolean;
  /** Reads the schema fingerprint (over a kept connection); default: a connection per read. */
  readSchema?: () => Promise<string>;
  /** The fingerprint of the database as it starts, when it was read already. */
  first?: string;
  /**
   * The history has labelled branches (convention alembic): a downgrade to a script's parent would also undo
   * the other branches built on that parent, so each script is undone alone (`<revision>@-1`, one step down
   * its own branch; the scripts after it in the walk, its dependents among them, are already undone).
   */
  branches?: boolean;
}

/** The downgrade target that undoes exactly `s` (the database is at `s` on its branch). */
const undoing = (i: StepInputs, s: ScriptFile) => (i.branches ? `${revisionOf(s)}@-1` : parentOf(s));

async function call(i: StepInputs, fn: () => Promise<unknown>): Promise<RemoteFailure | undefined> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    const failure = i.failureOf(err);
    if (!failure) throw err;
    return failure;
  }
}

const fingerprint = async (i: StepInputs) =>
  i.readSchema ? i.readSchema() : (await schemaFingerprint(i.url, { excludeTables: i.versionTables })).text;
const at = (s: ScriptFile, fn: "upgrade" | "downgrade") => ({ file: s.path, line: functionLine(s.text, fn) ?? 1 });

/**
 * Upgrade through every script; returns the findings and, when all applied, the fingerprints (before, after
 * each), plus what each script did as the bridge recorded it (for the safety lint, src/lint/): recorded on
 * this very upgrade, so the lint sees each script on the database at its parent revision for free.
 * `compare`: the last upgrade also compares the ORM with the database at head (`compared`), on the same
 * connection and env.py run: the models-match check then needs no request of its own.
 */
export async function upgradeEach(
  i: StepInputs,
  o: { compare?: boolean } = {},
): Promise<{ findings: Finding[]; schemas?: string[]; recorded: Recorded; compared?: CompareResult }> {
  const schemas = [i.first ?? (await fingerprint(i))];
  const recorded: Recorded = {};
  let compared: CompareResult | undefined;
  for (const [n, s] of i.scripts.entries()) {
    progress("upgrading scripts", { done: n + 1, total: i.scripts.length });
    const compare = o.compare === true && n === i.scripts.length - 1;
    const failure = await call(i, async () => {
      const r = await i.bridge.request("upgrade", {
        ...i.params,
        url: i.url,
        revision: revisionOf(s),
        record: i.record,
        ...(compare ? { compare } : {}),
      });
      Object.assign(recorded, r.recorded ?? {});
      compared = r.compared;
    });
    if (failure) {
      // The failing statement's line when a frame Python reported is in the script, else `def upgrade()`.
      const where = locateFailure(failure.frames, [s]);
      const line = where.line ?? at(s, "upgrade").line;
      const f =
        ormImportFinding(failure, i.pkg) ??
        finding(
          "EMIGRAKIT_UPGRADE_FAILED",
          { file: s.path, line },
          { file: s.path, baseline: i.baselineLabel, error: errorSummary(failure) },
          { detail: failureDetail(failure) },
        );
      return { findings: [f], recorded };
    }
    schemas.push(await fingerprint(i));
  }
  return { findings: [], schemas, recorded, compared };
}

/** Down from head as far as the downgrades go, then up again; the database ends at head when all is well. */
export async function roundTrip(i: StepInputs, schemas: string[]): Promise<Finding[]> {
  const out: Finding[] = [];
  let k = i.scripts.length; // the database is at scripts[k-1] (k = 0: at the start)
  if (k > 0) progress("downgrade/upgrade round trip");
  while (k > 0) {
    const s = i.scripts[k - 1]!;
    const before = schemas[k - 1]!;
    const after = schemas[k]!;
    if (isEmptyFunction(s.text, "downgrade")) {
      if (before === after) {
        // Nothing to undo (a data migration, or an empty script): still move the version back.
        const failure = await call(i, () =>
          i.bridge.request("downgrade", { ...i.params, url: i.url, revision: undoing(i, s) }),
        );
        if (failure) break;
        k--;
        continue;
      }
      out.push(
        finding(
          "EMIGRAKIT_DOWNGRADE_EMPTY",
          at(s, "downgrade"),
          { file: s.path },
          { severity: i.requireDowngrade ? "error" : "warning", detail: schemaDiff(before, after) },
        ),
      );
      break; // below this script the schema would not be what the older downgrades expect
    }
    const failure = await call(i, () =>
      i.bridge.request("downgrade", { ...i.params, url: i.url, revision: undoing(i, s) }),
    );
    if (failure) {
      out.push(
        finding(
          "EMIGRAKIT_DOWNGRADE_FAILED",
          at(s, "downgrade"),
          { file: s.path, error: errorSummary(failure) },
          { detail: failureDetail(failure) },
        ),
      );
      return out; // the database is somewhere in between: going up again proves nothing
    }
    k--;
    const now = await fingerprint(i);
    if (now !== before) {
      out.push(
        finding(
          "EMIGRAKIT_DOWNGRADE_INCOMPLETE",
          at(s, "downgrade"),
          { file: s.path },
          { detail: schemaDiff(before, now) },
        ),
      );
      return out; // upgrading again would only fail on what the downgrade left behind
    }
  }
  // Up again from where the walk down stopped.
  for (; k < i.scripts.length; k++) {
    const s = i.scripts[k]!;
    const failure = await call(i, () =>
      i.bridge.request("upgrade", { ...i.params, url: i.url, revision: revisionOf(s) }),
    );
    if (failure) {
      out.push(
        finding(
          "EMIGRAKIT_ROUND_TRIP_FAILED",
          at(s, "upgrade"),
          { file: s.path, error: errorSummary(failure) },
          { detail: failureDetail(failure) },
        ),
      );
      return out;
    }
    const now = await fingerprint(i);
    if (now !== schemas[k + 1]) {
      out.push(
        finding(
          "EMIGRAKIT_ROUND_TRIP_MISMATCH",
          at(s, "upgrade"),
          { file: s.path },
          { detail: schemaDiff(schemas[k + 1]!, now) },
        ),
      );
      return out;
    }
  }
  return out;
}
