// The safety lint as a step of the dynamic check (and of check --against, deploy): the scripts that ran,
// with what the bridge recorded while they did, handed to src/lint/. Which Postgres version the rules
// assume: `postgresVersion` from the config, else the server the scripts ran on.
import type { LoadedConfig } from "../../config/load.js";
import type { ScriptFile } from "../../model/repo.js";
import { lintScripts, type LintResult } from "../../lint/lint.js";
import type { Recorded } from "../../lint/recorded.js";
import type { TableSize } from "../../lint/sizes.js";
import { createScratchDatabase } from "../../db/scratch.js";
import { finding, type Finding } from "../../errors/finding.js";
import { errorSummary } from "./failure.js";
import { revisionOf } from "./chain-plan.js";
import type { BridgePort, FailureOf, PackageParams } from "./port.js";

/** "17.2", "16.4 (Debian …)", "9.6.24" → 17, 16, 9. */
export const majorVersion = (serverVersion: string): number => Number(/^(\d+)/.exec(serverVersion)?.[1] ?? 0) || 17;

/** A script's release: its version for released scripts, one group for all the unreleased ones. */
const releaseOf = (s: ScriptFile) => (s.name.kind === "unreleased" ? "unreleased" : (s.name.version ?? s.path));

export function lintStep(
  scripts: ScriptFile[],
  recorded: Recorded,
  o: {
    config: Pick<LoadedConfig, "allowDestructive" | "postgresVersion">;
    serverVersion: string;
    sizes?: Map<string, TableSize>;
  },
): Promise<LintResult> {
  return lintScripts({
    scripts: scripts.map((s) => ({ revision: revisionOf(s), file: s.path, text: s.text, release: releaseOf(s) })),
    recorded,
    allowDestructive: o.config.allowDestructive,
    postgresVersion: o.config.postgresVersion ?? majorVersion(o.serverVersion),
    ...(o.sizes ? { sizes: o.sizes } : {}),
  });
}

export interface HistoryLintInputs {
  released: ScriptFile[];
  bridge: BridgePort;
  failureOf: FailureOf;
  params: PackageParams;
  adminUrl: string;
  config: Pick<LoadedConfig, "allowDestructive" | "postgresVersion">;
  serverVersion: string;
}

/**
 * `check --all`: the released scripts too, recorded on a database of their own upgraded from empty (the
 * baseline may be a cached template or a create_all, which runs no script). Each release is linted on its
 * own: a table is new only within the release that created it. A history that does not replay from empty
 * (lamin-era repos) cannot be linted this way, and the warning says so.
 */
export async function lintHistory(i: HistoryLintInputs): Promise<Finding[]> {
  const last = i.released.at(-1);
  if (!last) return [];
  const db = await createScratchDatabase(i.adminUrl);
  try {
    let recorded: Recorded = {};
    try {
      const r = await i.bridge.request("upgrade", {
        ...i.params,
        url: db.url,
        revision: revisionOf(last),
        record: true,
      });
      recorded = r.recorded ?? {};
    } catch (err) {
      const failure = i.failureOf(err);
      if (!failure) throw err;
      return [
        finding(
          "EMIGRAKIT_LINT_HISTORY_NOT_REPLAYED",
          { file: last.path },
          { error: errorSummary(failure) },
          { severity: "warning" },
        ),
      ];
    }
    return (await lintStep(i.released, recorded, i)).findings;
  } finally {
    await db.drop();
  }
}
