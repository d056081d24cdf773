// The process-wide list of scratch databases not dropped yet, dropped when the process is interrupted
// (SIGINT/SIGTERM), dies of an uncaught error, or exits without dropping them.
// - Signals: listeners are installed only while the list is non-empty, so the process keeps Node's
//   default behaviour otherwise. After dropping, the listener removes itself and raises the signal
//   again: the process ends as it would have (killed by the signal). A second signal during the drop
//   ends the process at once.
// - Uncaught errors and exit: the process is going down synchronously, there is no event loop left for
//   a database client. A short child process drops the databases (spawnSync); the URLs go over its
//   stdin, never its argv, which other users can read.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface Leftover {
  name: string;
  adminUrl: string;
}

const pending = new Map<string, Leftover>();
const SIGNALS = ["SIGINT", "SIGTERM"] as const;
let installed = false;
let draining = false;
/** Set by scratch.ts: drops one database (kept as a hook to avoid an import cycle). */
let dropper: ((item: Leftover) => Promise<void>) | undefined;

export function setDropper(fn: (item: Leftover) => Promise<void>): void {
  dropper = fn;
}

export function track(item: Leftover): void {
  pending.set(item.name, item);
  if (!installed) install();
}

export function untrack(name: string): void {
  pending.delete(name);
  if (pending.size === 0 && installed && !draining) uninstall();
}

/** The databases still to drop (for tests and diagnostics). */
export function tracked(): string[] {
  return [...pending.keys()];
}

/** Drop everything still tracked; failures are ignored (this is a last resort). */
export async function dropAllTracked(): Promise<void> {
  const items = [...pending.values()];
  await Promise.all(items.map((item) => (dropper ? dropper(item) : Promise.resolve()).catch(() => {})));
  for (const item of items) pending.delete(item.name);
}

function onSignal(signal: NodeJS.Signals): void {
  if (draining) return reraise(signal); // second Ctrl-C: stop waiting
  draining = true;
  void dropAllTracked().finally(() => {
    draining = false;
    reraise(signal);
  });
}

function reraise(signal: NodeJS.Signals): void {
  uninstall();
  // Always raised again, even when others listen: libraries such as signal-exit (loaded by
  // proper-lockfile) only end the process when they are the last listener, and they were not when the
  // signal first arrived. Without us they are, and the process ends as it would have.
  process.kill(process.pid, signal);
}

function onFatal(): void {
  dropSync();
}

function onExit(): void {
  dropSync();
}

function dropSync(): void {
  if (pending.size === 0) return;
  const script = fileURLToPath(new URL("./drop-leftovers.js", import.meta.url));
  spawnSync(process.execPath, [script], {
    input: JSON.stringify([...pending.values()]),
    stdio: ["pipe", "ignore", "ignore"],
    timeout: 20_000,
  });
  pending.clear();
}

const signalHandlers = new Map<string, () => void>();

function install(): void {
  installed = true;
  for (const signal of SIGNALS) {
    const handler = () => onSignal(signal);
    signalHandlers.set(signal, handler);
    process.on(signal, handler);
  }
  // The monitor variant observes without changing Node's behaviour (the process still dies of the error).
  process.on("uncaughtExceptionMonitor", onFatal);
  process.on("exit", onExit);
}

function uninstall(): void {
  installed = false;
  for (const [signal, handler] of signalHandlers) process.off(signal, handler);
  signalHandlers.clear();
  process.off("uncaughtExceptionMonitor", onFatal);
  process.off("exit", onExit);
}
