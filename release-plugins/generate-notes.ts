// generateNotes: the "Database migrations" section (each script the release ships, its revision, a one-line
// summary of its operations, and with the `lint` option the safety lint's findings under it); empty when the
// release ships none.
import { migrationNotes } from "../src/release/notes.js";
import type { RawPluginConfig, ReleaseContext } from "./context.js";
import { throwReleaseErrors, toReleaseErrors } from "./errors.js";
import { pluginOptions } from "./options.js";
import { planFor } from "./next-release-plan.js";
import { key, notesCache } from "./state.js";
import { releaseLint } from "./lint.js";

const pluginOptionsLint = (raw: RawPluginConfig) => pluginOptions(raw).lint;

export async function generateNotes(pluginConfig: RawPluginConfig, context: ReleaseContext): Promise<string> {
  const k = key(context.cwd, context.nextRelease!.version);
  // semantic-release calls generateNotes again when a prepare step made a commit; by then the scripts are
  // renamed, so the first answer is the right one.
  const cached = notesCache.get(k);
  if (cached !== undefined) return cached;
  try {
    const plan = await planFor(pluginOptions(pluginConfig), context);
    const lint = pluginOptionsLint(pluginConfig) ? await releaseLint(pluginOptions(pluginConfig), context) : [];
    const notes = migrationNotes(plan.scripts, lint);
    notesCache.set(k, notes);
    return notes;
  } catch (e) {
    throwReleaseErrors(toReleaseErrors(e));
    return "";
  }
}
