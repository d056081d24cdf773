// The warm Python worker (python/migrakit_bridge/worker.py, src/bridge/worker-run.ts): real workers on real
// unix sockets, each test with its own socket folder. CI runs the suite with CI=true, where the worker is off
// by default, so every test that wants one turns it on with MIGRAKIT_WORKER=1.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBridge, type Bridge } from "../../src/bridge/index.js";
import { listWorkers, stopWorkers, type WorkerInfo } from "../../src/bridge/worker-admin.js";
import { socketPath, workerKey, workerSettings } from "../../src/bridge/worker-settings.js";
import { bridgeEnv } from "../../src/bridge/client.js";
import { isAlive, waitForExit } from "../../src/db/pid.js";
import { createScratchDatabase } from "../../src/db/index.js";
import { pruneTemplates } from "../../src/db/templates.js";
import { MigrakitError } from "../../src/errors/index.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { REPO_ROOT, testPythons } from "../helpers/python.js";
import { runCli } from "../helpers/cli.js";

const FIXTURE_REPO = join(REPO_ROOT, "test", "fixtures", "bridge", "repo");
const [CURRENT, LEGACY] = testPythons().map((p) => p.python) as [string, string];

let pg: TestPostgres;
const cleanups: (() => Promise<void> | void)[] = [];
before(async () => {
  pg = await startTestPostgres();
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
});

