// One tiny fixture per failure mode of the helper process (test/fixtures/bridge/), each run for real.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MigrakitError } from "../../src/errors/index.js";
import { findPython, startBridge } from "../../src/bridge/index.js";
import { REPO_ROOT, testPythons } from "../helpers/python.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "bridge");
const HELPERS = join(FIXTURES, "helpers");
const python = testPythons()[0]!.python;

function helper(module: string, extra: { timeoutMs?: number; stopGraceMs?: number } = {}) {
  return startBridge({
    python,
    cwd: FIXTURES,
    env: process.env,
    module,
    pythonPath: HELPERS,
    preflight: false,
    ...extra,
  });
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<MigrakitError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof MigrakitError, `expected a MigrakitError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

test("bad JSON on stdout fails the request and every later one (exit 3)", async () => {
  const bridge = await helper("bad_json_helper");
  const err = await rejectsWith(
    bridge.request("heads", { repo_root: FIXTURES, package: "x" }),
    "EMIGRAKIT_BRIDGE_PROTOCOL",
  );
  assert.equal(err.exitCode, 3);
  assert.match(err.message, /During heads .*: this is not json/);
  await rejectsWith(bridge.request("heads"), "EMIGRAKIT_BRIDGE_PROTOCOL");
  await bridge.close();
  assert.equal(bridge.running, false);
});

test("a traceback from the repo's code carries method, params (URL redacted) and exit code 1", async () => {
  const bridge = await startBridge({ python, cwd: join(FIXTURES, "broken"), env: process.env });
  const params = {
    repo_root: join(FIXTURES, "broken"),
    package: "broken_pkg",
    url: "postgresql://me:s3cret@localhost/x",
  };
  const err = await rejectsWith(bridge.request("package", params), "EMIGRAKIT_PYTHON_ERROR");
  assert.equal(err.exitCode, 1);
  assert.match(
    err.message,
    /^package failed in Python: ZeroDivisionError: division by zero \(.*broken_pkg\/__init__\.py:6\)$/,
  );
  assert.equal(err.details.method, "package");
  assert.deepEqual(err.details.params, { ...params, url: "postgresql://me:***@localhost/x" });
  assert.match(String(err.details.traceback), /RATIO = 1 \/ 0/);
  // The helper survives its request failing.
  assert.deepEqual(await bridge.request("heads", { repo_root: join(FIXTURES, "broken"), package: "broken_pkg" }), []);
  await bridge.close();
});

test("a helper that exits mid-request: its exit code and last stderr line", async () => {
  const bridge = await helper("exit_helper");
  const err = await rejectsWith(bridge.request("heads"), "EMIGRAKIT_BRIDGE_EXITED");
  assert.equal(err.exitCode, 3);
  assert.equal(err.details.code, 7);
  assert.match(err.message, /with exit code 7 during heads\. Its last output: fatal: simulated crash of the helper/);
  await rejectsWith(bridge.request("heads"), "EMIGRAKIT_BRIDGE_EXITED");
});

test("a hung helper is stopped: stdin closed, then SIGKILL after the grace time", async () => {
  const started = Date.now();
  const bridge = await helper("hang_helper", { timeoutMs: 500, stopGraceMs: 300 });
  const err = await rejectsWith(bridge.request("heads"), "EMIGRAKIT_BRIDGE_TIMEOUT");
  assert.equal(err.exitCode, 3);
  assert.match(err.message, /heads did not answer within 500 ms/);
  await bridge.close();
  assert.equal(bridge.running, false);
  assert.ok(Date.now() - started < 5_000);
  await rejectsWith(bridge.request("heads"), "EMIGRAKIT_BRIDGE_TIMEOUT");
});

test("a hung helper that honours stdin closing ends without SIGKILL", async () => {
  const bridge = await helper("polite_hang_helper", { timeoutMs: 300, stopGraceMs: 60_000 });
  const started = Date.now();
  await rejectsWith(bridge.request("heads"), "EMIGRAKIT_BRIDGE_TIMEOUT");
  await bridge.close();
  assert.ok(Date.now() - started < 10_000, "it ended when stdin closed, long before the 60 s grace");
});

test("an interpreter without alembic: exit 3 with the pip command for that interpreter", async () => {
  const dir = await mkdtemp(join(tmpdir(), "migrakit-bare-venv-"));
  try {
    execFileSync("python3", ["-m", "venv", "--without-pip", join(dir, "venv")]);
    const bare = join(dir, "venv", "bin", "python");
    const err = await rejectsWith(
      startBridge({ python: bare, cwd: dir, env: process.env }),
      "EMIGRAKIT_PYTHON_PACKAGE_MISSING",
    );
    assert.equal(err.exitCode, 3);
    assert.equal(err.message, `${bare} lacks alembic>=1.8, sqlalchemy>=1.4, psycopg2-binary.`);
    assert.equal(
      err.fix,
      `Install it into that interpreter: ${bare} -m pip install 'alembic>=1.8' 'sqlalchemy>=1.4' psycopg2-binary`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a missing interpreter: EMIGRAKIT_PYTHON_NOT_FOUND, from discovery and from start", async () => {
  const err = await rejectsWith(
    findPython({ configPython: "/nonexistent/bin/python", cwd: FIXTURES, env: { PATH: process.env.PATH } }),
    "EMIGRAKIT_PYTHON_NOT_FOUND",
  );
  assert.equal(err.exitCode, 3);
  // The configured one is missing: discovery stops there instead of using another interpreter.
  assert.match(err.message, /tried: \/nonexistent\/bin\/python \(config\)\)/);
  const noPath = await rejectsWith(
    findPython({ cwd: FIXTURES, env: { PATH: "/nonexistent" } }),
    "EMIGRAKIT_PYTHON_NOT_FOUND",
  );
  assert.match(noPath.message, /\.venv\/bin\/python \(\.venv\), python3 \(PATH\), python \(PATH\)/);
  await rejectsWith(
    startBridge({ python: "/nonexistent/bin/python", cwd: FIXTURES, env: process.env }),
    "EMIGRAKIT_PYTHON_NOT_FOUND",
  );
});

test("a helper that cannot start says why", async () => {
  const err = await rejectsWith(
    startBridge({ python, cwd: FIXTURES, env: process.env, module: "no_such_helper_module", pythonPath: HELPERS }),
    "EMIGRAKIT_BRIDGE_START",
  );
  assert.match(err.message, /No module named no_such_helper_module/);
});
