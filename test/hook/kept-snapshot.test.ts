// The hook on a developer machine works on a snapshot of the index kept between runs (src/hook/snapshot.ts):
// real commits through git's own hook, where a model module the index no longer has must not be imported from
// what an earlier run left, and `git commit -a` (git's temporary index, named in GIT_INDEX_FILE) gets the
// snapshot of that index. Real git, real alembic in the real venv, real Postgres.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { commit, installHook } from "../helpers/hook-commit.js";
import { exampleRepo } from "../helpers/example-repo.js";
import { testPythons } from "../helpers/python.js";
import { serverForFile } from "../check/dynamic-helpers.js";

const { pg, cache } = serverForFile();
const INIT = "lnschema_demo/__init__.py";
const EXTRA = "lnschema_demo/_extra.py";
const VERSIONS = "lnschema_demo/migrations/versions";
// The package imports the module only where it is: a stale copy in the snapshot would bring its table back.
const OPTIONAL_IMPORT =
  'import importlib.util as _u  # noqa: E402\nif _u.find_spec(__name__ + "._extra"):\n    from ._extra import Extra  # noqa: F401\n';
const EXTRA_MODEL =
  'from typing import Optional\n\nfrom sqlmodel import Field, SQLModel\n\n\nclass Extra(SQLModel, table=True):  # type: ignore\n    __table_args__ = {"schema": "core"}\n    id: int = Field(primary_key=True)\n    note: Optional[str] = None\n';

const unreleased = (dir: string) => readdirSync(join(dir, VERSIONS)).filter((f) => f.endsWith("-vx_x_x.py"));

test("developer path: a model module deleted since the last run is gone from the kept snapshot; `git commit -a` works on git's temporary index", (t) => {
  const repo = exampleRepo();
  t.after(() => repo.cleanup());
  installHook(repo.dir);
  const cacheHome = cache();
  const env: NodeJS.ProcessEnv = {
    MIGRAKIT_PYTHON: testPythons().find((p) => p.name === "current")!.python,
    MIGRAKIT_DATABASE_URL: pg.adminUrl,
    XDG_CACHE_HOME: cacheHome,
    CI: "",
    MIGRAKIT_NO_CACHE: "",
    MIGRAKIT_WORKER: "0",
    MIGRAKIT_SKIP: "",
    MIGRAKIT_INCLUDE_DRIFT: "",
  };

  repo.write(INIT, repo.read(INIT) + OPTIONAL_IMPORT);
  repo.write(EXTRA, EXTRA_MODEL);
  repo.git("add", INIT, EXTRA);
  const first = commit(repo.dir, env, "feat: extra");
  assert.equal(first.status, 0, first.all);
  const [script] = unreleased(repo.dir);
  assert.ok(script, first.all);
  assert.match(repo.git("show", `HEAD:${VERSIONS}/${script}`), /op\.create_table\('extra'/);
  const snapshots = join(cacheHome, "migrakit", "snapshots");
  assert.ok(existsSync(snapshots) && readdirSync(snapshots).length > 0, "the snapshot was kept");

  // The module goes, in the work tree only: `git commit -a` stages the deletion into git's temporary index.
  rmSync(join(repo.dir, EXTRA));
  const second = spawnSync(
    "git",
    ["-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-a", "-m", "feat: no extra"],
    { cwd: repo.dir, env: { ...process.env, ...env, GITHUB_ACTIONS: "" }, encoding: "utf8", timeout: 300_000 },
  );
  assert.equal(second.status, 0, second.stdout + second.stderr);
  assert.deepEqual(unreleased(repo.dir), [script], "the same unreleased script, refreshed");
  const refreshed = repo.git("show", `HEAD:${VERSIONS}/${script}`);
  assert.doesNotMatch(refreshed, /'extra'/, `the table of the deleted module is gone:\n${refreshed}`);
  assert.equal(repo.git("ls-tree", "HEAD", "--", EXTRA), "", "the deletion was committed");
  assert.equal(repo.git("status", "--porcelain"), "");
});
