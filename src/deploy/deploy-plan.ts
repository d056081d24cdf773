// Where an instance stands against the installed package, and what a deploy would apply (pure).
// The package's scripts form one linear chain (docs/spec.md §1); the instance's version table names one revision
// of it (behind or up to date), none (an empty version table: everything is pending), or one the package
// does not know (the instance is ahead: lamin's guard refuses to deploy and names the version to install).
import type { Script } from "../model/types.js";
import type { ScriptFacts } from "./script-facts.js";

/** One script as operators see it: its file, revision and the release it belongs to. */
export interface ScriptInfo {
  file: string;
  revision: string;
  /** The release (`0.4.0`), or null for an unreleased (`vx_x_x`) or legacy script without a version. */
  version: string | null;
  unreleased: boolean;
  /** Path relative to the repository root. */
  path: string;
  /** Hash, transaction mode and drops, read from the file (package-state.ts). */
  facts?: ScriptFacts;
}

export interface PackageState {
  /** The import name (`lnschema_core`). */
  name: string;
  /** `__version__` of the package, when readable. */
  version: string | null;
  /** The chain's scripts, root first. */
  scripts: ScriptInfo[];
}

export interface DeployPlan {
  state: "up_to_date" | "behind" | "ahead";
  /** The instance's revision (null: empty version table). */
  current: string | null;
  /** The package's script of the instance's revision (null: empty version table, or the instance is ahead). */
  currentScript: ScriptInfo | null;
  head: string | null;
  packageVersion: string | null;
  /** Scripts still to deploy, in order (empty unless behind). */
  pending: ScriptInfo[];
}

/** The version a script belongs to: from its file name, else (legacy names) from a `"""v0.3.3.` header. */
export function scriptInfo(script: Script): ScriptInfo {
  const revision = script.source.revision?.value ?? script.name.revision ?? "";
  if (script.name.kind === "unreleased")
    return { file: script.name.file, revision, version: null, unreleased: true, path: script.path };
  const version =
    script.name.version ?? (script.source.header?.kind === "released" ? script.source.header.version : null);
  return { file: script.name.file, revision, version, unreleased: false, path: script.path };
}

/** The chain in order, or null when the scripts do not form one (checked by the static rules). */
export function chainScripts(chain: string[] | null, byRevision: Map<string, Script[]>): ScriptInfo[] | null {
  if (!chain) return null;
  return chain.map((rev) => scriptInfo(byRevision.get(rev)![0]!));
}

/** How a script's version reads in a listing. */
export function versionLabel(s: Pick<ScriptInfo, "version" | "unreleased"> | undefined): string {
  if (!s) return "(none)";
  if (s.unreleased) return "unreleased";
  return s.version ? `v${s.version}` : "(no version)";
}

/** The scripts the instance already has (root to its revision; none when empty or ahead). */
export function appliedScripts(pkg: PackageState, plan: DeployPlan): ScriptInfo[] {
  if (plan.current === null || plan.state === "ahead") return [];
  const at = pkg.scripts.findIndex((s) => s.revision === plan.current);
  return pkg.scripts.slice(0, at + 1);
}

export function planDeploy(pkg: PackageState, current: string | null): DeployPlan {
  const head = pkg.scripts.at(-1)?.revision ?? null;
  const base = { current, head, packageVersion: pkg.version };
  if (current === null)
    return {
      ...base,
      state: pkg.scripts.length ? "behind" : "up_to_date",
      currentScript: null,
      pending: [...pkg.scripts],
    };
  const at = pkg.scripts.findIndex((s) => s.revision === current);
  if (at < 0) return { ...base, state: "ahead", currentScript: null, pending: [] };
  const pending = pkg.scripts.slice(at + 1);
  return { ...base, state: pending.length ? "behind" : "up_to_date", currentScript: pkg.scripts[at]!, pending };
}
