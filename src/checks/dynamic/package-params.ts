// The bridge's params for a package, read from the working tree or from an exported copy of a release.
import { dirname, join, posix } from "node:path";
import type { SchemaRepo } from "../../model/repo.js";
import type { PackageParams } from "./port.js";

/** Params for `repo`'s package under `root` (the repo root, or a folder a release was exported to). */
export function packageParams(
  repo: SchemaRepo,
  opts: { root?: string; versionTable?: string; migrationsDir?: string } = {},
): PackageParams {
  const root = opts.root ?? repo.root;
  // A package under src/ (src/lnschema_x) imports from src/.
  const importRoot = join(root, posix.dirname(repo.package) === "." ? "" : dirname(repo.package));
  const p: PackageParams = { repo_root: importRoot, package: repo.importName };
  if (opts.root !== undefined) p.import_root = importRoot;
  if (opts.versionTable) p.version_table = opts.versionTable;
  if (opts.migrationsDir) p.migrations_dir = opts.migrationsDir;
  else if (repo.migrationsDir !== `${repo.package}/migrations`) p.migrations_dir = join(root, repo.migrationsDir);
  // The ini of this snapshot (the exported index, or a release's tree), so env.py reads what was committed.
  if (repo.alembic?.file === "alembic.ini") p.config_file = join(root, repo.alembic.file);
  return p;
}

/** The version table a run uses: configured, else migration_{_schema_id}, else alembic's default. */
/** The tables a schema fingerprint leaves out: the package's version table, and alembic's default one. */
export const versionTablesOf = (versionTable: string): string[] => [...new Set([versionTable, "alembic_version"])];

export function versionTableOf(repo: SchemaRepo, configured?: string): string {
  if (configured) return configured;
  const id = repo.init?.parsed?.schemaId?.value;
  return id ? `migration_${id}` : "alembic_version";
}
