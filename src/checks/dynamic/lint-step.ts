// The safety lint as a step of the dynamic check (and of check --against, deploy): the scripts that ran,
// with what the bridge recorded while they did, handed to src/lint/. Which Postgres version the rules
// assume: `postgresVersion` from the config, else the server the scripts ran on.
import type { LoadedConfig } from "../../config/load.js";
import type { ScriptFile } from "../../model/repo.js";
import { lintScripts, type LintResult } from "../../lint/lint.js";
import type { Recorded } from "../../lint/recorded.js";
import type { TableSize } from "../../lint/sizes.js";
import { revisionOf } from "./plan.js";

/** "17.2", "16.4 (Debian …)", "9.6.24" → 17, 16, 9. */
export const majorVersion = (serverVersion: string): number => Number(/^(\d+)/.exec(serverVersion)?.[1] ?? 0) || 17;

/** A script's release: its version for released scripts, one group for all the unreleased ones. */
const releaseOf = (s: ScriptFile) => (s.name.kind === "unreleased" ? "unreleased" : (s.name.version ?? s.path));

export function lintStep(
  scripts: ScriptFile[],
  recorded: Recorded,
  o: { config: Pick<LoadedConfig, "allowDestructive" | "postgresVersion">; serverVersion: string; sizes?: Map<string, TableSize> },
): Promise<LintResult> {
  return lintScripts({
    scripts: scripts.map((s) => ({ revision: revisionOf(s), file: s.path, text: s.text, release: releaseOf(s) })),
    recorded,
    allowDestructive: o.config.allowDestructive,
    postgresVersion: o.config.postgresVersion ?? majorVersion(o.serverVersion),
    ...(o.sizes ? { sizes: o.sizes } : {}),
  });
}
