// The IO edge of the release step: read the configuration, the schema packages and pyproject.toml, run the
// static check, and make the plan. Everything after this is pure planning or the journaled apply.
import { join } from "node:path";
import { loadConfig, type LoadedConfig } from "../config/load.js";
import type { Finding } from "../errors/finding.js";
import { releasedChangedFindings } from "../checks/released-unchanged.js";
import { staticFindings } from "../checks/static.js";
import { listPackages, loadSchemaRepos, readSchemaRepo, type SchemaRepo } from "../model/repo.js";
import { MigrakitError } from "../errors/index.js";
import { memoDir } from "../util/cache-dir.js";
import { planRelease, type ReleasePlan } from "./release-plan.js";
import { readOrNull } from "./files.js";
import { releaseVersion } from "./version.js";
import { acceptReleasedForTarget, withoutReleasedAhead } from "./ahead.js";

export interface ReleaseInputs {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Packages to release (plugin option); default: --package, else every configured/discovered package. */
  packages?: string[];
  packageName?: string;
  /** Keep pyproject.toml's static `[project] version` in step (default true). */
  pyproject?: boolean;
  /** Extra channel → PEP 440 letters, on top of the configuration's `prereleaseMap`. */
  prereleaseMap?: Record<string, string>;
}

export interface LoadedRelease {
  config: LoadedConfig;
  repos: SchemaRepo[];
}

export async function loadRelease(inputs: ReleaseInputs, loadedConfig?: LoadedConfig): Promise<LoadedRelease> {
  const config = loadedConfig ?? (await loadConfig({ cwd: inputs.cwd, env: inputs.env }));
  const memo = memoDir(inputs.env);
  const memoOption = memo ? { memoDir: memo } : {};
  let repos: SchemaRepo[];
  if (inputs.packages && inputs.packages.length > 0) {
    const known = await listPackages(inputs.cwd, config);
    repos = await Promise.all(
      inputs.packages.map((p) => {
        const name = p.replace(/\/+$/, "");
        if (known.length > 0 && !known.includes(name) && !known.some((k) => k.endsWith(`/${name}`))) {
          throw new MigrakitError("EMIGRAKIT_UNKNOWN_PACKAGE", { package: p, packages: known.join(", ") });
        }
        return readSchemaRepo(inputs.cwd, known.find((k) => k === name || k.endsWith(`/${name}`)) ?? name, memoOption);
      }),
    );
  } else {
    repos = await loadSchemaRepos({ cwd: inputs.cwd, config, packageName: inputs.packageName, ...memoOption });
  }
  return { config, repos };
}

/** What `check --static` reports for the packages being released. */
/**
 * The static findings that stop a release. `target`: the PEP 440 version being released, which accepts scripts
 * already named for it (src/release/ahead.ts); "unknown" before semantic-release has chosen it.
 */
export async function releaseFindings(
  loaded: LoadedRelease,
  env: NodeJS.ProcessEnv,
  target: string | "unknown" = "unknown",
): Promise<Finding[]> {
  let out: Finding[] = [];
  for (const repo of loaded.repos) {
    out.push(...staticFindings(repo));
    out.push(...(await releasedChangedFindings(repo, env, loaded.config)));
  }
  out = target === "unknown" ? withoutReleasedAhead(out) : acceptReleasedForTarget(out, loaded.repos, target);
  return out.filter((f) => f.severity === "error");
}

/** The plan for `version` (semver or PEP 440) over the loaded packages. */
export async function makePlan(loaded: LoadedRelease, inputs: ReleaseInputs, version: string): Promise<ReleasePlan> {
  const map = { ...loaded.config.prereleaseMap, ...inputs.prereleaseMap };
  const v = releaseVersion(version, map);
  let pyproject: { path: string; text: string } | null = null;
  if (inputs.pyproject ?? true) {
    const text = await readOrNull(join(inputs.cwd, "pyproject.toml"));
    if (text !== null) pyproject = { path: "pyproject.toml", text };
  }
  return planRelease({ repos: loaded.repos, version: v, pyproject });
}
