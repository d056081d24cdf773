// The pipe between the Bridge and its helper: either a child process of ours (stdin/stdout/stderr), or a
// run served by the warm worker over a unix socket (worker.ts), where the helper's stdout and stderr come
// as lines of one stream: protocol responses, and `{"stderr": "…"}` for what the run's code printed.
import { spawn } from "node:child_process";
import type { Socket } from "node:net";
import { LineSplitter } from "./protocol.js";

export interface ChannelEvents {
  /** One protocol line (a response, or something that is not one: the Bridge decides). */
  line(line: string): void;
  stderr(text: string): void;
  /** The helper is gone (exit code and signal when it was our child; null/null for a worker's run). */
  close(code: number | null, signal: NodeJS.Signals | null): void;
}

export interface Channel {
  /** Settles when the helper is there to talk to (or could not be started). */
  readonly ready: Promise<void>;
  write(text: string): void;
  /** Close the helper's input: it finishes the request at hand and exits. */
  end(): void;
  readonly inputEnded: boolean;
  /** Stop it now (SIGKILL). */
  kill(): void;
  /**
   * Ask the serving process for its threads' stacks on its stderr (SIGUSR1, which migrakit_bridge's
   * __main__ and worker register with faulthandler).
   */
  dumpStacks?: () => void;
}

/** `python -m <module>` as our child. `spawnError` is what ready rejects with when it cannot start. */
export function processChannel(
  o: {
    python: string;
    args: string[];
    cwd: string;
    env: NodeJS.ProcessEnv;
    spawnError: (err: NodeJS.ErrnoException) => Error;
  },
  ev: ChannelEvents,
): Channel {
  const child = spawn(o.python, o.args, { cwd: o.cwd, env: o.env, stdio: "pipe" });
  const splitter = new LineSplitter();
  const ready = new Promise<void>((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", (err: NodeJS.ErrnoException) => reject(o.spawnError(err)));
  });
  ready.catch(() => {});
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => splitter.push(chunk).forEach(ev.line));
  child.stderr.on("data", (chunk: string) => ev.stderr(chunk));
  // Writing to a helper that died raises EPIPE here; its exit is reported by the close handler.
  child.stdin.on("error", () => {});
  child.once("close", (code, signal) => {
    splitter.end().forEach(ev.line);
    ev.close(code, signal);
  });
  return {
    ready,
    write: (text) => void child.stdin.write(text),
    end: () => void child.stdin.end(),
    get inputEnded() {
      return child.stdin.writableEnded;
    },
    kill: () => void child.kill("SIGKILL"),
    dumpStacks: () => void child.kill("SIGUSR1"),
  };
}

/** A run the worker serves: `pid` is the process serving it (a fork of the worker, or the spare itself). */
export function socketChannel(socket: Socket, pid: number, buffered: string, ev: ChannelEvents): Channel {
  const splitter = new LineSplitter();
  let closed = false;
  const onLine = (line: string) => {
    if (line.startsWith('{"stderr"')) {
      try {
        const text = (JSON.parse(line) as { stderr?: unknown }).stderr;
        if (typeof text === "string") return ev.stderr(text);
      } catch {
        // not a stderr frame after all: the Bridge reports the stray line
      }
    }
    ev.line(line);
  };
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => splitter.push(chunk).forEach(onLine));
  socket.on("error", () => {});
  socket.once("close", () => {
    closed = true;
    splitter.end().forEach(onLine);
    ev.close(null, null);
  });
  if (buffered) queueMicrotask(() => splitter.push(buffered).forEach(onLine));
  socket.resume(); // paused by worker-run.ts between the worker's answer and this listener
  const kill = () => {
    if (closed) return;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
    socket.destroy();
  };
  return {
    ready: Promise.resolve(),
    write: (text) => void socket.write(text),
    end: () => void socket.end(),
    get inputEnded() {
      return socket.writableEnded || socket.destroyed;
    },
    kill,
    // The serving process registered faulthandler on SIGUSR1 (migrakit_bridge.worker's main; forks inherit it).
    dumpStacks: () => {
      if (closed) return;
      try {
        process.kill(pid, "SIGUSR1");
      } catch {
        // already gone
      }
    },
  };
}
