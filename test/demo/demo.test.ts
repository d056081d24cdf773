// The README's first command runs to the end (CI proves it from a clean clone) and leaves nothing running.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { testPythons } from "../helpers/python.js";
import { runCli } from "../helpers/cli.js";

const demo = fileURLToPath(new URL("../../examples/demo.js", import.meta.url));

test("the demo: init, the hook writes the rename, check passes, 1.0.0 is released, the server is stopped", () => {
  const python = testPythons().find((p) => p.name === "current")!.python;
  const r = spawnSync(process.execPath, [demo], { encoding: "utf8", env: { ...process.env, MIGRAKIT_PYTHON: python }, timeout: 600_000 });
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 0, out);
  assert.match(out, /op\.alter_column\("transform", column_name="version", new_column_name="v", schema="core"\)/);
  assert.match(out, /tag: v1\.0\.0 · \S+-v1_0_0\.py: renamed/);
  assert.match(out, /header: """v1\.0\.0\."""/);
  assert.match(out, /__version__: 1\.0\.0/);
  assert.match(out, /in all/);
  const status = runCli(["server", "status", "--json"], { cwd: process.cwd() });
  assert.equal(JSON.parse(status.stdout).running, false, "the embedded Postgres is stopped");
});
