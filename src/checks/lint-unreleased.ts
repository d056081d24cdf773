// The safety lint on its own, for the release plugin's notes and analyzeCommits: the dynamic check of each
// package (Python and Postgres started side by side, both released whatever happens), of which only the
// lint's hits are kept. The check job has already judged the rest.
import type { LoadedConfig } from "../config/load.js";
import type { SchemaRepo } from "../model/repo.js";
import type { LintHit } from "../lint/lint.js";
import { findPython, remoteFailureOf, startBridge } from "../bridge/index.js";
import { getScratchServer } from "../db/server.js";
import { dynamicCheck } from "./dynamic.js";

export async function lintUnreleased(
  repos: SchemaRepo[],
  o: { config: LoadedConfig; cwd: string; env: NodeJS.ProcessEnv },
): Promise<LintHit[]> {
  const found = await findPython({ configPython: o.config.python, cwd: o.cwd, env: o.env });
  const [bridgeResult, serverResult] = await Promise.allSettled([
    startBridge({ python: found.python, cwd: o.cwd, env: o.env }),
    getScratchServer({ database: o.config.database, env: o.env }),
  ]);
  const bridge = bridgeResult.status === "fulfilled" ? bridgeResult.value : undefined;
  const server = serverResult.status === "fulfilled" ? serverResult.value : undefined;
  try {
    if (!bridge) throw (bridgeResult as PromiseRejectedResult).reason;
    if (!server) throw (serverResult as PromiseRejectedResult).reason;
    const versions = bridge.versionsInfo ?? (await bridge.request("versions"));
    const hits: LintHit[] = [];
    for (const repo of repos) {
      const report = await dynamicCheck(repo, {
        bridge,
        failureOf: remoteFailureOf,
        adminUrl: server.adminUrl,
        serverVersion: server.serverVersion,
        pythonVersions: versions as unknown as Record<string, unknown>,
        config: o.config,
        env: o.env,
        useTemplates: false,
        cacheDir: null,
      });
      hits.push(...(report.lint ?? []));
    }
    return hits;
  } finally {
    await bridge?.close().catch(() => {});
    await server?.release().catch(() => {});
  }
}
