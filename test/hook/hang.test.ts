// An ORM import that hangs: on a terminal the hook says, after a few seconds, what Python is waiting on
// (its own stack), and stops at MIGRAKIT_BRIDGE_TIMEOUT with EMIGRAKIT_BRIDGE_TIMEOUT; piped, the notice
// is left out. Real pty, real Python, real Postgres.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.js";
import { exampleRepo } from "../helpers/example-repo.js";
import { runOnPty } from "../helpers/pty.js";
import { testPythons } from "../helpers/python.js";
import { serverForFile } from "../check/dynamic-helpers.js";
import { bridgeTimeoutMs, DEFAULT_TIMEOUT_MS, HOOK_TIMEOUT_MS } from "../../src/bridge/slow-request.js";
import { isMigrakitError } from "../../src/errors/index.js";

const { pg, cache } = serverForFile();
const python = testPythons()[0]!.python;

function hangingRepo() {
  const repo = exampleRepo();
  const core = `${repo.pkg}/_core.py`;
  repo.write(core, `import time\ntime.sleep(60)  # an import that hangs\n${repo.read(core)}`);
  repo.git("add", "-A");
  return repo;
}

test("a hanging ORM import on a terminal: where it waits after a few seconds, then EMIGRAKIT_BRIDGE_TIMEOUT at the setting", (t) => {
  const repo = hangingRepo();
  t.after(() => repo.cleanup());
  const env = {
    MIGRAKIT_PYTHON: python,
    MIGRAKIT_DATABASE_URL: pg.adminUrl,
    XDG_CACHE_HOME: cache(),
    MIGRAKIT_BRIDGE_TIMEOUT: "9s",
  };
  const r = runOnPty(["hook", "pre-commit"], { cwd: repo.dir, env });
  assert.equal(r.status, 3, r.screen);
  assert.match(
    r.screen,
    /migrakit: Python's \w+ has run for [5-8] s, waiting at \S*lnschema_demo\/_core\.py:2 \(in <module>\); it is stopped after 9 s \(MIGRAKIT_BRIDGE_TIMEOUT\)/,
  );
  assert.match(r.screen, /EMIGRAKIT_BRIDGE_TIMEOUT/);
  assert.match(r.screen, /MIGRAKIT_BRIDGE_TIMEOUT=/, "the fix names the setting");
  assert.doesNotMatch(r.screen, /Thread 0x|Current thread/, "the raw stack dump is not shown");
});

test("piped (no terminal): no notice, the same timeout error", (t) => {
  const repo = hangingRepo();
  t.after(() => repo.cleanup());
  const r = runCli(["hook", "pre-commit"], {
    cwd: repo.dir,
    env: {
      MIGRAKIT_PYTHON: python,
      MIGRAKIT_DATABASE_URL: pg.adminUrl,
      XDG_CACHE_HOME: cache(),
      MIGRAKIT_BRIDGE_TIMEOUT: "7s",
      CI: "",
    },
  });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /EMIGRAKIT_BRIDGE_TIMEOUT/);
  assert.doesNotMatch(r.stderr, /has run for/);
});

test("MIGRAKIT_BRIDGE_TIMEOUT: durations, the hook's shorter default, a bad value is EMIGRAKIT_DURATION_INVALID", () => {
  assert.equal(bridgeTimeoutMs({}), DEFAULT_TIMEOUT_MS);
  assert.equal(bridgeTimeoutMs({}, HOOK_TIMEOUT_MS), HOOK_TIMEOUT_MS);
  assert.ok(HOOK_TIMEOUT_MS < DEFAULT_TIMEOUT_MS);
  assert.equal(bridgeTimeoutMs({ MIGRAKIT_BRIDGE_TIMEOUT: "90s" }, HOOK_TIMEOUT_MS), 90_000);
  assert.equal(bridgeTimeoutMs({ MIGRAKIT_BRIDGE_TIMEOUT: "20min" }), 1_200_000);
  assert.throws(
    () => bridgeTimeoutMs({ MIGRAKIT_BRIDGE_TIMEOUT: "soon" }),
    (e: unknown) =>
      isMigrakitError(e) && e.code === "EMIGRAKIT_DURATION_INVALID" && /MIGRAKIT_BRIDGE_TIMEOUT/.test(e.message),
  );
});
