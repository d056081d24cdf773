// The TypeScript end of the bridge: starts `python -m migrakit_bridge` once per run, checks the
// interpreter (preflight), and offers one typed `request` for every method of the contract (contract.ts).
// Requests go one at a time (the helper serves them in order); each has a timeout after which the helper is stopped: stdin closed,
// then SIGKILL when it does not end by itself. Every failure is a MigrakitError (src/errors/codes/bridge.ts).
import { appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter } from "node:path";
import { fromPackageRoot } from "../util/package-root.js";
import { MigrakitError } from "../errors/index.js";
import { redactSecrets } from "../util/redact.js";
import { preflightError } from "./preflight.js";
import { processChannel, socketChannel, type Channel, type ChannelEvents } from "./channel.js";
import { encodeRequest, parseResponse } from "./protocol.js";
import { remoteError } from "./remote-error.js";
import { bridgeTimeoutMs, SLOW_EVERY_MS, SLOW_FIRST_MS, slowNotice, waitingOn } from "./slow-request.js";
import type { WorkerRun } from "./worker-run.js";
import { workerSettings } from "./worker-settings.js";
import {
  type BridgeRequests,
  METHODS,
  type Method,
  type PackageParams,
  type PythonVersions,
  type Result,
  type SentArgs,
} from "./contract.js";

/** python/ of this package (dist/src/bridge → the package root). */
export const BRIDGE_PYTHON_DIR = fromPackageRoot("python");

const DEFAULT_STOP_GRACE_MS = 3_000;
const STDERR_KEEP = 8_000;

export interface StartBridgeOptions {
  /** The interpreter (see findPython). */
  python: string;
  /** The helper's working directory (the repository root). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** How long one request may take before the helper is stopped (default: MIGRAKIT_BRIDGE_TIMEOUT, else 10 minutes). */
  timeoutMs?: number;
  /** Receives a line every so often while a request takes long (what Python waits on): for a terminal. */
  onSlow?: (line: string) => void;
  /** After closing stdin, how long to wait before SIGKILL (default 3 s). */
  stopGraceMs?: number;
  /** Package params merged into every request (a request's own params win). */
  package?: PackageParams;
  /** Skip the `versions` check before the first request (helpers other than migrakit_bridge). */
  preflight?: boolean;
  /** The module run with `python -m` and the folder it lives in (tests run tiny fixture helpers). */
  module?: string;
  pythonPath?: string;
  /**
   * Take the run from the warm worker (worker-run.ts) when the settings allow it (default: the
   * environment's MIGRAKIT_WORKER / CI, for the migrakit_bridge module only). false: always our own child.
   */
  worker?: boolean;
  /** Receives the helper's stderr (its logging and the repo code's prints) as it comes. */
  onStderr?: (text: string) => void;
}

/** The helper's environment: the bridge on PYTHONPATH, unbuffered UTF-8 output, no bytecode written. */
export function bridgeEnv(opts: Pick<StartBridgeOptions, "env" | "pythonPath">): NodeJS.ProcessEnv {
  return {
    ...opts.env,
    PYTHONPATH: [opts.pythonPath ?? BRIDGE_PYTHON_DIR, opts.env.PYTHONPATH].filter(Boolean).join(delimiter),
    PYTHONUNBUFFERED: "1",
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONIOENCODING: "utf-8",
  };
}

interface Pending {
  id: number;
  method: string;
  params: object;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  slow?: NodeJS.Timeout;
  /** When the request was written (for MIGRAKIT_BRIDGE_TRACE). */
  sent: number;
}

export class Bridge implements BridgeRequests {
  readonly python: string;
  /** What the preflight found (undefined when it was skipped). */
  versionsInfo?: PythonVersions;
  /** The warm worker's process serving this run, when it is one (undefined: our own child). */
  readonly workerPid?: number;
  /** The `versions` answer the worker sent with the run (then the preflight needs no request). */
  readonly workerVersions?: PythonVersions;
  private readonly channel: Channel;
  private readonly opts: StartBridgeOptions;
  private stderrTail = "";
  /** The helper's stderr since a stack dump was asked for (null: none asked). */
  private dump: string | null = null;
  private nextId = 1;
  private pending: Pending | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private ended: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  /** Set when the helper broke the protocol or timed out: later requests fail with this. */
  private broken: MigrakitError | null = null;
  private readonly closed: Promise<void>;
  private killTimer: NodeJS.Timeout | undefined;
  private readonly killOnExit = () => this.channel.kill();
  /** Settles when the process started (or could not). */
  readonly spawned: Promise<void>;

