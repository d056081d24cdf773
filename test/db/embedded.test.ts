// The embedded server for real: initdb, detached start, reuse, concurrent starts, locks, root, failures.
import { test, after } from "node:test";
import { skipUnless } from "../helpers/prerequisite.js";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFile, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureEmbeddedServer, stopEmbeddedServer, embeddedPaths } from "../../src/db/embedded.js";
import { getScratchServer } from "../../src/db/server.js";
import { withFileLock } from "../../src/db/lock.js";
import { isAlive } from "../../src/db/pid.js";
import { isRoot } from "../../src/db/os-user.js";
import { readState } from "../../src/db/state.js";
import { isMigrakitError } from "../../src/errors/index.js";
import { reachableTempDir } from "../helpers/postgres.js";

const env = { ...process.env, MIGRAKIT_DATABASE_URL: "", CI: "" };
const DB_MODULE = fileURLToPath(new URL("../../src/db/index.js", import.meta.url));
const dataDirs: string[] = [];
const bases: string[] = [];

async function freshDataDir(): Promise<string> {
  const base = await reachableTempDir();
  bases.push(base);
  const dataDir = join(base, "pg");
  dataDirs.push(dataDir);
  return dataDir;
}

// Whatever a failing test left: no server keeps running, no folder stays.
after(async () => {
  for (const dataDir of dataDirs) await stopEmbeddedServer({ env, dataDir }).catch(() => {});
  for (const base of bases) await rm(base, { recursive: true, force: true });
});

function uidOf(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, "utf8").then((s) => Number(/^Uid:\s+(\d+)/m.exec(s)![1]));
}

test("starts once, reuses the running server on the next run, stops and restarts on the same data folder", async () => {
  const dataDir = await freshDataDir();
  const first = await ensureEmbeddedServer({ env, dataDir });
  assert.equal(first.started, true);
  assert.match(first.version, /^17\./);
  assert.match(first.adminUrl, /^postgresql:\/\/postgres:[0-9a-f]+@127\.0\.0\.1:\d+\/postgres$/);
  const paths = await embeddedPaths({ env, dataDir });
  assert.deepEqual(await readState(paths.stateFile), {
    pid: first.pid,
    port: first.port,
    dataDir,
    version: first.version,
  });
  assert.equal((await stat(paths.passwordFile)).mode & 0o777, 0o600);

  // The warm path reuses the running server (its time is measured in bench/postgres-start.ts, not asserted).
  const second = await ensureEmbeddedServer({ env, dataDir });
  assert.equal(second.started, false);
  assert.equal(second.pid, first.pid);
  assert.equal(second.port, first.port);

  assert.equal(await stopEmbeddedServer({ env, dataDir }), true);
  assert.equal(isAlive(first.pid), false);
  assert.equal(await readState(paths.stateFile), undefined);
  assert.equal(await stopEmbeddedServer({ env, dataDir }), false, "stopping twice is harmless");

  const again = await ensureEmbeddedServer({ env, dataDir });
  assert.equal(again.started, true);
  assert.notEqual(again.pid, first.pid);
  assert.equal(
    again.adminUrl.split("@")[0],
    first.adminUrl.split("@")[0],
    "same password: the data folder was reused, not re-initialised",
  );
  await stopEmbeddedServer({ env, dataDir });
});

test("as root, initdb and postgres run as an unprivileged user that owns the data folder", {
  skip: skipUnless(isRoot(), "only meaningful as root"),
}, async () => {
  const dataDir = await freshDataDir();
  const server = await ensureEmbeddedServer({ env, dataDir });
  try {
    assert.notEqual(await uidOf(server.pid), 0);
    assert.equal((await stat(dataDir)).uid, await uidOf(server.pid));
  } finally {
    await stopEmbeddedServer({ env, dataDir });
  }
});

function startInChild(dataDir: string): Promise<{ pid: number; port: number; started: boolean }> {
  const code = `
    const { ensureEmbeddedServer } = await import(${JSON.stringify(DB_MODULE)});
    const s = await ensureEmbeddedServer({ env: process.env, dataDir: ${JSON.stringify(dataDir)} });
    process.stdout.write(JSON.stringify({ pid: s.pid, port: s.port, started: s.started }));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    child.on("close", (status) =>
      status === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child failed (${status}): ${err}`)),
    );
  });
}

