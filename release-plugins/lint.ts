// The safety lint for the release (options `lint` and `majorOnBreakingMigration`): the hits on the scripts
// the release ships, computed once per run and version (generateNotes and analyzeCommits both ask).
import { lintUnreleased } from "../src/checks/lint-unreleased.js";
import { loadRelease } from "../src/release/load.js";
import type { LintHit } from "../src/lint/lint.js";
import type { ReleaseContext } from "./context.js";
import type { PluginOptions } from "./options.js";

const cache = new Map<string, Promise<LintHit[]>>();

export function releaseLint(options: PluginOptions, context: ReleaseContext): Promise<LintHit[]> {
  const k = `${context.cwd}\0${(options.packages ?? []).join(",")}`;
  let hits = cache.get(k);
  if (!hits) {
    hits = (async () => {
      const loaded = await loadRelease({ cwd: context.cwd, env: context.env, packages: options.packages });
      return lintUnreleased(loaded.repos, { config: loaded.config, cwd: context.cwd, env: context.env });
    })();
    cache.set(k, hits);
    hits.catch(() => cache.delete(k));
  }
  return hits;
}

/** Destructive or backward-incompatible (a rename): what breaks data or the deployed older package. */
export const breaking = (h: LintHit) => h.kind === "destructive" || h.kind === "rename";
