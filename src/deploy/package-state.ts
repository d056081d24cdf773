// The installed package as `status` and `deploy` see it: its scripts in order with their versions, its
// `__version__`, and the version table its instances use (config `versionTable`, else
// `migration_{_schema_id}`, else `alembic_version`). Read from the files, without Python.
import { loadConfig, type LoadedConfig } from "../config/load.js";
import { loadSchemaRepo, type SchemaRepo } from "../model/repo.js";
import { versionTableOf } from "../checks/dynamic/package-params.js";
import { MigrakitError } from "../errors/index.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chainScripts, scriptInfo, type PackageState, type ScriptInfo } from "./deploy-plan.js";
import { orderingParents, topologicalOrder } from "../checks/dynamic/chain-plan.js";
import { scriptFacts } from "./script-facts.js";
import { packageVersionOf } from "../model/package-version.js";
import { labelledBranches } from "../model/graph.js";

export interface DeployPackage {
  repo: SchemaRepo;
  config: LoadedConfig;
  state: PackageState;
  versionTable: string;
  /** The tables the package's scripts create: how an instance shared with other packages tells it apart. */
  ownTables: string[];
}

export async function loadDeployPackage(ctx: {
  cwd: string;
  env: NodeJS.ProcessEnv;
  packageName?: string;
}): Promise<DeployPackage> {
  const config = await loadConfig(ctx);
  const repo = await loadSchemaRepo({ cwd: ctx.cwd, config, packageName: ctx.packageName });
  const scripts = chainScripts(repo.graph.chain, repo.graph.byRevision) ?? mergedScripts(repo);
  if (!scripts) {
    const g = repo.graph;
    // Labelled branches pass the alembic convention's checks but have several heads: not yet deployed here.
    const accepted = repo.convention === "alembic" && labelledBranches(g);
    throw new MigrakitError("EMIGRAKIT_HISTORY_NOT_LINEAR", { package: repo.package, accepted });
  }
  for (const s of scripts) s.facts = scriptFacts(readFileSync(join(repo.root, s.path), "utf8"));
  const state: PackageState = {
    name: repo.importName,
    version: packageVersionOf(repo.init, repo.pyproject)?.value ?? null,
    scripts,
  };
  const ownTables = [...new Set(scripts.flatMap((s) => s.facts?.creates ?? []))];
  return { repo, config, state, versionTable: versionTableOf(repo, config.versionTable), ownTables };
}

/**
 * An app's history that branched and merged again into one head (convention alembic): its scripts parents
 * first, in the check's order (chain-plan.ts), each with its parents. Null for anything else (several heads,
 * cycles, missing parents, duplicates, the lamin convention): the static rules report those.
 */
function mergedScripts(repo: SchemaRepo): ScriptInfo[] | null {
  const g = repo.graph;
  if (repo.convention !== "alembic" || g.heads.length !== 1 || g.cycles.length || g.missingParents.length) return null;
  const parents = orderingParents(repo);
  const order = parents && topologicalOrder(repo);
  if (!parents || !order) return null;
  return order.map((rev) => ({ ...scriptInfo(g.byRevision.get(rev)![0]!), parents: parents.get(rev)! }));
}
