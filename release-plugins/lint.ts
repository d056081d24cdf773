// The safety lint for the release (options `lint` and `majorOnBreakingMigration`): the hits on the scripts
// the release ships, computed once per run and version (generateNotes and analyzeCommits both ask). It is
// the dynamic check of each package on the session `check` opens too (src/generate/session.ts: Python and
// Postgres started side by side, both closed whatever happens), of which only the lint's hits are kept:
// the check job has already judged the rest.
import { dynamicCheck } from "../src/checks/dynamic.js";
import type { LoadedConfig } from "../src/config/load.js";
import { openSession } from "../src/generate/session.js";
import type { LintHit } from "../src/lint/lint.js";
import type { SchemaRepo } from "../src/model/repo.js";
import { loadRelease } from "../src/release/load.js";
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

async function lintUnreleased(
  repos: SchemaRepo[],
  o: { config: LoadedConfig; cwd: string; env: NodeJS.ProcessEnv },
): Promise<LintHit[]> {
  const session = await openSession({ cwd: o.cwd, env: o.env, config: o.config });
  try {
    const hits: LintHit[] = [];
    for (const repo of repos) {
      const report = await dynamicCheck(repo, {
        bridge: session.port,
        failureOf: session.failureOf,
        adminUrl: session.server.adminUrl,
        serverVersion: session.server.serverVersion,
        pythonVersions: session.versions,
        config: o.config,
        env: o.env,
        useTemplates: false,
        cacheDir: null,
      });
      hits.push(...(report.lint ?? []));
    }
    return hits;
  } finally {
    await session.close().catch(() => {});
  }
}

/** Destructive or backward-incompatible (a rename): what breaks data or the deployed older package. */
export const breaking = (h: LintHit) => h.kind === "destructive" || h.kind === "rename";
