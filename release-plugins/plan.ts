// The plan for the version semantic-release chose, shared by verifyRelease, generateNotes and prepare.
import { loadRelease, makePlan } from "../src/release/load.js";
import type { ReleasePlan } from "../src/release/plan.js";
import type { ReleaseContext } from "./context.js";
import type { PluginOptions } from "./options.js";

export async function planFor(options: PluginOptions, context: ReleaseContext): Promise<ReleasePlan> {
  const inputs = { cwd: context.cwd, env: context.env, packages: options.packages, pyproject: options.pyproject, prereleaseMap: options.prereleaseMap };
  const loaded = await loadRelease(inputs);
  return makePlan(loaded, inputs, context.nextRelease!.version);
}