  /** `worker`: a run the warm worker took (worker.ts); otherwise the helper is started as our child. */
  constructor(opts: StartBridgeOptions, worker?: WorkerRun) {
    this.opts = opts;
    this.python = opts.python;
    let onClose!: () => void;
    this.closed = new Promise((resolve) => (onClose = resolve));
    const events: ChannelEvents = {
      line: (l) => this.onLine(l),
      stderr: (chunk) => {
        this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_KEEP);
        if (this.dump !== null) this.dump += chunk;
        opts.onStderr?.(chunk);
      },
      close: (code, signal) => {
        this.ended = { code, signal };
        clearTimeout(this.killTimer);
        process.removeListener("exit", this.killOnExit);
        this.fail(this.broken ?? this.exitError(this.pending?.method ?? "start"));
        onClose();
      },
    };
    if (worker) {
      this.workerPid = worker.pid;
      this.workerVersions = worker.versions;
      this.channel = socketChannel(worker.socket, worker.pid, worker.buffered, events);
    } else {
      this.channel = processChannel(
        {
          python: opts.python,
          args: ["-m", opts.module ?? "migrakit_bridge"],
          cwd: opts.cwd,
          env: bridgeEnv(opts),
          spawnError: (err) => this.spawnError(err),
        },
        events,
      );
    }
    this.spawned = this.channel.ready;
    process.once("exit", this.killOnExit);
  }

  /** The helper's last stderr lines (for error messages). */
  stderr(): string {
    return redactSecrets(this.stderrTail.trim().split("\n").slice(-12).join("\n"));
  }

  /** End the helper: close stdin (it finishes the request at hand and exits), SIGKILL after the grace time. */
  close(): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.channel.end();
    clearTimeout(this.killTimer);
    this.killTimer = setTimeout(() => this.channel.kill(), this.opts.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
    return this.closed;
  }

  get running(): boolean {
    return this.ended === null;
  }

  /** One request (see contract.ts); they are served one at a time, in the order they were made. */
  request<M extends Method>(method: M, ...args: SentArgs<M>): Promise<Result<M>> {
    const own: object = args[0] ?? {};
    const params = METHODS[method] ? { ...this.opts.package, ...own } : own;
    const run = () => this.send<Result<M>>(method, params);
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => {});
    return result;
  }

  private send<T>(method: string, params: object): Promise<T> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.ended || this.channel.inputEnded) return Promise.reject(this.exitError(method));
    return new Promise<T>((resolve, reject) => {
      const id = this.nextId++;
      const timeoutMs = this.opts.timeoutMs ?? bridgeTimeoutMs(this.opts.env);
      const timer = setTimeout(() => {
        this.broken = new MigrakitError("EMIGRAKIT_BRIDGE_TIMEOUT", { method, timeoutMs });
        this.fail(this.broken);
        void this.close();
      }, timeoutMs);
      this.pending = { id, method, params, resolve: resolve as (v: unknown) => void, reject, timer, sent: Date.now() };
      if (this.opts.onSlow) this.watchSlow(this.pending, Date.now(), timeoutMs, SLOW_FIRST_MS);
      this.channel.write(encodeRequest(id, method, params));
    });
  }

  /** While `p` is pending: ask the helper for its stack now and then, and pass on where it waits. */
  private watchSlow(p: Pending, started: number, timeoutMs: number, afterMs: number): void {
    p.slow = setTimeout(() => {
      // Only a helper that registered the signal gets it (for any other, SIGUSR1 would end it).
      const canDump = this.versionsInfo?.stack_dump === "SIGUSR1" && this.channel.dumpStacks !== undefined;
      if (canDump) {
        this.dump = "";
        this.channel.dumpStacks!();
      }
      setTimeout(
        () => {
          const where = this.dump ? waitingOn(this.dump) : undefined;
          this.dump = null;
          if (this.pending !== p) return;
          this.opts.onSlow?.(slowNotice(p.method, Date.now() - started, where, timeoutMs));
          this.watchSlow(p, started, timeoutMs, SLOW_EVERY_MS);
        },
        canDump ? 300 : 0,
      ).unref();
    }, afterMs);
    p.slow.unref();
  }

  private onLine(line: string): void {
    const pending = this.pending;
    const response = parseResponse(line);
    if (typeof response === "string" || !pending || response.id !== pending.id) {
      // The stream cannot be trusted after a stray line: fail the request and stop the helper.
      this.broken ??= new MigrakitError("EMIGRAKIT_BRIDGE_PROTOCOL", {
        method: pending?.method ?? "(no request)",
        line: line.slice(0, 200),
      });
      this.fail(this.broken);
      void this.close();
      return;
    }
    this.pending = null;
    clearTimeout(pending.timer);
    clearTimeout(pending.slow);
    this.trace(pending, "error" in response ? "error" : "ok");
    if ("error" in response) pending.reject(remoteError(this.python, pending.method, pending.params, response.error));
    else pending.resolve(response.result);
  }

  /**
   * MIGRAKIT_BRIDGE_TRACE=FILE: one line per answered request, `method<TAB>ms<TAB>ok|error` (bench/hook
   * counts the requests of a run from it; the times show where a run waits on Python).
   */
  private trace(p: Pending, outcome: string): void {
    const file = this.opts.env.MIGRAKIT_BRIDGE_TRACE;
    if (file) appendFileSync(file, `${p.method}\t${Date.now() - p.sent}\t${outcome}\n`);
  }

  private fail(err: Error): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    clearTimeout(pending.slow);
    pending.reject(err);
  }

  private exitError(method: string): MigrakitError {
    return new MigrakitError("EMIGRAKIT_BRIDGE_EXITED", {
      method,
      code: this.ended?.code ?? null,
      signal: this.ended?.signal ?? null,
      stderr: this.stderr(),
    });
  }

  private spawnError(err: NodeJS.ErrnoException): MigrakitError {
    if (err.code === "ENOENT") return new MigrakitError("EMIGRAKIT_PYTHON_NOT_FOUND", { tried: this.python });
    return new MigrakitError("EMIGRAKIT_BRIDGE_START", { python: this.python, reason: err.message });
  }
}

