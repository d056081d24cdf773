// migrakit's temporary folders (migrakit-index-*, migrakit-scripts-*, migrakit-release-*) are removed when
// the run is stopped by a real SIGINT or SIGTERM mid-work, and when preparing the baseline throws.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient } from "../../src/db/connect.js";
import { runCli } from "../helpers/cli.js";
import { addUnreleasedScript, exampleRepo, spawnCli, waitFor } from "../helpers/example-repo.js";
import { testPythons } from "../helpers/python.js";
import { serverForFile } from "./dynamic-helpers.js";

const { pg, cache } = serverForFile();
const python = testPythons()[0]!.python;
// The run's own temporary folders (the warm worker's socket folder, migrakit-<uid>, is not one of them).
const ours = (dir: string) => readdirSync(dir).filter((n) => /^migrakit-(index|scripts|release)-/.test(n));

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`check stopped by ${signal} while an upgrade runs: no migrakit-scripts-* folder is left`, async (t) => {
    const repo = exampleRepo();
    const tmp = mkdtempSync(join(tmpdir(), "migrakit-tmpdir-"));
    t.after(() => {
      repo.cleanup();
      rmSync(tmp, { recursive: true, force: true });
    });
    // The script says when its upgrade has begun (a file), then sleeps: the signal comes mid-upgrade.
    const mark = join(repo.dir, "upgrading");
    addUnreleasedScript(
      repo,
      "a1b2c3d4e5f6",
      `import time\nopen(${JSON.stringify(mark)}, "w").close()\ntime.sleep(20)`,
    );
    const env = {
      TMPDIR: tmp,
      MIGRAKIT_PYTHON: python,
      MIGRAKIT_DATABASE_URL: pg.adminUrl,
      XDG_CACHE_HOME: cache(),
      CI: "",
      MIGRAKIT_NO_CACHE: "1",
      MIGRAKIT_WORKER: "0",
    };
    const run = spawnCli(["check"], { cwd: repo.dir, env });
    await waitFor("the sleeping upgrade", () => existsSync(mark));
    assert.ok(
      ours(tmp).some((n) => n.startsWith("migrakit-scripts-")),
      "the trimmed migrations folder exists meanwhile",
    );
    process.kill(run.pid, signal);
    const end = await run.exited;
    assert.ok(end.signal === signal || end.code !== 0, `ended by the signal: ${JSON.stringify(end)}`);
    assert.deepEqual(ours(tmp), [], "no temporary folder of migrakit is left");
  });
}

test("hook pre-commit stopped by SIGTERM during generate: no migrakit-index-* folder is left", async (t) => {
  const repo = exampleRepo();
  const tmp = mkdtempSync(join(tmpdir(), "migrakit-tmpdir-"));
  t.after(() => {
    repo.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });
  // An ORM whose import takes long: the hook is still generating when the signal comes.
  const core = `${repo.pkg}/_core.py`;
  repo.write(core, "import time\ntime.sleep(20)\n" + repo.read(core));
  repo.git("add", "-A");
  const env = {
    TMPDIR: tmp,
    MIGRAKIT_PYTHON: python,
    MIGRAKIT_DATABASE_URL: pg.adminUrl,
    XDG_CACHE_HOME: cache(),
    CI: "true",
  };
  const run = spawnCli(["hook", "pre-commit"], { cwd: repo.dir, env });
  await waitFor("the exported index", () => ours(tmp).some((n) => n.startsWith("migrakit-index-")));
  await new Promise((r) => setTimeout(r, 1500));
  process.kill(run.pid, "SIGTERM");
  const end = await run.exited;
  assert.ok(end.signal === "SIGTERM" || end.code !== 0, JSON.stringify(end));
  assert.deepEqual(ours(tmp), [], "no temporary folder of migrakit is left");
});

test("prepareBaseline throws (a role that may not create databases): no temporary folder is left", async (t) => {
  const repo = exampleRepo();
  const tmp = mkdtempSync(join(tmpdir(), "migrakit-tmpdir-"));
  await withClient(pg.adminUrl, (c) =>
    c.query(
      "DO $$ BEGIN CREATE ROLE migrakit_nocreate LOGIN PASSWORD 'nocreate'; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
    ),
  );
  t.after(async () => {
    repo.cleanup();
    rmSync(tmp, { recursive: true, force: true });
    await withClient(pg.adminUrl, (c) => c.query("DROP ROLE IF EXISTS migrakit_nocreate"));
  });
  const url = new URL(pg.adminUrl);
  url.username = "migrakit_nocreate";
  url.password = "nocreate";
  const r = runCli(["check"], {
    cwd: repo.dir,
    env: {
      TMPDIR: tmp,
      MIGRAKIT_PYTHON: python,
      MIGRAKIT_DATABASE_URL: url.toString(),
      XDG_CACHE_HOME: cache(),
      CI: "",
      MIGRAKIT_NO_CACHE: "1",
    },
  });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /EMIGRAKIT_DB_PERMISSION/);
  assert.deepEqual(ours(tmp), [], "no temporary folder of migrakit is left");
});
