// Where an instance stands against the installed package, and what a deploy would apply (pure).
// The package's scripts form one linear chain (docs/spec.md §1), or under the alembic convention a history
// that branches and merges again into one head, listed parents before children. The instance's version table
// names one revision of it (behind or up to date), none (an empty version table: everything is pending), or
// one the package does not know (the instance is ahead: lamin's guard refuses to deploy and names the version
// to install). What an instance at R has applied is R and its ancestors, as alembic counts them.
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
  /**
   * The revisions below this one (down revisions and `depends_on`), when the history is not one chain;
   * absent in a chain, where the script before it in the list is its parent.
   */
  parents?: string[];
}

export interface PackageState {
  /** The import name (`lnschema_core`). */
  name: string;
  /** `__version__` of the package, when readable. */
  version: string | null;
  /** The scripts, root first: the chain, or every parent before its children (the head last). */
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

/** R and every revision below it (an unknown R: none): what an instance at R has applied. */
function appliedSet(pkg: PackageState, revision: string): Set<string> {
  const at = pkg.scripts.findIndex((s) => s.revision === revision);
  if (at < 0) return new Set();
  const index = new Map(pkg.scripts.map((s, i) => [s.revision, i]));
  const parentsOf = (i: number) => pkg.scripts[i]!.parents ?? (i > 0 ? [pkg.scripts[i - 1]!.revision] : []);
  const seen = new Set<string>([revision]);
  for (const todo = [at]; todo.length; ) {
    for (const p of parentsOf(todo.pop()!)) {
      const i = index.get(p);
      if (i === undefined || seen.has(p)) continue;
      seen.add(p);
      todo.push(i);
    }
  }
  return seen;
}

/** The scripts the instance already has (its revision and below, in order; none when empty or ahead). */
export function appliedScripts(pkg: PackageState, plan: DeployPlan): ScriptInfo[] {
  if (plan.current === null || plan.state === "ahead") return [];
  const applied = appliedSet(pkg, plan.current);
  return pkg.scripts.filter((s) => applied.has(s.revision));
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
  const currentScript = pkg.scripts.find((s) => s.revision === current);
  if (!currentScript) return { ...base, state: "ahead", currentScript: null, pending: [] };
  // One head: every script is below it, so what is not below the instance's revision is still to apply
  // (at one side of a merge: the other side and the merge).
  const applied = appliedSet(pkg, current);
  const pending = pkg.scripts.filter((s) => !applied.has(s.revision));
  return { ...base, state: pending.length ? "behind" : "up_to_date", currentScript, pending };
}
