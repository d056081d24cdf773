// analyzeCommits: with `minorForMigrations: true`, a release that ships an unreleased migration script is at
// least a minor release, whatever the commit messages say; with `majorOnBreakingMigration: true`, one whose
// scripts the safety lint finds destructive or backward-incompatible (a rename) is major. semantic-release
// takes the highest type any analyzer returns, so `major` from the commits still wins.
import { loadRelease } from "../src/release/load.js";
import type { RawPluginConfig, ReleaseContext } from "./context.js";
import { pluginOptions } from "./options.js";
import { throwReleaseErrors, toReleaseErrors } from "./errors.js";
import { breaking, releaseLint } from "./lint.js";

export async function analyzeCommits(pluginConfig: RawPluginConfig, context: ReleaseContext): Promise<string | null> {
  try {
    const options = pluginOptions(pluginConfig);
    if (options.majorOnBreakingMigration) {
      const breaks = (await releaseLint(options, context)).filter(breaking);
      if (breaks.length) {
        context.logger.log(
          `The release ships scripts that break data or running code (${breaks.map((h) => `${h.rule} ${h.object}`).join(", ")}), so it is a major release`,
        );
        return "major";
      }
    }
    if (!options.minorForMigrations) return null;
    const loaded = await loadRelease({ cwd: context.cwd, env: context.env, packages: options.packages });
    const unreleased = loaded.repos.flatMap((r) =>
      r.scripts.filter((s) => s.name.kind === "unreleased").map((s) => s.path),
    );
    if (unreleased.length === 0) return null;
    context.logger.log(`The release ships ${unreleased.length} script(s), so it is at least a minor release`);
    return "minor";
  } catch (e) {
    throwReleaseErrors(toReleaseErrors(e));
    return null;
  }
}
