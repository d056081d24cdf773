// Starting the Python bridge for a deploy command, in the repo, with the package's params.
import type { Bridge } from "../bridge/index.js";
import type { PackageParams } from "../bridge/contract.js";
import { packageParams } from "../checks/dynamic/package-params.js";
import type { DeployPackage } from "./package-state.js";

export async function startDeployBridge(
  pkg: DeployPackage,
  ctx: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ bridge: Bridge; params: PackageParams }> {
  const { findPython, startBridge } = await import("../bridge/index.js");
  const found = await findPython({ configPython: pkg.config.python, cwd: ctx.cwd, env: ctx.env });
  // A stopped deploy cancels its statement and rolls back before the helper exits: give it time to (the
  // helper exits at once when it has nothing in hand, so this delays nothing else).
  // Never the warm worker: a deploy's helper must be our own child, whose stdin closing (migrakit killed)
  // makes it roll back, and the speed of an operator's deploy is Postgres's, not Python's import.
  const bridge = await startBridge({
    python: found.python,
    cwd: ctx.cwd,
    env: ctx.env,
    stopGraceMs: 60_000,
    worker: false,
  });
  return { bridge, params: packageParams(pkg.repo, { versionTable: pkg.versionTable }) };
}
