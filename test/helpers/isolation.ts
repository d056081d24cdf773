// No test may use the machine-wide embedded server or result cache (the default data and cache folders that
// a developer's own runs and the other test files share): a test that stops "the" server would stop it
// under them, and a cached answer could hide a failure. Every run of the bin a helper starts therefore gets
// this process's own folders through the documented settings (docs/configuration.md: XDG_CACHE_HOME,
// MIGRAKIT_POSTGRES_DIR) unless the test chose its own. A test that forgot to give a run a Postgres would
// start one in this process's folder: at exit it is stopped and the test file fails, naming the setting.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlive } from "../../src/db/pid.js";

let base: string | undefined;

function folder(): string {
  if (base) return base;
  base = mkdtempSync(join(tmpdir(), "migrakit-test-own-"));
  // The embedded server runs as another user when the tests run as root: it must reach the folder.
  chmodSync(base, 0o755);
  process.on("exit", stopForgottenServer);
  return base;
}

const isSet = (v: string | undefined) => v !== undefined && v.trim() !== "";

/**
 * The environment for a run: `env` (what the test chose, over the process's) with this process's own cache
 * and embedded-server folders for whichever of the two settings the test left out.
 */
export function ownFolders(env: NodeJS.ProcessEnv, chosen: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const out = { ...env };
  if (!isSet(chosen.XDG_CACHE_HOME)) out.XDG_CACHE_HOME = join(folder(), "cache");
  if (!isSet(chosen.MIGRAKIT_POSTGRES_DIR)) out.MIGRAKIT_POSTGRES_DIR = join(folder(), "pg");
  return out;
}

function stopForgottenServer(): void {
  if (!base) return;
  let pid: number | undefined;
  try {
    pid = JSON.parse(readFileSync(join(base, "pg.json"), "utf8")).pid;
  } catch {
    // no server was started here: the usual case
  }
  if (pid !== undefined) {
    try {
      process.kill(pid, "SIGINT"); // Postgres' fast shutdown
      const until = Date.now() + 10_000;
      const nap = new Int32Array(new SharedArrayBuffer(4));
      while (isAlive(pid) && Date.now() < until) Atomics.wait(nap, 0, 0, 100);
    } catch {
      // gone
    }
    process.stderr.write(
      `test setup: a run started an embedded Postgres in ${join(base, "pg")} (now stopped): give the test its own server ` +
        "(test/helpers/postgres.ts) and pass MIGRAKIT_DATABASE_URL or MIGRAKIT_POSTGRES_DIR to the run\n",
    );
    process.exitCode = 1;
  }
  rmSync(base, { recursive: true, force: true });
}