/** A socket folder of its own (0700), whose workers are stopped at the end of the file. */
function workerDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "migrakit-worker-"));
  cleanups.push(async () => {
    await stopWorkers(await listWorkers(dir, isAlive), waitForExit);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

function fixtureRepo(): string {
  const repo = join(mkdtempSync(join(tmpdir(), "migrakit-worker-repo-")), "repo");
  cpSync(FIXTURE_REPO, repo, { recursive: true });
  cleanups.push(() => rmSync(join(repo, ".."), { recursive: true, force: true }));
  return repo;
}

function workerEnv(dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CI: "true",
    MIGRAKIT_WORKER: "1",
    MIGRAKIT_WORKER_DIR: dir,
    MIGRAKIT_WORKER_IDLE: "120",
    ...extra,
  };
}

async function open(repo: string, env: NodeJS.ProcessEnv, python = CURRENT): Promise<Bridge> {
  return startBridge({ python, cwd: repo, env, package: { repo_root: repo, package: "heroes" } });
}

async function once<T>(
  repo: string,
  env: NodeJS.ProcessEnv,
  f: (b: Bridge) => Promise<T>,
  python = CURRENT,
): Promise<{ value: T; workerPid?: number }> {
  const b = await open(repo, env, python);
  try {
    return { value: await f(b), workerPid: b.workerPid };
  } finally {
    await b.close();
  }
}

async function onlyWorker(dir: string): Promise<WorkerInfo> {
  const workers = await listWorkers(dir, isAlive);
  assert.equal(workers.length, 1, JSON.stringify(workers));
  return workers[0]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, f: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

/** The ORM module writes one line per import: which process imported it. */
function markImports(repo: string): string {
  const marker = join(repo, "..", "imports.txt");
  const core = join(repo, "heroes", "_core.py");
  writeFileSync(
    core,
    `import os as _os\nwith open(${JSON.stringify(marker)}, "a") as _f:\n    _f.write("%d\\n" % _os.getpid())\n` +
      readFileSync(core, "utf8"),
  );
  return marker;
}
const importers = (marker: string) =>
  existsSync(marker) ? readFileSync(marker, "utf8").split("\n").filter(Boolean).map(Number) : [];

describe("the warm worker", () => {
  test("a second run is served by a fork of the same worker, which never imports the user's code", async () => {
    const dir = workerDir();
    const repo = fixtureRepo();
    const marker = markImports(repo);
    const env = workerEnv(dir);
    const first = await once(repo, env, (b) => b.request("schemas"));
    const worker = await onlyWorker(dir);
    const second = await once(repo, env, (b) => b.request("schemas"));
    assert.deepEqual(first.value, ["core"]);
    assert.deepEqual(second.value, ["core"]);
    assert.ok(
      first.workerPid && second.workerPid && first.workerPid !== second.workerPid,
      "each run has its own process",
    );
    assert.equal((await onlyWorker(dir)).pid, worker.pid, "the same worker served both");
    assert.equal(worker.mode, "fork");
    // Each run imported the ORM itself (nothing survived from the first), and the worker never did.
    assert.deepEqual(importers(marker), [first.workerPid, second.workerPid]);
    assert.ok(!importers(marker).includes(worker.pid));
  });

  test("a run after the ORM file changed sees the change", async () => {
    const dir = workerDir();
    const repo = fixtureRepo();
    const env = workerEnv(dir);
    const tables = async () => {
      const db = await createScratchDatabase(pg.adminUrl);
      try {
        return (await once(repo, env, (b) => b.request("create_all", { url: db.url }))).value.tables.sort();
      } finally {
        await db.drop();
      }
    };
    assert.deepEqual(await tables(), ["core.hero", "core.team"]);
    const core = join(repo, "heroes", "_core.py");
    writeFileSync(
      core,
      readFileSync(core, "utf8") +
        '\n\nclass Power(SQLModel, table=True):\n    __table_args__ = {"schema": "core"}\n\n    id: Optional[int] = Field(default=None, primary_key=True)\n',
    );
    assert.deepEqual(await tables(), ["core.hero", "core.power", "core.team"]);
    await onlyWorker(dir);
  });

  test("what the run's code prints reaches the run as stderr; the run's environment and folder are its own", async () => {
    const dir = workerDir();
    const repo = fixtureRepo();
    const core = join(repo, "heroes", "_core.py");
    writeFileSync(
      core,
      `import os, sys\nprint("stdout of", os.environ.get("MARK"), os.getcwd())\nprint("stderr too", file=sys.stderr)\n` +
        readFileSync(core, "utf8"),
    );
    let seen = "";
    const b = await startBridge({
      python: CURRENT,
      cwd: repo,
      env: workerEnv(dir, { MARK: "run-7" }),
      package: { repo_root: repo, package: "heroes" },
      onStderr: (t) => (seen += t),
    });
    try {
      assert.ok(b.workerPid);
      assert.deepEqual(await b.request("schemas"), ["core"]);
    } finally {
      await b.close();
    }
    assert.match(seen, new RegExp(`stdout of run-7 ${repo.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    assert.match(seen, /stderr too/);
  });

  test("after a pip install of another SQLAlchemy into the venv, the next run uses it", async () => {
    const dir = workerDir();
    const repo = fixtureRepo();
    const work = mkdtempSync(join(tmpdir(), "migrakit-venv-"));
    cleanups.push(() => rmSync(work, { recursive: true, force: true }));
    // A throwaway copy of the current venv (never pip install into the shared ones), and a wheel of the
    // legacy stack's SQLAlchemy 1.4.41 built from its installed files, so pip needs no index.
    const venv = join(work, "venv");
    cpSync(join(REPO_ROOT, ".venvs", "current"), venv, { recursive: true, verbatimSymlinks: true });
    const python = join(venv, "bin", "python");
    const wheel = join(work, "SQLAlchemy-1.4.41-py3-none-any.whl");
    execFileSync(LEGACY, ["-c", WHEEL_FROM_INSTALLED, wheel], { encoding: "utf8" });
    const env = workerEnv(dir);
    const before = await once(repo, env, async (b) => b.versionsInfo!.sqlalchemy, python);
    assert.equal(before.value?.split(".")[0], "2");
    const old = await onlyWorker(dir);
    execFileSync(
      python,
      ["-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--disable-pip-version-check", wheel],
      { encoding: "utf8", env: { ...process.env, PIP_ROOT_USER_ACTION: "ignore" } },
    );
    const afterInstall = await once(repo, env, async (b) => b.versionsInfo!.sqlalchemy, python);
    assert.equal(afterInstall.value, "1.4.41");
    assert.ok(afterInstall.workerPid, "served by a new worker");
    assert.ok(await waitForExit(old.pid, 10_000), "the stale worker exited");
    assert.equal((await onlyWorker(dir)).versions.sqlalchemy, "1.4.41");
  });

  test("two concurrent hooks in two repos with different venvs each get their own worker", async () => {
    const dir = workerDir();
    const repos = [hookRepo(), hookRepo()];
    const runs = repos.map((r, i) =>
      runAsync(
        ["hook", "pre-commit"],
        r,
        workerEnv(dir, { MIGRAKIT_DATABASE_URL: pg.adminUrl, MIGRAKIT_PYTHON: i === 0 ? CURRENT : LEGACY }),
      ),
    );
    const results = await Promise.all(runs);
    for (const r of results) assert.equal(r.status, 0, r.stderr);
    for (const r of repos)
      assert.ok(
        readdirSync(join(r, "lnschema_demo/migrations/versions")).some((f) => f.endsWith("-vx_x_x.py")),
        "the hook wrote a script",
      );
    const workers = await listWorkers(dir, isAlive);
    assert.deepEqual(workers.map((w) => w.python).sort(), [CURRENT, LEGACY].sort());
    assert.deepEqual(workers.map((w) => w.cwd).sort(), [...repos].sort());
    assert.deepEqual(new Set(workers.map((w) => w.versions.sqlalchemy?.split(".")[0])), new Set(["1", "2"]));
  });
});

describe("a worker that cannot serve costs one normal start, never a failure", () => {
  test("a killed worker: the next run starts a new one", async () => {
    const dir = workerDir();
    const repo = fixtureRepo();
    const env = workerEnv(dir);
    await once(repo, env, (b) => b.request("heads"));
    const old = await onlyWorker(dir);
    process.kill(old.pid, "SIGKILL");
    assert.ok(await waitForExit(old.pid, 5000));
    assert.ok(existsSync(old.socket), "the dead worker's socket is left behind");
    const r = await once(repo, env, (b) => b.request("heads"));
    assert.deepEqual(r.value, ["b2c3d4e5f6a1"]);
    assert.ok(r.workerPid);
    assert.notEqual((await onlyWorker(dir)).pid, old.pid);
  });

  test("a worker whose socket was deleted: the next run starts a new one and the old one exits", async () => {
    const dir = workerDir();
    const repo = fixtureRepo();
    const env = workerEnv(dir, { MIGRAKIT_WORKER_IDLE: "8" });
    await once(repo, env, (b) => b.request("heads"));
    const old = await onlyWorker(dir);
    rmSync(old.socket);
    const r = await once(repo, env, (b) => b.request("heads"));
    assert.deepEqual(r.value, ["b2c3d4e5f6a1"]);
    assert.ok(r.workerPid);
    assert.ok(await waitForExit(old.pid, 10_000), "the worker without its socket exited");
    assert.notEqual((await onlyWorker(dir)).pid, old.pid);
  });

  test("a socket owned by another user is refused: never connected to, the run starts its own Python", async () => {
    const dir = workerDir();
    const repo = fixtureRepo();
    const env = workerEnv(dir);
    const path = socketPath(dir, workerKey(CURRENT, repo, bridgeEnv({ env })));
    // A listener run as `nobody` in a folder it may write to, then moved to the key's path.
    const spot = mkdtempSync(join(tmpdir(), "migrakit-foreign-"));
    chmodSync(spot, 0o777);
    cleanups.push(() => rmSync(spot, { recursive: true, force: true }));
    const foreign = spawn(CURRENT, ["-c", FOREIGN_LISTENER, join(spot, "s.sock")], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    cleanups.push(() => void foreign.kill("SIGKILL"));
    let said = "";
    foreign.stdout.setEncoding("utf8");
    foreign.stdout.on("data", (t: string) => (said += t));
    await until("the foreign listener is up", () => said.includes("listening"));
    renameSync(join(spot, "s.sock"), path);
    const r = await once(repo, env, (b) => b.request("heads"));
    assert.deepEqual(r.value, ["b2c3d4e5f6a1"]);
    assert.equal(r.workerPid, undefined, "not served by a worker");
    await sleep(300);
    assert.ok(!said.includes("connected"), "the foreign socket got no connection");
    assert.deepEqual(await listWorkers(dir, isAlive), []);
  });

  test("a full worker (MIGRAKIT_WORKER_MAX_RUNS runs at once): the run past that starts its own Python", async () => {
    const dir = workerDir();
    const repo = fixtureRepo();
    const env = workerEnv(dir, { MIGRAKIT_WORKER_MAX_RUNS: "1" });
    const held = await open(repo, env);
    try {
      assert.ok(held.workerPid);
      const r = await once(repo, env, (b) => b.request("heads"));
      assert.deepEqual(r.value, ["b2c3d4e5f6a1"]);
      assert.equal(r.workerPid, undefined);
      assert.deepEqual(await held.request("heads"), ["b2c3d4e5f6a1"], "the held run is served all the same");
    } finally {
      await held.close();
    }
    await sleep(200);
    const again = await once(repo, env, (b) => b.request("heads"));
    assert.ok(again.workerPid, "free again once the first run ended");
  });

  test("a worker killed in the middle of a run fails only that run's request, as a helper exit", async () => {
    const dir = workerDir();
    const repo = fixtureRepo();
    const b = await open(repo, workerEnv(dir));
    try {
      assert.ok(b.workerPid);
      process.kill(b.workerPid!, "SIGKILL");
      await assert.rejects(
        b.request("heads"),
        (e: unknown) => e instanceof MigrakitError && e.code === "EMIGRAKIT_BRIDGE_EXITED",
      );
    } finally {
      await b.close();
    }
    const r = await once(repo, workerEnv(dir), (x) => x.request("heads"));
    assert.deepEqual(r.value, ["b2c3d4e5f6a1"]);
  });
});

describe("when there is no worker", () => {
  test("CI=true uses no worker unless MIGRAKIT_WORKER=1; MIGRAKIT_WORKER=0 turns it off anywhere", async () => {
    const dir = workerDir();
    const repo = fixtureRepo();
    for (const extra of [{ MIGRAKIT_WORKER: "" }, { MIGRAKIT_WORKER: "0", CI: "" }]) {
      const r = await once(repo, workerEnv(dir, extra), (b) => b.request("heads"));
      assert.deepEqual(r.value, ["b2c3d4e5f6a1"]);
      assert.equal(r.workerPid, undefined);
    }
    assert.deepEqual(readdirSync(dir), [], "not even a socket was made");
    assert.equal(workerSettings({ CI: "true" }, { uid: 0, tmpdir: "/tmp", platform: "linux" }).enabled, false);
    assert.equal(workerSettings({}, { uid: 0, tmpdir: "/tmp", platform: "linux" }).enabled, true);
    assert.equal(workerSettings({}, { uid: 0, tmpdir: "/tmp", platform: "linux" }).idleSeconds, 1800);
    assert.throws(
      () => workerSettings({ MIGRAKIT_WORKER: "maybe" }, { uid: 0, tmpdir: "/tmp", platform: "linux" }),
      (e: unknown) => e instanceof MigrakitError && e.code === "EMIGRAKIT_CONFIG_INVALID",
    );
  });

  test("a socket folder that others may enter is not used", async () => {
    const dir = workerDir();
    chmodSync(dir, 0o755);
    const r = await once(fixtureRepo(), workerEnv(dir), (b) => b.request("heads"));
    assert.deepEqual(r.value, ["b2c3d4e5f6a1"]);
    assert.equal(r.workerPid, undefined);
    assert.deepEqual(readdirSync(dir), []);
  });

  test("the worker exits after its idle timeout and removes its socket", async () => {
    const dir = workerDir();
    const repo = fixtureRepo();
    const first = await once(repo, workerEnv(dir, { MIGRAKIT_WORKER_IDLE: "2" }), (b) => b.request("heads"));
    assert.ok(first.workerPid, "served by the worker it started");
    const w = await onlyWorker(dir);
    assert.equal(w.idleSeconds, 2);
    assert.ok(await waitForExit(w.pid, 15_000), "exited when idle");
    assert.ok(!existsSync(w.socket));
    const r = await once(repo, workerEnv(dir, { MIGRAKIT_WORKER_IDLE: "2" }), (b) => b.request("heads"));
    assert.deepEqual(r.value, ["b2c3d4e5f6a1"], "the run after the idle exit is served");
  });

  test("the spare mode (macOS's): each run is served by a spare, which leaves its successor", async () => {
    const dir = workerDir();
    const repo = fixtureRepo();
    const marker = markImports(repo);
    const env = workerEnv(dir, { MIGRAKIT_WORKER_MODE: "spare" });
    const first = await once(repo, env, (b) => b.request("schemas"));
    await until("the successor is ready", async () => (await listWorkers(dir, isAlive)).length === 1);
    const spare = await onlyWorker(dir);
    assert.equal(spare.mode, "spare");
    const second = await once(repo, env, (b) => b.request("schemas"));
    assert.equal(second.workerPid, spare.pid, "the spare became the second run's bridge");
    assert.deepEqual(importers(marker), [first.workerPid, second.workerPid]);
    await until("the next successor is ready", async () => (await listWorkers(dir, isAlive)).length === 1);
  });

  test("`migrakit server status` shows the worker and `server stop` stops it", async () => {
    const dir = workerDir();
    const repo = fixtureRepo();
    await once(repo, workerEnv(dir), (b) => b.request("heads"));
    const w = await onlyWorker(dir);
    // Read-only for the embedded Postgres; `stop workers` leaves the machine's embedded Postgres alone.
    const pgEnv = { MIGRAKIT_WORKER_DIR: dir };
    const status = runCli(["server", "status", "--json"], { cwd: repo, env: pgEnv });
    assert.equal(status.status, 0, status.stderr);
    const shown = JSON.parse(status.stdout) as { running: boolean; workers: WorkerInfo[] };
    assert.deepEqual(
      shown.workers.map((x) => x.pid),
      [w.pid],
    );
    assert.equal(shown.workers[0]!.cwd, repo);
    const text = runCli(["server", "status"], { cwd: repo, env: pgEnv });
    assert.match(text.stdout, new RegExp(`warm Python worker pid ${w.pid} \\(fork\\)`));
    const stop = runCli(["server", "stop", "workers", "--json"], { cwd: repo, env: pgEnv });
    assert.equal(stop.status, 0, stop.stderr);
    assert.equal((JSON.parse(stop.stdout) as { workersStopped: number }).workersStopped, 1);
    assert.ok(!isAlive(w.pid));
    assert.ok(!existsSync(w.socket));
    assert.equal(runCli(["server", "stop", "nothing"], { cwd: repo, env: pgEnv }).status, 2);
  });
});

function hookRepo(): string {
  const work = mkdtempSync(join(tmpdir(), "migrakit-worker-hook-"));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  const dir = join(work, "repo");
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" });
  cpSync(join(REPO_ROOT, "examples", "schema-repo"), dir, { recursive: true });
  git("init", "-q", "-b", "main");
  git("-c", "user.name=T", "-c", "user.email=t@e", "add", "-A");
  git("-c", "user.name=T", "-c", "user.email=t@e", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "init");
  const core = join(dir, "lnschema_demo", "_core.py");
  writeFileSync(
    core,
    readFileSync(core, "utf8").replace(
      "    handle: str = Field(index=True, unique=True)\n",
      "$&    worker_note: Optional[str] = None\n",
    ),
  );
  git("add", "lnschema_demo/_core.py");
  return dir;
}

function runAsync(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "migrakit.js"), ...args], {
      cwd,
      env: { ...env, GITHUB_ACTIONS: "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (t: string) => (stderr += t));
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

// Python run as root: bind a unix socket, then become `nobody` and own it, listen, and report connections.
const FOREIGN_LISTENER = `
import os, pwd, socket, sys
nobody = pwd.getpwnam("nobody")
os.setgid(nobody.pw_gid); os.setuid(nobody.pw_uid)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(4)
print("listening", flush=True)
while True:
    c, _ = s.accept()
    print("connected", flush=True)
    c.close()
`;

// A wheel of an installed distribution, from its files as its RECORD lists them (no index needed).
const WHEEL_FROM_INSTALLED = `
import sys, zipfile, importlib.metadata as md
dist = md.distribution("SQLAlchemy")
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for f in dist.files:
        if "__pycache__" in str(f) or str(f).startswith(".."):
            continue
        p = f.locate()
        if p.is_file():
            z.write(p, str(f))
`;
