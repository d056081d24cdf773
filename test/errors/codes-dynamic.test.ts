// Error codes that no test provoked before and that need the real bridge and Postgres, each provoked through
// the real CLI on a copy of examples/schema-repo: the round-trip failure codes, the release baseline's failure,
// an explicit `baseline: "release"` without a tag, a compare that raises, generate's refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { addUnreleasedScript, exampleRepo, type ExampleRepo } from "../helpers/example-repo.js";
import { testPythons } from "../helpers/python.js";
import { runCli } from "../helpers/cli.js";
import { check, serverForFile } from "../check/dynamic-helpers.js";

const { pg, cache } = serverForFile();
const python = testPythons()[0]!.python;

function run(repo: ExampleRepo, args: string[] = []) {
  return check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: cache(), args: ["--no-cache", ...args] });
}

function cli(repo: ExampleRepo, args: string[]) {
  const r = runCli(args, {
    cwd: repo.dir,
    env: { MIGRAKIT_PYTHON: python, MIGRAKIT_DATABASE_URL: pg.adminUrl, XDG_CACHE_HOME: cache(), CI: "" },
    timeoutMs: 300_000,
  });
  return { ...r, all: r.stdout + r.stderr };
}

function withRepo(t: { after: (fn: () => void) => void }): ExampleRepo {
  const repo = exampleRepo();
  t.after(() => repo.cleanup());
  return repo;
}

const setConfig = (repo: ExampleRepo, config: object) =>
  repo.write("package.json", JSON.stringify({ name: "schema-repo", private: true, migrakit: config }, null, 2));

test("EMIGRAKIT_DOWNGRADE_FAILED: an unreleased script whose downgrade raises", (t) => {
  const repo = withRepo(t);
  const path = addUnreleasedScript(repo, "d0a1b2c3d4e5", 'op.execute("SELECT 1")');
  repo.write(
    path,
    repo
      .read(path)
      .replace("def downgrade() -> None:\n    pass", 'def downgrade() -> None:\n    raise RuntimeError("no way back")'),
  );
  const r = run(repo);
  assert.equal(r.status, 1, r.all);
  assert.match(r.all, /EMIGRAKIT_DOWNGRADE_FAILED/);
  assert.match(r.all, /no way back/);
});

test("EMIGRAKIT_ROUND_TRIP_FAILED: the upgrade applies once but raises when applied again", (t) => {
  const repo = withRepo(t);
  const mark = join(repo.dir, "applied-once");
  addUnreleasedScript(
    repo,
    "d1a1b2c3d4e5",
    `import os\nif os.path.exists(${JSON.stringify(mark)}):\n    raise RuntimeError("applied twice")\nopen(${JSON.stringify(mark)}, "w").close()`,
  );
  const r = run(repo);
  assert.equal(r.status, 1, r.all);
  assert.match(r.all, /EMIGRAKIT_ROUND_TRIP_FAILED/);
  assert.match(r.all, /applied twice/);
});

test("EMIGRAKIT_ROUND_TRIP_MISMATCH: the re-upgrade leaves another schema than the first upgrade", (t) => {
  const repo = withRepo(t);
  const mark = join(repo.dir, "applied-once");
  addUnreleasedScript(
    repo,
    "d2a1b2c3d4e5",
    `import os\nif os.path.exists(${JSON.stringify(mark)}):\n    op.execute("CREATE TABLE core.second_time (id int)")\nopen(${JSON.stringify(mark)}, "w").close()`,
  );
  const r = run(repo);
  assert.equal(r.status, 1, r.all);
  assert.match(r.all, /EMIGRAKIT_ROUND_TRIP_MISMATCH/);
  assert.match(r.all, /second_time/);
});

test('EMIGRAKIT_NO_RELEASE: an explicit baseline: "release" where no release can be found (outside git)', (t) => {
  const repo = withRepo(t);
  rmSync(join(repo.dir, ".git"), { recursive: true, force: true });
  setConfig(repo, { baseline: "release" });
  const r = check(repo.dir, {
    python,
    databaseUrl: pg.adminUrl,
    cacheHome: cache(),
    args: ["--no-cache"],
    env: { GIT_CEILING_DIRECTORIES: dirname(repo.dir) },
  });
  assert.equal(r.status, 1, r.all);
  assert.match(r.all, /EMIGRAKIT_NO_RELEASE/);
});

test("EMIGRAKIT_RELEASE_BASELINE_FAILED: the ORM of the release tag cannot be created", (t) => {
  const repo = withRepo(t);
  const core = `${repo.pkg}/_core.py`;
  const good = repo.read(core);
  repo.write(core, good + '\nraise RuntimeError("broken at the release")\n');
  repo.git("commit", "-qam", "fix: broken release");
  repo.git("tag", "-f", "v0.2.0");
  repo.write(core, good);
  repo.git("commit", "-qam", "fix: repaired");
  setConfig(repo, { baseline: "release" });
  const r = run(repo);
  assert.equal(r.status, 1, r.all);
  assert.match(r.all, /EMIGRAKIT_RELEASE_BASELINE_FAILED/);
  assert.match(r.all, /broken at the release/);
});

test("EMIGRAKIT_COMPARE_FAILED: env.py's include_object raises while the ORM is compared", (t) => {
  const repo = withRepo(t);
  const envPy = `${repo.pkg}/migrations/env.py`;
  repo.write(
    envPy,
    repo
      .read(envPy)
      .replace(
        "options = dict(",
        'def include_object(obj, name, type_, reflected, compare_to):\n    raise RuntimeError("include_object broke")\n\n\noptions = dict(\n    include_object=include_object,',
      ),
  );
  const r = run(repo);
  assert.equal(r.status, 1, r.all);
  assert.match(r.all, /EMIGRAKIT_COMPARE_FAILED/);
  assert.match(r.all, /include_object broke/);
});

test("EMIGRAKIT_RENAME_NOT_FOUND: generate --rename that matches no dropped and added column", (t) => {
  const repo = withRepo(t);
  const r = cli(repo, ["generate", "--rename", "core.user.nickname=alias"]);
  assert.equal(r.status, 2, r.all);
  assert.match(r.all, /EMIGRAKIT_RENAME_NOT_FOUND/);
});

test("EMIGRAKIT_GENERATE_HEADS: generate on a history with two heads", (t) => {
  const repo = withRepo(t);
  addUnreleasedScript(repo, "e1a1b2c3d4e5", "pass");
  addUnreleasedScript(repo, "e2a1b2c3d4e5", "pass");
  const r = cli(repo, ["generate"]);
  assert.notEqual(r.status, 0, r.all);
  assert.match(r.all, /EMIGRAKIT_GENERATE_HEADS/);
});

test("EMIGRAKIT_GENERATE_BASELINE: generate after a hand-written unreleased script that fails to upgrade", (t) => {
  const repo = withRepo(t);
  addUnreleasedScript(repo, "f1a1b2c3d4e5", 'raise RuntimeError("cannot upgrade")');
  const r = cli(repo, ["generate"]);
  assert.notEqual(r.status, 0, r.all);
  assert.match(r.all, /EMIGRAKIT_GENERATE_BASELINE/);
  assert.match(r.all, /cannot upgrade/);
});
