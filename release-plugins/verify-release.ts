// verifyRelease: compute the whole plan for the next version (new __version__, each rename, each header) and
// log it. semantic-release's --dry-run skips prepare, so this is where a dry run shows what would change;
// a version with no PEP 440 form or a taken file name stops the release here, before anything is written.
import { formatPlan } from "../src/release/release-plan.js";
import type { RawPluginConfig, ReleaseContext } from "./context.js";
import { throwReleaseErrors, toReleaseErrors } from "./errors.js";
import { pluginOptions } from "./options.js";
import { planFor } from "./next-release-plan.js";

export async function verifyRelease(pluginConfig: RawPluginConfig, context: ReleaseContext): Promise<void> {
  try {
    const plan = await planFor(pluginOptions(pluginConfig), context);
    context.logger.log(`${context.options.dryRun ? "Would apply" : "Will apply"}:\n${formatPlan(plan)}`);
  } catch (e) {
    throwReleaseErrors(toReleaseErrors(e));
  }
}
