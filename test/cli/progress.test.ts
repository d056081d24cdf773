// Progress on a terminal (docs/spec.md §2): a live line on a real pty for starting Postgres and Python,
// building the baseline, upgrading N scripts, comparing, deploying — and nothing of it when piped or under
// CI=true. Also the deploy prompt on a pty: "y" deploys, "n" is EMIGRAKIT_DEPLOY_CANCELLED.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.js";
import { addUnreleasedScript, exampleRepo } from "../helpers/example-repo.js";
import { runOnPty } from "../helpers/pty.js";
import { testPythons } from "../helpers/python.js";
import { fixtureRepo, serverForFile } from "../check/dynamic-helpers.js";
import { HEAD, makeInstance, PENDING, V0_2_0 } from "../deploy/instances.js";
import { progressLine } from "../../src/output/progress.js";

const { pg, cache } = serverForFile();
const python = testPythons()[0]!.python;
const LIVE = /\r\x1b\[Kmigrakit: /;

function slowRepo() {
  const repo = exampleRepo();
  // Long enough for the live line to be redrawn while it runs.
  addUnreleasedScript(repo, "c1d2e3f4a5b6", "import time\ntime.sleep(1.5)");
  return repo;
}

const checkEnv = () => ({
  MIGRAKIT_PYTHON: python,
  MIGRAKIT_DATABASE_URL: pg.adminUrl,
  XDG_CACHE_HOME: cache(),
  MIGRAKIT_NO_CACHE: "1",
});

test("the progress line: step, count, elapsed", () => {
  assert.equal(
    progressLine("upgrading scripts", 1234, { done: 2, total: 5 }),
    "migrakit: upgrading scripts 2/5 … 1.2 s",
  );
  assert.equal(progressLine("comparing", 50), "migrakit: comparing … 0.1 s");
});

test("check on a terminal: a live line for each long step, redrawn in place, gone at the end", (t) => {
  const repo = slowRepo();
  t.after(() => repo.cleanup());
  // No warm worker: Python's start is a real one, still going when the static rules are done (the session is
  // opened before them, and its live line shown for what is left of it).
  const r = runOnPty(["check"], { cwd: repo.dir, env: { ...checkEnv(), MIGRAKIT_WORKER: "0" } });
  assert.equal(r.status, 0, r.screen);
  for (const step of [
    "starting Postgres and Python",
    "lnschema_demo: building the baseline",
    // The ORM is compared inside the last upgrade (same connection and env.py run): no step of its own.
    "upgrading scripts 1/1",
    "downgrade/upgrade round trip",
  ]) {
    assert.ok(r.screen.includes(`\r\x1b[Kmigrakit: ${step}`), `${step} shown:\n${JSON.stringify(r.screen)}`);
  }
  assert.match(r.screen, /upgrading scripts 1\/1 … 1\.\d s/, "the elapsed time is redrawn while the step runs");
  // The last thing on screen is the report, not a half-drawn progress line.
  const last = r.screen.split("\r\x1b[K").at(-1)!;
  assert.doesNotMatch(last, /^migrakit: .* … \d/);
  assert.match(r.screen, /no problems found|passed|0 error/i);
});

test("check piped or with CI=true: no progress at all", (t) => {
  const repo = slowRepo();
  t.after(() => repo.cleanup());
  const piped = runCli(["check"], { cwd: repo.dir, env: { ...checkEnv(), CI: "" } });
  assert.equal(piped.status, 0, piped.stderr);
  assert.doesNotMatch(piped.stdout + piped.stderr, /\x1b\[K|upgrading scripts/);
  const ci = runOnPty(["check"], { cwd: repo.dir, env: { ...checkEnv(), CI: "true" } });
  assert.equal(ci.status, 0, ci.screen);
  assert.doesNotMatch(ci.screen, LIVE);
  assert.doesNotMatch(ci.screen, /upgrading scripts/);
});

test("deploy on a pty: the prompt, 'n' cancels with EMIGRAKIT_DEPLOY_CANCELLED, 'y' deploys with a live line", async (t) => {
  const repo = fixtureRepo("seed-style");
  const instance = await makeInstance(pg.adminUrl, { repoDir: repo.dir, python, revision: V0_2_0, rows: true });
  t.after(async () => {
    await instance.drop();
    repo.cleanup();
  });
  const env = { MIGRAKIT_PYTHON: python, MIGRAKIT_DATABASE_URL: pg.adminUrl };
  const no = runOnPty(["deploy", "--db", instance.url, "--allow-unreleased"], {
    cwd: repo.dir,
    env,
    prompt: "[y/N]",
    answer: "n",
  });
  assert.equal(no.status, 2, no.screen);
  assert.match(no.screen, new RegExp(`Deploy ${PENDING.length} scripts[^]*\\[y/N\\]`));
  assert.match(no.screen, /EMIGRAKIT_DEPLOY_CANCELLED/);
  assert.deepEqual(
    await instance.query("SELECT version_num FROM migration_seed"),
    [{ version_num: V0_2_0 }],
    "nothing deployed",
  );
  const yes = runOnPty(["deploy", "--db", instance.url, "--allow-unreleased"], {
    cwd: repo.dir,
    env,
    prompt: "[y/N]",
    answer: "y",
  });
  assert.equal(yes.status, 0, yes.screen);
  assert.ok(
    yes.screen.includes(`\r\x1b[Kmigrakit: deploying ${PENDING.length} script(s) to `),
    JSON.stringify(yes.screen),
  );
  assert.match(yes.screen, /deployed \d+ script\(s\)/);
  assert.deepEqual(await instance.query("SELECT version_num FROM migration_seed"), [{ version_num: HEAD }]);
});
