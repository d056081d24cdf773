// One instance's deploy decided before anything is applied (pure): where it stands, what would be applied,
// and every reason to refuse — the instance ahead, applied scripts edited since (checksums), unreleased
// scripts — plus the lines the confirmation shows above its question. `deploy` and `deploy --targets` both
// go through here, so a fleet refuses exactly what a single deploy refuses.
import { MigrakitError } from "../errors/index.js";
import { recordedChecksums } from "./history.js";
import type { InstanceState } from "./instance.js";
import { appliedScripts, versionLabel, type DeployPlan, type PackageState, type ScriptInfo } from "./deploy-plan.js";
import { aheadError, instancePlan, versionStep } from "./status.js";

export interface CaseOptions {
  /** Revisions whose changed text the operator accepts (`--accept-changed REV`, repeatable). */
  acceptChanged: string[];
  allowUnreleased: boolean;
}

export interface ChangedScript {
  revision: string;
  file: string;
  recorded: string;
  current: string;
}

export interface Drift {
  /** Applied scripts whose text differs from the hash recorded when they were deployed. */
  changed: ChangedScript[];
  /** True when the instance has applied scripts but no hash recorded yet (deployed before checksums). */
  unrecorded: boolean;
}

export interface DeployCase {
  instance: InstanceState;
  plan: DeployPlan;
  step: string;
  drift: Drift;
  /** The pending unreleased scripts (allowed only with --allow-unreleased). */
  unreleased: ScriptInfo[];
  /** Changed scripts the operator accepted. */
  accepted: string[];
  /** Something to record even when nothing is pending (missing hashes, accepted changes). */
  record: boolean;
}

export function driftOf(pkg: PackageState, plan: DeployPlan, instance: InstanceState): Drift {
  const applied = appliedScripts(pkg, plan);
  const recorded = recordedChecksums(instance.history);
  if (!recorded) return { changed: [], unrecorded: applied.length > 0 };
  const changed: ChangedScript[] = [];
  for (const s of applied) {
    const was = recorded[s.revision];
    const now = s.facts?.checksum;
    if (was && now && was !== now) changed.push({ revision: s.revision, file: s.file, recorded: was, current: now });
  }
  return { changed, unrecorded: applied.some((s) => !recorded[s.revision]) };
}

/** The case, or the refusal (MigrakitError) that a deploy to this instance must end with. */
export function deployCase(pkg: PackageState, instance: InstanceState, opts: CaseOptions): DeployCase {
  const plan = instancePlan(pkg, instance);
  if (plan.state === "ahead") throw aheadError(pkg, plan, instance);
  const drift = driftOf(pkg, plan, instance);
  const accept = new Set(opts.acceptChanged);
  const refused = drift.changed.filter((c) => !accept.has(c.revision));
  if (refused.length) {
    throw new MigrakitError("EMIGRAKIT_APPLIED_SCRIPT_CHANGED", {
      target: instance.target,
      count: refused.length,
      scripts: refused.map((c) => `${c.file} (${c.revision})`).join(", "),
      first: refused[0]!.revision,
    });
  }
  const unreleased = plan.pending.filter((s) => s.unreleased);
  if (unreleased.length && !opts.allowUnreleased) {
    throw new MigrakitError("EMIGRAKIT_UNRELEASED_REFUSED", {
      target: instance.target,
      count: unreleased.length,
      scripts: unreleased.map((s) => s.file).join(", "),
    });
  }
  const accepted = drift.changed.map((c) => c.revision).filter((r) => accept.has(r));
  return {
    instance,
    plan,
    step: versionStep(plan),
    drift,
    unreleased,
    accepted,
    record: drift.unrecorded || accepted.length > 0,
  };
}

/**
 * The lines shown above the confirmation (and at the top of --sql output as comments). Callers may add
 * their own (`extra`): the safety lint's findings go there.
 */
export function caseNotes(c: DeployCase, extra: string[] = []): string[] {
  const lines: string[] = [];
  if (c.instance.empty)
    lines.push(
      c.instance.others?.length
        ? `the package is new to this database (it holds ${c.instance.others.join(", ")}, none of this package's tables): the version table is created and every script applied`
        : `the database is empty: the version table is created and every script applied`,
    );
  if (c.unreleased.length) {
    lines.push(
      `!! UNRELEASED: ${c.unreleased.length} vx_x_x script(s) may still change after this deploy (--allow-unreleased; recorded in the history):`,
    );
    for (const s of c.unreleased) lines.push(`!!   ${s.file}`);
  }
  for (const rev of c.accepted)
    lines.push(`accepting the changed text of ${rev} (--accept-changed; recorded in the history)`);
  if (c.drift.unrecorded)
    lines.push(
      "no content hashes are recorded for the scripts this instance ran (deployed before migrakit kept them): this deploy records them",
    );
  for (const s of c.plan.pending) {
    if (s.facts && !s.facts.transactional)
      lines.push(`runs without a transaction (migrakit_transaction = False): ${s.file}`);
    for (const d of s.facts?.drops ?? [])
      lines.push(`DROPS ${d.kind === "sql" ? d.name : `${d.kind} ${d.name}`} (${s.file}:${d.line})`);
  }
  return [...lines, ...extra];
}

/** The pending scripts as a listing. */
export function pendingLines(c: DeployCase): string[] {
  return c.plan.pending.map((s) => `  ${s.revision}  ${versionLabel(s).padEnd(12)}  ${s.file}`);
}
