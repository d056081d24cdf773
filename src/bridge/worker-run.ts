// Taking a run from the warm worker (python/migrakit_bridge/worker.py): connect to the socket of this run's
// key, say hello, and get back the process that serves the run. When there is no worker yet (or it is
// stale: the installed packages changed), start one — it pays the import this once, and the run is served by
// it. Anything unexpected (a foreign socket, a busy or broken worker) answers null: the run then starts its
// own Python as before. A worker can cost one normal start, never a failure.
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { lstat, mkdir } from "node:fs/promises";
import { createConnection, type Socket } from "node:net";
import type { PythonVersions } from "./contract.js";
import { socketPath, workerKey, type WorkerSettings } from "./worker-settings.js";

export interface WorkerRun {
  socket: Socket;
  /** The process serving this run. */
  pid: number;
  /** What came after the worker's answer (normally nothing). */
  buffered: string;
  /** The preflight's answer, read once by the worker (it exits when the installed packages change). */
  versions?: PythonVersions;
  /** True when this run started the worker (the cold case). */
  started: boolean;
}

export interface TakeOptions {
  python: string;
  cwd: string;
  /** The helper's environment (bridgeEnv): the run's process gets it; the key is taken from it. */
  env: NodeJS.ProcessEnv;
  settings: WorkerSettings;
  /** How long a worker may take to answer the hello (its import, when it has just started). */
  answerTimeoutMs?: number;
}

type Attempt = { run: Omit<WorkerRun, "started"> } | "absent" | "refused" | "busy" | "stale" | "failed";

const uid = () => (typeof process.getuid === "function" ? process.getuid() : -1);

/** The socket folder exists, is ours and nobody else's (0700): otherwise no worker at all. */
export async function ownDir(dir: string): Promise<boolean> {
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch(() => {});
  try {
    const st = await lstat(dir);
    return st.isDirectory() && st.uid === uid() && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** A socket file that is there but not a socket of ours is never connected to. */
async function socketState(path: string): Promise<"absent" | "ours" | "foreign"> {
  try {
    const st = await lstat(path);
    return st.isSocket() && st.uid === uid() ? "ours" : "foreign";
  } catch {
    return "absent";
  }
}

function attempt(path: string, hello: string, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    let text = "";
    let done = false;
    const finish = (a: Attempt) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners("data");
      if (typeof a === "object") {
        socket.removeAllListeners("error");
        socket.removeAllListeners("close");
        socket.pause();
      } else socket.destroy();
      resolve(a);
    };
    const timer = setTimeout(() => finish("failed"), timeoutMs);
    socket.setEncoding("utf8");
    socket.once("connect", () => socket.write(hello));
    socket.on("error", (err: NodeJS.ErrnoException) =>
      finish(err.code === "ENOENT" || err.code === "ECONNREFUSED" ? "absent" : "failed"),
    );
    socket.once("close", () => finish("failed"));
    socket.on("data", (chunk: string) => {
      text += chunk;
      const nl = text.indexOf("\n");
      if (nl < 0) return;
      let answer: { worker?: string; pid?: number; versions?: PythonVersions };
      try {
        answer = JSON.parse(text.slice(0, nl)) as typeof answer;
      } catch {
        return finish("failed");
      }
      if (answer.worker === "ready" && typeof answer.pid === "number" && answer.pid > 1)
        return finish({
          run: {
            socket,
            pid: answer.pid,
            buffered: text.slice(nl + 1),
            ...(answer.versions && typeof answer.versions === "object" ? { versions: answer.versions } : {}),
          },
        });
      finish(answer.worker === "stale" ? "stale" : answer.worker === "busy" ? "busy" : "failed");
    });
  });
}

/** Start a worker for this key, detached: it outlives this run (until idle, stale, or `server stop`). */
function startWorker(o: TakeOptions, path: string): { exited: () => boolean } {
  let exited = false;
  let log: number | "ignore" = "ignore";
  try {
    log = openSync(`${path}.log`, "w", 0o600);
  } catch {
    // no log then
  }
  const args = [
    "-m",
    "migrakit_bridge.worker",
    path,
    String(o.settings.idleSeconds),
    String(o.settings.maxRuns),
    ...(o.settings.mode ? [o.settings.mode] : []),
  ];
  const child = spawn(o.python, args, { cwd: o.cwd, env: o.env, detached: true, stdio: ["ignore", log, log] });
  if (typeof log === "number") closeSync(log);
  child.once("error", () => (exited = true));
  child.once("exit", () => (exited = true));
  child.unref();
  return { exited: () => exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** This run's process from the warm worker, or null: then the caller starts its own Python. */
export async function takeWorkerRun(o: TakeOptions): Promise<WorkerRun | null> {
  if (!(await ownDir(o.settings.dir))) return null;
  const path = socketPath(o.settings.dir, workerKey(o.python, o.cwd, o.env));
  const hello = JSON.stringify({ hello: 1, cwd: o.cwd, env: o.env }) + "\n";
  const timeoutMs = o.answerTimeoutMs ?? 60_000;
  const tryOnce = async (): Promise<Attempt> => {
    const state = await socketState(path);
    if (state === "foreign") return "refused";
    if (state === "absent") return "absent";
    return attempt(path, hello, timeoutMs);
  };
  const first = await tryOnce();
  if (typeof first === "object") return { ...first.run, started: false };
  if (first !== "absent" && first !== "stale") return null;
  // None there (or a dead one's socket, or one that just retired as stale): start it and wait for its socket.
  const worker = startWorker(o, path);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const gone = worker.exited();
    const next = await tryOnce();
    if (typeof next === "object") return { ...next.run, started: true };
    // "stale" again would mean a worker that cannot match its own key: do not loop on it.
    if (next !== "absent" || gone) return null;
    await sleep(20);
  }
  return null;
}
