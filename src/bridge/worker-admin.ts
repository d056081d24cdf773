// `migrakit server status|stop` for the warm workers: each writes `<socket>.json` (python/migrakit_bridge/
// worker.py) while it serves; listing reads those, stopping sends SIGTERM (the worker removes its socket).
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

export interface WorkerInfo {
  pid: number;
  python: string;
  cwd: string;
  mode: "fork" | "spare";
  idleSeconds: number;
  started: string;
  versions: Record<string, string | null>;
  socket: string;
}

/** The live workers of a socket folder; the state file of a dead one is removed on the way. */
export async function listWorkers(dir: string, isAlive: (pid: number) => boolean): Promise<WorkerInfo[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: WorkerInfo[] = [];
  for (const name of names.filter((n) => n.endsWith(".sock.json")).sort()) {
    const file = join(dir, name);
    let s: Record<string, unknown>;
    try {
      s = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
    } catch {
      continue; // being written
    }
    const pid = Number(s.pid);
    if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid)) {
      await rm(file, { force: true });
      continue;
    }
    out.push({
      pid,
      python: String(s.python),
      cwd: String(s.cwd),
      mode: s.mode === "spare" ? "spare" : "fork",
      idleSeconds: Number(s.idleSeconds),
      started: new Date(Number(s.started) * 1000).toISOString(),
      versions: (s.versions ?? {}) as Record<string, string | null>,
      socket: file.slice(0, -".json".length),
    });
  }
  return out;
}

/** SIGTERM each live worker and wait for it (SIGKILL after `graceMs`); the runs they serve go on to their end. */
export async function stopWorkers(
  workers: WorkerInfo[],
  waitForExit: (pid: number, ms: number) => Promise<boolean>,
  graceMs = 3000,
): Promise<number> {
  let stopped = 0;
  for (const w of workers) {
    try {
      process.kill(w.pid, "SIGTERM");
    } catch {
      continue;
    }
    if (!(await waitForExit(w.pid, graceMs))) {
      try {
        process.kill(w.pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
      await rm(w.socket, { force: true });
      await rm(`${w.socket}.json`, { force: true });
    }
    stopped++;
  }
  return stopped;
}