/** The run from the warm worker, when this one may use it (its settings are read from the environment). */
async function workerRun(opts: StartBridgeOptions) {
  if (opts.worker === false || opts.module !== undefined || opts.pythonPath !== undefined) return null;
  const settings = workerSettings(opts.env, {
    uid: typeof process.getuid === "function" ? process.getuid() : -1,
    tmpdir: tmpdir(),
    platform: process.platform,
  });
  if (!settings.enabled) return null;
  const { takeWorkerRun } = await import("./worker-run.js");
  return takeWorkerRun({ python: opts.python, cwd: opts.cwd, env: bridgeEnv(opts), settings });
}

/** Start the helper and check the interpreter: the Bridge, or the error saying what is missing. */
export async function startBridge(opts: StartBridgeOptions): Promise<Bridge> {
  const run = await workerRun(opts);
  if (run) {
    try {
      return await started(new Bridge(opts, run), opts);
    } catch (err) {
      // The worker's process went away before answering the preflight: one normal start instead.
      const transport =
        err instanceof MigrakitError &&
        ["EMIGRAKIT_BRIDGE_EXITED", "EMIGRAKIT_BRIDGE_START", "EMIGRAKIT_BRIDGE_PROTOCOL"].includes(err.code);
      if (!transport) throw err;
    }
  }
  return started(new Bridge(opts), opts);
}

async function started(bridge: Bridge, opts: StartBridgeOptions): Promise<Bridge> {
  await bridge.spawned;
  if (opts.preflight === false) return bridge;
  let versions: PythonVersions;
  try {
    versions = bridge.workerVersions ?? (await bridge.request("versions"));
  } catch (err) {
    await bridge.close();
    if (err instanceof MigrakitError && err.code === "EMIGRAKIT_BRIDGE_EXITED" && bridge.stderr()) {
      const reason = bridge.stderr();
      throw new MigrakitError("EMIGRAKIT_BRIDGE_START", { python: opts.python, reason });
    }
    throw err;
  }
  const problem = preflightError(opts.python, versions);
  if (problem) {
    await bridge.close();
    throw problem;
  }
  bridge.versionsInfo = versions;
  return bridge;
}
