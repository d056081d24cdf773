// The release plan: every byte the release step will change, computed before anything is touched, so a dry
// run can print it and `applyReleasePlan` can apply it all-or-nothing. Pure: it works on the loaded model only.
import { MigrakitError } from "../errors/index.js";
import type { SchemaRepo, ScriptFile } from "../model/repo.js";
import { rewriteAssignment } from "../model/init-file.js";
import { comparePep440 } from "../model/pep440.js";
import { formatScriptName } from "../model/script-name.js";
import { rewriteHeader } from "../model/script-source.js";
import { summarizeOperations } from "./operations.js";
import { setProjectVersion, findProjectVersion } from "./pyproject.js";
import { packageVersionOf, type PackageVersion } from "../model/package-version.js";
import type { ReleaseVersion } from "./version.js";

/** One file the release writes: renamed (`from` ≠ `to`), rewritten, or both. Paths relative to the repo root. */
export interface FileChange {
  kind: "init" | "script" | "pyproject";
  from: string;
  to: string;
  before: string;
  after: string;
  /** What changes, for people: one line per change. */
  describe: string[];
}

/** A script the release ships (for the notes). */
export interface PlannedScript {
  package: string;
  from: string;
  to: string;
  revision: string;
  summary: string;
}

export interface ReleasePlan {
  version: ReleaseVersion;
  packages: string[];
  changes: FileChange[];
  /** In chain order, per package. */
  scripts: PlannedScript[];
  /** Packages under the `alembic` convention: their scripts keep the names file_template gave them. */
  keepNames: string[];
}

export interface PlanInput {
  repos: SchemaRepo[];
  version: ReleaseVersion;
  /** The repo's pyproject.toml, when it exists and its version should be kept in step. */
  pyproject?: { path: string; text: string } | null;
}

/** Unreleased scripts in the order they run (the chain), falling back to file-name order. */
function unreleasedInOrder(repo: SchemaRepo): ScriptFile[] {
  const unreleased = repo.scripts.filter((s) => s.name.kind === "unreleased");
  const chain = repo.graph.chain;
  if (!chain) return unreleased;
  const position = new Map(chain.map((rev, i) => [rev, i]));
  const pos = (s: ScriptFile) => position.get(s.source.revision?.value ?? "") ?? Number.MAX_SAFE_INTEGER;
  return [...unreleased].sort((a, b) => pos(a) - pos(b));
}

function planPackage(repo: SchemaRepo, version: ReleaseVersion): { changes: FileChange[]; scripts: PlannedScript[] } {
  const init = repo.init;
  const initPath = `${repo.package}/__init__.py`;
  // An app's repo (convention alembic) needs no __init__.py, no version and no renaming: a release there
  // only bumps the version where the repo keeps one.
  const app = repo.convention === "alembic";
  if (!app && (!init || init.text === null || !init.parsed))
    throw new MigrakitError("EMIGRAKIT_INIT_MISSING", { package: repo.package });
  const current = packageVersionOf(init, repo.pyproject);
  if (!current && !app) throw new MigrakitError("EMIGRAKIT_VERSION_MISSING", { file: initPath });
  if (current && comparePep440(version.pep440, current.value) < 0) {
    throw new MigrakitError("EMIGRAKIT_RELEASE_VERSION_BEHIND", {
      version: version.pep440,
      current: current.value,
      file: current.file,
    });
  }
  const changes: FileChange[] = [];
  if (current && current.value !== version.pep440) changes.push(versionChange(repo, current, version.pep440));
  if (app) return { changes, scripts: [] };
  const taken = new Set(repo.scripts.map((s) => s.path));
  const scripts: PlannedScript[] = [];
  for (const s of unreleasedInOrder(repo)) {
    const revision = s.name.revision!;
    const to = `${repo.versionsDir}/${formatScriptName({ date: s.name.date!, revision, slug: version.slug })}`;
    // A script already under the target name defines the same revision: the static check every release runs
    // first reports it, so this only guards callers of the pure planner that skipped it.
    if (taken.has(to)) throw new MigrakitError("EMIGRAKIT_DUPLICATE_REVISION", { revision, files: `${to}, ${s.path}` });
    taken.add(to);
    const after = rewriteHeader(s.text, s.source.header, version.pep440);
    const describe = [`rename ${s.path} → ${to.slice(to.lastIndexOf("/") + 1)}`];
    if (after !== s.text)
      describe.push(`header """${s.source.header?.text ?? ""}""" → """${version.header}""" in ${to}`);
    changes.push({ kind: "script", from: s.path, to, before: s.text, after, describe });
    scripts.push({
      package: repo.package,
      from: s.path,
      to,
      revision: s.source.revision?.value ?? revision,
      summary: summarizeOperations(s.text),
    });
  }
  return { changes, scripts };
}

/** `__version__` in __init__.py, or pyproject's version when that is the source, set to `to`. */
function versionChange(repo: SchemaRepo, current: PackageVersion, to: string): FileChange {
  const describe = [`${current.source} "${current.value}" → "${to}" in ${current.file}`];
  if (current.source === "__version__") {
    const init = repo.init!;
    const assignment = init.parsed!.version!;
    const after = rewriteAssignment(init.text!, assignment, to);
    return { kind: "init", from: init.path, to: init.path, before: init.text!, after, describe };
  }
  const py = repo.pyproject!;
  const after = py.text.slice(0, current.start) + to + py.text.slice(current.end);
  return { kind: "pyproject", from: py.path, to: py.path, before: py.text, after, describe };
}

export function planRelease(input: PlanInput): ReleasePlan {
  const changes: FileChange[] = [];
  const scripts: PlannedScript[] = [];
  for (const repo of input.repos) {
    const p = planPackage(repo, input.version);
    changes.push(...p.changes);
    scripts.push(...p.scripts);
  }
  const py = input.pyproject;
  // Kept in step only where it is not itself the source (then a package's change already set it).
  if (py && !changes.some((c) => c.kind === "pyproject" && c.from === py.path)) {
    const after = setProjectVersion(py.text, input.version.pep440);
    const old = findProjectVersion(py.text)?.value;
    if (after !== null && after !== py.text) {
      changes.push({
        kind: "pyproject",
        from: py.path,
        to: py.path,
        before: py.text,
        after,
        describe: [`[project] version "${old}" → "${input.version.pep440}" in ${py.path}`],
      });
    }
  }
  const keepNames = input.repos.filter((r) => r.convention === "alembic").map((r) => r.package);
  return { version: input.version, packages: input.repos.map((r) => r.package), changes, scripts, keepNames };
}

/** Every path the release writes or removes (what `@semantic-release/git` must commit). */
export function changedPaths(plan: ReleasePlan): string[] {
  return [...new Set(plan.changes.flatMap((c) => (c.from === c.to ? [c.to] : [c.from, c.to])))];
}

/** The plan for people: what a dry run prints. */
export function formatPlan(plan: ReleasePlan): string {
  const v = plan.version;
  const head = `Release ${v.pep440}${v.semver && v.semver !== v.pep440 ? ` (semver ${v.semver})` : ""} of ${plan.packages.join(", ")}:`;
  const lines = plan.changes.flatMap((c) => c.describe.map((d) => `  - ${d}`));
  if (lines.length === 0) lines.push("  (nothing to change: the files already carry this version)");
  for (const p of plan.keepNames)
    lines.push(`  (${p}: convention alembic, the scripts keep their names: nothing to rename)`);
  if (plan.scripts.length === 0 && plan.keepNames.length < plan.packages.length) lines.push("  (no unreleased script)");
  return [head, ...lines].join("\n");
}
