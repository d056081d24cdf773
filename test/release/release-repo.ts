// Test fixtures for the release step: the seed's schema package (lnschema_core with the `version` → `v`
// rename of SPEC's seed) in a temporary git repo with a bare remote, and runners for the real `release` bin
// and `migrakit release-prepare`.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ownFolders } from "../helpers/isolation.js";
import { makeSchemaRepo, type ScriptSpec, type TempRepo } from "../helpers/schema-repo.js";

export const RELEASE_BIN = fileURLToPath(new URL("../../../bin/release.js", import.meta.url));
export const MIGRAKIT_BIN = fileURLToPath(new URL("../../../bin/migrakit.js", import.meta.url));
export const PKG = "lnschema_core";
export const VERSIONS = `${PKG}/migrations/versions`;

export const SEED_INIT = `"""Core schema."""
_schema_id = "yvzi"
_migration = "dd2b4a9499f2"
__version__ = "0.26.2"  # bumped by the release
`;

export const RELEASED: ScriptSpec = {
  revision: "8280855a5064",
  down: null,
  slug: "v0_26_2",
  date: "2023-02-14",
  upgrade: 'op.create_table("transform", sa.Column("version", sa.String(), nullable=False), schema="core")',
  downgrade: 'op.drop_table("transform", schema="core")',
};

export const SEED_SCRIPT: ScriptSpec = {
  revision: "dd2b4a9499f2",
  down: "8280855a5064",
  date: "2023-02-16",
  upgrade: 'op.alter_column("transform", column_name="version", new_column_name="v", schema="core")',
  downgrade: 'op.alter_column("transform", column_name="v", new_column_name="version", schema="core")',
};

export const SECOND_SCRIPT: ScriptSpec = {
  revision: "3d9a1c2b7e44",
  down: "dd2b4a9499f2",
  date: "2023-02-20",
  upgrade:
    'op.add_column("transform", sa.Column("name", sa.String(), nullable=True), schema="core")\nop.create_index("ix_core_transform_name", "transform", ["name"], schema="core")',
  downgrade:
    'op.drop_index("ix_core_transform_name", table_name="transform", schema="core")\nop.drop_column("transform", "name", schema="core")',
};

export const seedFile = `${VERSIONS}/2023-02-16-dd2b4a9499f2-vx_x_x.py`;

export interface ReleaseRepo extends TempRepo {
  remote: string;
  /** Commit all and push to the bare remote. */
  commitAll(message: string): void;
  cleanupAll(): void;
}

/** The seed package with `scripts` (default: the released one and the seed's unreleased rename) and a bare remote. */
export function makeReleaseRepo(
  opts: { scripts?: ScriptSpec[]; init?: string; files?: Record<string, string>; commitMessage?: string } = {},
): ReleaseRepo {
  const repo = makeSchemaRepo({
    package: PKG,
    init: opts.init ?? SEED_INIT,
    scripts: opts.scripts ?? [RELEASED, SEED_SCRIPT],
    files: opts.files,
    commit: false,
  });
  rmSync(repo.path(`${VERSIONS}/.gitkeep`));
  const remoteDir = mkdtempSync(join(tmpdir(), "migrakit-remote-"));
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", remoteDir]);
  const remote = `file://${remoteDir}`;
  repo.git("remote", "add", "origin", remote);
  const commitAll = (message: string) => {
    repo.git("add", "-A");
    repo.git("commit", "-q", "-m", message);
    repo.git("push", "-q", "origin", "HEAD");
  };
  commitAll(opts.commitMessage ?? "feat: rename transform.version to v");
  repo.git("branch", "-q", "--set-upstream-to=origin/main");
  return {
    ...repo,
    remote,
    commitAll,
    cleanupAll: () => (repo.cleanup(), rmSync(remoteDir, { recursive: true, force: true })),
  };
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  signal: NodeJS.Signals | null;
}

/** A clean environment: no CI variables (semantic-release would read the branch from them), no GitHub token. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env))
    if (/^(CI|GITHUB_.*|GH_TOKEN|GITLAB_.*|TRAVIS.*|CIRCLE.*|BUILDKITE.*|JENKINS.*|DEBUG)$/.test(k)) delete env[k];
  return ownFolders(
    {
      ...env,
      GIT_AUTHOR_NAME: "Release Bot",
      GIT_AUTHOR_EMAIL: "bot@example.com",
      GIT_COMMITTER_NAME: "Release Bot",
      GIT_COMMITTER_EMAIL: "bot@example.com",
      ...extra,
    },
    extra,
  );
}

/** `fault` (`kill:3`, `error:3`) runs the bin through the test-only entry that injects it (helpers/faulty-bin.ts). */
function run(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, fault?: string): RunResult {
  const argv = fault ? [FAULTY_BIN, fault, bin === RELEASE_BIN ? "release" : "migrakit", ...args] : [bin, ...args];
  const r = spawnSync(process.execPath, argv, { cwd, env, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

const FAULTY_BIN = fileURLToPath(new URL("../helpers/faulty-bin.js", import.meta.url));

export const runRelease = (repo: TempRepo, args: string[] = [], env: NodeJS.ProcessEnv = {}, fault?: string) =>
  run(RELEASE_BIN, ["--no-ci", ...args], repo.dir, cleanEnv(env), fault);
export const runPrepare = (repo: TempRepo, args: string[], env: NodeJS.ProcessEnv = {}, fault?: string) =>
  run(MIGRAKIT_BIN, ["release-prepare", ...args], repo.dir, cleanEnv(env), fault);

/** The file with its first line replaced: what a header rewrite must produce, byte for byte. */
export function withFirstLine(text: string, line: string): string {
  return line + text.slice(text.indexOf("\n"));
}
