// The developer path of the hook (not CI=true): the embedded Postgres is kept running between runs and a
// check whose inputs did not change answers from the result cache. Its own data folder and cache
// (MIGRAKIT_POSTGRES_DIR, XDG_CACHE_HOME), stopped at the end with `server stop`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { exampleRepo } from "../helpers/example-repo.js";
import { reachableTempDir } from "../helpers/postgres.js";
import { testPythons } from "../helpers/python.js";
import { stopEmbeddedServer } from "../../src/db/embedded.js";

test("developer path: the hook writes the migration, the server stays for the next run, an unchanged check is answered from the cache", async (t) => {
  const base = await reachableTempDir();
  const repo = exampleRepo();
  const env = {
    MIGRAKIT_PYTHON: testPythons()[0]!.python,
    MIGRAKIT_DATABASE_URL: "",
    MIGRAKIT_POSTGRES_DIR: join(base, "pg"),
    XDG_CACHE_HOME: join(base, "cache"),
    CI: "",
    MIGRAKIT_NO_CACHE: "",
  };
  t.after(async () => {
    await stopEmbeddedServer({ env: { ...process.env, ...env } });
    repo.cleanup();
    rmSync(base, { recursive: true, force: true });
  });
  const core = `${repo.pkg}/_core.py`;
  repo.write(
    core,
    repo
      .read(core)
      .replace(
        "    handle: str = Field(index=True, unique=True)\n",
        "    handle: str = Field(index=True, unique=True)\n    nick: Optional[str] = None\n",
      ),
  );
  repo.git("add", core);
  const hook = runCli(["hook", "pre-commit"], { cwd: repo.dir, env, timeoutMs: 300_000 });
  assert.equal(hook.status, 0, hook.stderr);
  const scripts = readdirSync(join(repo.dir, repo.pkg, "migrations", "versions")).filter((f) =>
    f.endsWith("-vx_x_x.py"),
  );
  assert.equal(scripts.length, 1, "the hook wrote the script");
  assert.match(repo.git("diff", "--cached", "--name-only"), /vx_x_x\.py/, "and staged it");
  const status = JSON.parse(runCli(["server", "status", "--json"], { cwd: repo.dir, env }).stdout);
  assert.equal(status.running, true, "the embedded Postgres is kept for the next run");
  assert.equal(status.dataDir, join(base, "pg"));
  repo.git("commit", "-qm", "feat: user nick");
  const first = runCli(["check"], { cwd: repo.dir, env, timeoutMs: 300_000 });
  assert.equal(first.status, 0, first.stderr);
  assert.doesNotMatch(first.stderr, /answered from the cache/);
  const second = runCli(["check"], { cwd: repo.dir, env, timeoutMs: 300_000 });
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, /answered from the cache/);
  assert.equal(
    JSON.parse(runCli(["server", "status", "--json"], { cwd: repo.dir, env }).stdout).pid,
    status.pid,
    "the same server served every run",
  );
  const stop = runCli(["server", "stop"], { cwd: repo.dir, env });
  assert.equal(stop.status, 0, stop.stderr);
  assert.equal(JSON.parse(runCli(["server", "status", "--json"], { cwd: repo.dir, env }).stdout).running, false);
});
