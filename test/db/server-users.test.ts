// The shared embedded server is never stopped under a run that uses it: `server stop` waits, then refuses
// with EMIGRAKIT_SERVER_IN_USE (exit 4); a CI=true run that started it leaves it to the last run using it;
// a run whose server was stopped from outside ends with EMIGRAKIT_SERVER_STOPPED and "run again".
// Real processes, a real server on its own data folder (MIGRAKIT_POSTGRES_DIR), real signals.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { embeddedPaths, stopEmbeddedServer } from "../../src/db/embedded.js";
import { getScratchServer } from "../../src/db/server.js";
import { isAlive } from "../../src/db/pid.js";
import { readState } from "../../src/db/state.js";
import { runCli } from "../helpers/cli.js";
import { addUnreleasedScript, exampleRepo, spawnCli, waitFor } from "../helpers/example-repo.js";
import { reachableTempDir } from "../helpers/postgres.js";
import { testPythons } from "../helpers/python.js";

const SERVER_MODULE = fileURLToPath(new URL("../../src/db/server.js", import.meta.url));
const bases: string[] = [];
const dataDirs: string[] = [];

async function freshEnv(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const base = await reachableTempDir();
  bases.push(base);
  dataDirs.push(join(base, "pg"));
  return {
    ...process.env,
    MIGRAKIT_DATABASE_URL: "",
    CI: "",
    MIGRAKIT_POSTGRES_DIR: join(base, "pg"),
    XDG_CACHE_HOME: join(base, "cache"),
    ...extra,
  };
}

after(async () => {
  for (const dataDir of dataDirs) await stopEmbeddedServer({ env: process.env, dataDir }).catch(() => {});
  for (const base of bases) rmSync(base, { recursive: true, force: true });
});

/** Another migrakit run using the server, in its own process: joined until its stdin closes. */
async function otherRun(env: NodeJS.ProcessEnv) {
  const script = `
    const { getScratchServer } = await import(${JSON.stringify(SERVER_MODULE)});
    const s = await getScratchServer({ database: "embedded", env: process.env });
    console.log("joined");
    process.stdin.resume();
    process.stdin.on("end", async () => { const lost = s.lostError(); await s.release(); console.log(lost ? lost.code : "released"); });`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    env,
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const done = new Promise<string>((resolve) => child.on("close", () => resolve(out)));
  await waitFor("the other run to join", () => out.includes("joined") || child.exitCode !== null);
  assert.match(out, /joined/);
  return { pid: child.pid!, finish: () => (child.stdin.end(), done) };
}

const serverPid = async (env: NodeJS.ProcessEnv) => (await readState((await embeddedPaths({ env })).stateFile))?.pid;

test("server stop under another run: EMIGRAKIT_SERVER_IN_USE (exit 4) naming it, the server stays; stopped once it is done", async () => {
  const env = await freshEnv();
  const other = await otherRun(env);
  const pid = (await serverPid(env))!;
  const refused = runCli(["server", "stop", "--wait", "1s"], { cwd: process.cwd(), env });
  assert.equal(refused.status, 4, refused.stderr);
  assert.match(refused.stderr, /EMIGRAKIT_SERVER_IN_USE/);
  assert.match(refused.stderr, new RegExp(`pid ${other.pid}`), "names the run it waits for");
  assert.ok(isAlive(pid), "the server still runs");
  assert.equal(await other.finish(), "joined\nreleased\n", "the other run finished untouched");
  const stopped = runCli(["server", "stop", "--json"], { cwd: process.cwd(), env });
  assert.equal(stopped.status, 0, stopped.stderr);
  assert.equal(JSON.parse(stopped.stdout).stopped, true);
  await waitFor("the server to end", () => !isAlive(pid), 20_000);
});

test("server stop waits for the runs using the server, then stops it", async () => {
  const env = await freshEnv();
  const other = await otherRun(env);
  const pid = (await serverPid(env))!;
  const stop = spawnCli(["server", "stop", "--wait", "60s"], { cwd: process.cwd(), env });
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(isAlive(pid), "not stopped while the other run works");
  assert.equal(await other.finish(), "joined\nreleased\n");
  const end = await stop.exited;
  assert.equal(end.code, 0, end.stderr);
  assert.match(end.stdout, /stopped the embedded Postgres/);
  assert.equal(isAlive(pid), false);
});

test("CI=true: the run that started the server leaves it to the last run using it, which stops it", async () => {
  const env = await freshEnv({ CI: "true" });
  const starter = await getScratchServer({ database: "embedded", env });
  const other = await otherRun(env);
  const pid = (await serverPid(env))!;
  await starter.release();
  assert.ok(isAlive(pid), "still used by the other run: left running");
  assert.equal((await readState((await embeddedPaths({ env })).stateFile))?.stopWhenIdle, true);
  assert.equal(await other.finish(), "joined\nreleased\n", "the other run was not disturbed");
  await waitFor("the last run to stop the server", () => !isAlive(pid), 20_000);
});

test("a check whose embedded server is stopped from outside: EMIGRAKIT_SERVER_STOPPED, run again", async (t) => {
  const env = await freshEnv();
  const repo = exampleRepo();
  t.after(() => repo.cleanup());
  const mark = join(repo.dir, "upgrading");
  addUnreleasedScript(repo, "b1c2d3e4f5a6", `import time\nopen(${JSON.stringify(mark)}, "w").close()\ntime.sleep(5)`);
  const run = spawnCli(["check"], {
    cwd: repo.dir,
    env: { ...env, MIGRAKIT_PYTHON: testPythons()[0]!.python, MIGRAKIT_NO_CACHE: "1" },
  });
  await waitFor("the upgrade to start", () => existsSync(mark));
  // What an older migrakit's `server stop` or an admin's `pg_ctl stop -m fast` does.
  process.kill((await serverPid(env))!, "SIGINT");
  const end = await run.exited;
  assert.equal(end.code, 3, end.stdout + end.stderr);
  assert.match(end.stderr, /EMIGRAKIT_SERVER_STOPPED: The embedded Postgres .* stopped while this run used it/);
  assert.match(end.stderr, /fix: Run the same command again/);
  assert.doesNotMatch(end.stderr, /MIGRAKIT_DATABASE_URL/, "not the advice to check a URL that was never set");
});
