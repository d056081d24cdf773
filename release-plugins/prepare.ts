// prepare: apply the plan all-or-nothing (journaled; see src/release/apply.ts) and list the changed files.
// @semantic-release/git commits them when its `assets` cover them:
//   ["<pkg>/__init__.py", "<pkg>/migrations/versions/*.py", "pyproject.toml", "CHANGELOG.md"]
// (the old `…-vx_x_x.py` names match the same glob, so the commit records the renames).
import { applyReleasePlan, recoverRelease } from "../src/release/apply.js";
import type { RawPluginConfig, ReleaseContext } from "./context.js";
import { throwReleaseErrors, toReleaseErrors } from "./errors.js";
import { pluginOptions } from "./options.js";
import { planFor } from "./next-release-plan.js";
import { verified } from "./state.js";
import { verifyConditions } from "./verify-conditions.js";

export async function prepare(pluginConfig: RawPluginConfig, context: ReleaseContext): Promise<void> {
  if (!verified.has(context.cwd)) await verifyConditions(pluginConfig, context);
  const { cwd, env, logger } = context;
  try {
    // A journal here means a crash between verifyConditions and now: undo it and apply afresh.
    await recoverRelease({ cwd, env, direction: "back" });
    const plan = await planFor(pluginOptions(pluginConfig), context);
    const result = await applyReleasePlan(plan, { cwd, env });
    if (result.changed.length === 0) logger.log(`Nothing to change for ${plan.version.pep440}`);
    else
      logger.log(`Released ${plan.version.pep440}; changed files:\n${result.changed.map((f) => `  ${f}`).join("\n")}`);
  } catch (e) {
    throwReleaseErrors(toReleaseErrors(e));
  }
}
