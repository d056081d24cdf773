// The README's first command runs to the end (CI proves it from a clean clone) and leaves nothing running.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { testPythons } from "../helpers/python.js";
import { runCli } from "../helpers/cli.js";
import { reachableTempDir } from "../helpers/postgres.js";
import { stopEmbeddedServer } from "../../src/db/embedded.js";
import { rmSync } from "node:fs";
import { join } from "node:path";

const demo = fileURLToPath(new URL("../../examples/demo.js", import.meta.url));

test("the demo: init, the hook writes the rename, check passes, 1.0.0 is released, the server is stopped", async (t) => {
  const python = testPythons().find((p) => p.name === "current")!.python;
  // Its own embedded Postgres and cache, through the documented settings: the demo stops the server it
  // used, which must never be the machine-wide one other runs share.
  const base = await reachableTempDir();
  const env = {
    ...process.env,
    MIGRAKIT_PYTHON: python,
    MIGRAKIT_POSTGRES_DIR: join(base, "pg"),
    XDG_CACHE_HOME: join(base, "cache"),
    MIGRAKIT_DATABASE_URL: "",
  };
  t.after(async () => {
    await stopEmbeddedServer({ env });
    rmSync(base, { recursive: true, force: true });
  });
  const r = spawnSync(process.execPath, [demo], { encoding: "utf8", env, timeout: 600_000 });
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 0, out);
  assert.match(out, /op\.alter_column\("transform", column_name="version", new_column_name="v", schema="core"\)/);
  assert.match(out, /tag: v1\.0\.0 · \S+-v1_0_0\.py: renamed/);
  assert.match(out, /header: """v1\.0\.0\."""/);
  assert.match(out, /__version__: 1\.0\.0/);
  assert.match(out, /in all/);
  const status = runCli(["server", "status", "--json"], { cwd: process.cwd(), env });
  assert.equal(JSON.parse(status.stdout).dataDir, join(base, "pg"), "the demo's own server");
  assert.equal(JSON.parse(status.stdout).running, false, "the embedded Postgres is stopped");
});
