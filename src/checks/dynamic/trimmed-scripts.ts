// A migrations folder holding only the scripts a step runs. alembic loads every script of a folder on each
// command (1000 imports for a long history); once the baseline database is at revision R, the unreleased
// scripts need only R to exist as their parent. So R is written as an empty stand-in root, next to copies
// of the unreleased scripts and of everything else in migrations/ (env.py, script.py.mako, helpers).
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SchemaRepo, ScriptFile } from "../../model/repo.js";
import { makeTempDir } from "../../util/temp-dirs.js";

/** The stand-in for the history up to `revision`. Pure. */
export function standInScript(revision: string): string {
  return [
    `"""migrakit: stands for the history up to ${revision}, already applied to the baseline database."""`,
    `revision = ${JSON.stringify(revision)}`,
    "down_revision = None",
    "branch_labels = None",
    "depends_on = None",
    "",
    "",
    "def upgrade():",
    "    pass",
    "",
    "",
    "def downgrade():",
    "    pass",
    "",
  ].join("\n");
}

/**
 * Whether one stand-in for `start` is all the scripts need: each names as parent or dependency only `start` or
 * one of them. Not so for a merge (or a depends_on) reaching further back, nor for several heads. Pure.
 */
export function trimmable(start: string, scripts: ScriptFile[]): boolean {
  const known = new Set([start, ...scripts.map((s) => s.source.revision?.value)]);
  return scripts.every((s) =>
    [...(s.source.downRevision?.value ?? []), ...(s.source.dependsOn ?? [])].every((r) => known.has(r)),
  );
}

/** Returns the folder to pass as `migrations_dir` (inside a fresh temporary folder the caller removes with removeTempDir). */
export async function trimmedMigrations(
  repo: SchemaRepo,
  start: string,
  scripts: ScriptFile[],
): Promise<{ dir: string; tmp: string }> {
  const tmp = await makeTempDir("migrakit-scripts-");
  const dir = join(tmp, "migrations");
  const versions = join(dir, "versions");
  // Synchronous on purpose: a handful of small files, each a thread-pool round trip otherwise (tens of ms on a
  // loaded machine, on the path of every check and hook).
  mkdirSync(versions, { recursive: true });
  const source = join(repo.root, repo.migrationsDir);
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    if (entry.isFile()) copyFileSync(join(source, entry.name), join(dir, entry.name));
  }
  writeFileSync(join(versions, `0000-${start}-migrakit_stand_in.py`), standInScript(start));
  for (const s of scripts) writeFileSync(join(versions, s.path.split("/").pop()!), s.text);
  return { dir, tmp };
}
