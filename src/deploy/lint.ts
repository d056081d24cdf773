// The safety lint in deploy's confirmation: what the scripts about to be applied do to this instance
// (docs/lint.md), so the operator reads "drops column core.run.note" before answering. Nothing runs: the
// bridge records the ops in alembic's offline mode, reading column states from the instance as it is now.
// Findings are shown, never block here: `check` is where they block; an accepted one says why.
import type { Bridge, PackageParams } from "../bridge/index.js";
import type { Context } from "../output/context.js";
import { startDeployBridge } from "./bridge.js";
import type { DeployPackage } from "./package-state.js";
import { lintStep } from "../checks/dynamic/lint-step.js";
import { planChain } from "../checks/dynamic/chain-plan.js";
import type { LoadedConfig } from "../config/load.js";
import type { LintHit } from "../lint/lint.js";
import type { Recorded } from "../lint/recorded.js";
import type { SchemaRepo } from "../model/repo.js";
import { tableSizes } from "../db/table-sizes.js";

export async function deployLint(o: {
  bridge: Bridge;
  params: PackageParams;
  url: string;
  from: string | null;
  to: string;
  repo: SchemaRepo;
  config: LoadedConfig;
}): Promise<LintHit[]> {
  const answer = await o.bridge.request("offline_sql", {
    ...o.params,
    from: o.from,
    to: o.to,
    record: true,
    url: o.url,
  });
  const recorded: Recorded = answer.recorded ?? {};
  const pending = (planChain(o.repo)?.chain ?? []).filter(
    (s) => recorded[s.source.revision?.value ?? s.name.revision ?? ""],
  );
  const facts = await tableSizes(o.url);
  return (
    await lintStep(pending, recorded, { config: o.config, serverVersion: facts.serverVersion, sizes: facts.sizes })
  ).hits;
}

/** deployLint on a helper of its own, closed before the confirmation (the deploy starts its own after it). */
export async function lintPending(o: {
  pkg: DeployPackage;
  ctx: Context;
  url: string;
  from: string | null;
  to: string;
}): Promise<LintHit[]> {
  const { bridge, params } = await startDeployBridge(o.pkg, o.ctx);
  try {
    return await deployLint({
      bridge,
      params,
      url: o.url,
      from: o.from,
      to: o.to,
      repo: o.pkg.repo,
      config: o.pkg.config,
    });
  } finally {
    await bridge.close().catch(() => {});
  }
}

/** The lines above the question: one per finding, accepted ones with their reason. Pure. */
export function lintLines(hits: LintHit[]): string[] {
  if (hits.length === 0) return [];
  const file = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  return [
    "the safety lint on the scripts to apply (docs/lint.md):",
    ...hits.map(
      (h) =>
        `  ${h.accepted ? "accepted" : h.severity} ${h.rule}: ${h.what}${h.size ? ` (${h.size})` : ""} — ${file(h.file)}:${h.line ?? "?"}${h.accepted ? ` (${h.accepted})` : ""}`,
    ),
  ];
}
