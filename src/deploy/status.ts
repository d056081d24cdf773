// `status`: the instance against the package, as data and as text (pure, apart from the types it reads).
import { MigrakitError } from "../errors/index.js";
import { versionOfRevision } from "./history.js";
import type { Drift } from "./case.js";
import type { InstanceState } from "./instance.js";
import { planDeploy, versionLabel, type DeployPlan, type PackageState } from "./deploy-plan.js";

/** The plan, or the error when the instance holds several revisions. */
export function instancePlan(pkg: PackageState, instance: InstanceState): DeployPlan {
  if (instance.revisions.length > 1) {
    throw new MigrakitError("EMIGRAKIT_INSTANCE_HEADS", {
      table: `${instance.schema}.${instance.table}`,
      target: instance.target,
      revisions: instance.revisions.join(", "),
    });
  }
  return planDeploy(pkg, instance.revisions[0] ?? null);
}

/** lamin's guard: the instance runs a revision the package does not know. */
export function aheadError(pkg: PackageState, plan: DeployPlan, instance: InstanceState): MigrakitError {
  const revision = plan.current ?? "";
  const version = versionOfRevision(instance.history, revision);
  // A revision deployed with --allow-unreleased is in no release, whatever version the history row names (the
  // checkout's __version__ then, often the one installed now): installing that version cannot help.
  const unreleased = instance.history.some((r) => r.unreleased.includes(revision));
  const known = version && !unreleased && version !== pkg.version ? version : null;
  return new MigrakitError("EMIGRAKIT_INSTANCE_AHEAD", {
    target: instance.target,
    revision: plan.current,
    package: pkg.name,
    installed: pkg.version ? pkg.version : "(no __version__)",
    instanceVersion: unreleased
      ? `an unreleased (vx_x_x) script of ${pkg.name}, deployed with --allow-unreleased`
      : known
        ? `${pkg.name} ${known}`
        : `a version of ${pkg.name} newer than ${pkg.version ?? "the installed one"}`,
    install: known ? `${pkg.name}==${known}` : undefined,
    unreleased,
  });
}

/** `vA → vB`: the release the instance is at, and the package version a deploy brings it to. */
export function versionStep(plan: DeployPlan): string {
  const from = plan.current === null ? "empty" : versionLabel(plan.currentScript ?? undefined);
  return `${from} → ${plan.packageVersion ? `v${plan.packageVersion}` : "(no __version__)"}`;
}

const NO_DRIFT: Drift = { changed: [], unrecorded: false };

export function statusJson(
  pkg: PackageState,
  plan: DeployPlan,
  instance: InstanceState,
  drift: Drift = NO_DRIFT,
): Record<string, unknown> {
  return {
    ok: plan.state === "up_to_date" && !drift.changed.length,
    state: plan.state,
    instance: {
      target: instance.target,
      versionTable: `${instance.schema}.${instance.table}`,
      revision: plan.current,
      version: plan.currentScript
        ? plan.currentScript.version
        : plan.state === "ahead"
          ? versionOfRevision(instance.history, plan.current ?? "")
          : null,
      unreleased: plan.currentScript?.unreleased ?? false,
      lastDeploy: instance.history.at(-1) ?? null,
      empty: instance.empty ?? false,
      ...(instance.others?.length ? { otherPackages: instance.others } : {}),
    },
    changed: drift.changed,
    hashesRecorded: !drift.unrecorded,
    package: { name: pkg.name, version: pkg.version, head: plan.head },
    pending: plan.pending.map((s) => ({
      file: s.file,
      revision: s.revision,
      version: s.version,
      unreleased: s.unreleased,
    })),
  };
}

export function statusText(
  pkg: PackageState,
  plan: DeployPlan,
  instance: InstanceState,
  drift: Drift = NO_DRIFT,
): string {
  const newHere = instance.others?.length
    ? `: not created yet, the package is new to this database (it holds ${instance.others.join(", ")})`
    : ": not created yet, the database is empty";
  const lines = [
    `instance  ${instance.target} (${instance.schema}.${instance.table}${instance.empty ? newHere : ""})`,
    `  revision ${plan.current ?? (instance.empty ? (instance.others?.length ? "(none: new to this package)" : "(none: empty database)") : "(none: empty version table)")}${plan.currentScript ? `  ${versionLabel(plan.currentScript)}` : ""}`,
    `package   ${pkg.name} ${pkg.version ?? "(no __version__)"}`,
    `  head     ${plan.head ?? "(no scripts)"}`,
  ];
  const last = instance.history.at(-1);
  if (last)
    lines.push(`last deploy ${last.deployedAt} by ${last.deployedBy}: ${last.version ?? "?"} (${last.revision})`);
  for (const c of drift.changed)
    lines.push(
      `CHANGED since deployed: ${c.file} (${c.revision}): recorded ${c.recorded.slice(0, 12)}, now ${c.current.slice(0, 12)}`,
    );
  if (drift.unrecorded)
    lines.push(
      "no content hashes recorded for the applied scripts yet (deployed before migrakit kept them): the next deploy records them",
    );
  if (plan.state === "up_to_date") lines.push("up to date: nothing to deploy");
  if (plan.state === "behind") {
    lines.push(`${plan.pending.length} script(s) to deploy (${versionStep(plan)}):`);
    for (const s of plan.pending) lines.push(`  ${s.revision}  ${versionLabel(s).padEnd(12)}  ${s.file}`);
  }
  return lines.join("\n");
}
