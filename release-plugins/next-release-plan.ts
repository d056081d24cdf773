// The plan for the version semantic-release chose, shared by verifyRelease, generateNotes and prepare.
import { loadRelease, makePlan, releaseFindings } from "../src/release/load.js";
import { releaseVersion } from "../src/release/version.js";
import { fromFinding, throwReleaseErrors } from "./errors.js";
import type { ReleasePlan } from "../src/release/release-plan.js";
import type { ReleaseContext } from "./context.js";
import type { PluginOptions } from "./options.js";

export async function planFor(options: PluginOptions, context: ReleaseContext): Promise<ReleasePlan> {
  const inputs = {
    cwd: context.cwd,
    env: context.env,
    packages: options.packages,
    pyproject: options.pyproject,
    prereleaseMap: options.prereleaseMap,
  };
  const loaded = await loadRelease(inputs);
  // Scripts named ahead of __version__: accepted when named for exactly this release, refused otherwise.
  const target = releaseVersion(context.nextRelease!.version, {
    ...loaded.config.prereleaseMap,
    ...options.prereleaseMap,
  }).pep440;
  const ahead = (await releaseFindings(loaded, context.env, target)).filter(
    (f) => f.code === "EMIGRAKIT_RELEASED_AHEAD",
  );
  throwReleaseErrors(ahead.map(fromFinding));
  return makePlan(loaded, inputs, context.nextRelease!.version);
}