test("two runs starting at once share one server: the second waits for the lock and reuses it", async () => {
  const dataDir = await freshDataDir();
  const [a, b] = await Promise.all([startInChild(dataDir), startInChild(dataDir)]);
  try {
    assert.equal(a.pid, b.pid);
    assert.equal(a.port, b.port);
    assert.deepEqual([a.started, b.started].sort(), [false, true]);
    assert.ok(isAlive(a.pid), "the server outlives the runs that started it");
  } finally {
    await stopEmbeddedServer({ env, dataDir });
  }
  assert.equal(isAlive(a.pid), false);
});

test("a lock held too long ends the run with EMIGRAKIT_LOCKED (exit 4)", async () => {
  const dataDir = await freshDataDir();
  const paths = await embeddedPaths({ env, dataDir });
  let release!: () => void;
  const held = withFileLock(paths.lockFile, () => new Promise<void>((r) => (release = r)));
  await new Promise((r) => setTimeout(r, 100));
  try {
    await assert.rejects(ensureEmbeddedServer({ env, dataDir, lockTimeoutMs: 300 }), (e: unknown) => {
      assert.ok(isMigrakitError(e));
      assert.equal(e.code, "EMIGRAKIT_LOCKED");
      assert.equal(e.exitCode, 4);
      return true;
    });
  } finally {
    release();
    await held;
  }
});

test("release() stops the server in CI or with keepAlive false, only when this run started it", async () => {
  const dataDir = await freshDataDir();
  const ci = await getScratchServer({ database: "embedded", env: { ...env, CI: "true" }, dataDir });
  const pid = (await readState((await embeddedPaths({ env, dataDir })).stateFile))!.pid;
  await ci.release();
  assert.equal(isAlive(pid), false);

  const owner = await getScratchServer({ database: "embedded", env, dataDir, keepAlive: true });
  const guest = await getScratchServer({ database: "embedded", env, dataDir, keepAlive: false });
  const running = (await readState((await embeddedPaths({ env, dataDir })).stateFile))!.pid;
  await guest.release();
  assert.ok(isAlive(running), "a run that did not start the server leaves it running");
  await owner.release();
  assert.ok(isAlive(running), "keepAlive: the server stays for the next run");
  await stopEmbeddedServer({ env, dataDir });
});

test("a lost state file or a dead server's state file is handled: running servers adopted, dead ones restarted", async () => {
  const dataDir = await freshDataDir();
  const paths = await embeddedPaths({ env, dataDir });
  const first = await ensureEmbeddedServer({ env, dataDir });
  await rm(paths.stateFile);
  const adopted = await ensureEmbeddedServer({ env, dataDir });
  assert.equal(adopted.pid, first.pid);
  assert.equal(adopted.started, false);
  assert.ok(await readState(paths.stateFile), "state written again");

  await stopEmbeddedServer({ env, dataDir });
  await writeFile(paths.stateFile, JSON.stringify({ pid: first.pid, port: first.port, dataDir, version: "17.9" }));
  const restarted = await ensureEmbeddedServer({ env, dataDir });
  assert.equal(restarted.started, true);
  await stopEmbeddedServer({ env, dataDir });
});

test("a server that cannot start gives EMIGRAKIT_POSTGRES_START (exit 3) with the log's last lines", async () => {
  const dataDir = await freshDataDir();
  await ensureEmbeddedServer({ env, dataDir });
  await stopEmbeddedServer({ env, dataDir });
  await appendFile(join(dataDir, "postgresql.conf"), "\nshared_buffers = 'lots'\n");
  await assert.rejects(ensureEmbeddedServer({ env, dataDir }), (e: unknown) => {
    assert.ok(isMigrakitError(e));
    assert.equal(e.code, "EMIGRAKIT_POSTGRES_START");
    assert.equal(e.exitCode, 3);
    assert.match(e.message, /shared_buffers/);
    assert.ok(!e.message.includes("\n"));
    assert.match(e.fix, new RegExp(`delete ${dataDir}`));
    return true;
  });
});
