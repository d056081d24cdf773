// The suite's own rule (issue 16): no test uses the machine-wide embedded server or result cache. The run
// helpers hand every run this process's own folders for the settings a test left out (helpers/isolation.ts),
// and a server that a forgetful test started there is stopped at exit and fails the file. Real processes: a
// child test process whose "server" (a sleeping process recorded in the state file, as the embedded server
// records itself) must be gone when it exits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ownFolders } from "../helpers/isolation.js";
import { isAlive } from "../../src/db/pid.js";

const ISOLATION = fileURLToPath(new URL("../helpers/isolation.js", import.meta.url));

test("a run gets this process's own cache and server folders unless the test chose them", () => {
  const mine = ownFolders({ ...process.env, XDG_CACHE_HOME: "", MIGRAKIT_POSTGRES_DIR: "" });
  assert.match(mine.XDG_CACHE_HOME!, /migrakit-test-own-[^/]+\/cache$/);
  assert.match(mine.MIGRAKIT_POSTGRES_DIR!, /migrakit-test-own-[^/]+\/pg$/);
  const chosen = { XDG_CACHE_HOME: "/tmp/c", MIGRAKIT_POSTGRES_DIR: "/tmp/p" };
  const kept = ownFolders({ ...process.env, ...chosen }, chosen);
  assert.equal(kept.XDG_CACHE_HOME, "/tmp/c");
  assert.equal(kept.MIGRAKIT_POSTGRES_DIR, "/tmp/p");
});

test("a server started in the process's own folder is stopped at exit and fails the file, naming the settings", async (t) => {
  const sleeper = spawn("sleep", ["300"], { stdio: "ignore" });
  t.after(() => sleeper.kill("SIGKILL"));
  const code = `
    import { writeFileSync } from "node:fs";
    const { ownFolders } = await import(${JSON.stringify(ISOLATION)});
    const pg = ownFolders({}).MIGRAKIT_POSTGRES_DIR;
    writeFileSync(pg + ".json", JSON.stringify({ pid: ${sleeper.pid}, port: 1, dataDir: pg, version: "17" }));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /started an embedded Postgres .* \(now stopped\)/);
  assert.match(r.stderr, /MIGRAKIT_DATABASE_URL or MIGRAKIT_POSTGRES_DIR/);
  const exited = await new Promise<NodeJS.Signals | null>((resolve) => {
    if (sleeper.exitCode !== null || sleeper.signalCode !== null) resolve(sleeper.signalCode);
    else sleeper.on("exit", (_c, s) => resolve(s));
  });
  assert.equal(exited, "SIGINT");
  assert.equal(isAlive(sleeper.pid!), false);
});

test("a process that started nothing there exits as it would", () => {
  const code = `const { ownFolders } = await import(${JSON.stringify(ISOLATION)}); ownFolders({});`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
});
