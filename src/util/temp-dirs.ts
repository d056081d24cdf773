// Temporary folders of a run (the exported index, trimmed migrations folders, release exports): made here
// and removed here, and removed anyway when the run is interrupted (SIGINT/SIGTERM/SIGHUP) or exits
// without removing them (an uncaught error, a forgotten path).
// - The signal listener goes first (prepended) and takes itself off before others run: the removal is
//   synchronous, so a listener after it (db/cleanup.ts dropping scratch databases, signal-exit) sees the
//   process as if this one had never listened and ends it as usual. When nobody else listens, the signal
//   is raised again: the process ends as it would have, killed by the signal.
// - Listeners are installed only while a folder is tracked, so Node's default behaviour is kept otherwise.
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const tracked = new Set<string>();
const handlers = new Map<NodeJS.Signals, () => void>();

/** A fresh folder `<tmpdir>/<prefix>XXXXXX`, removed by removeTempDir or, failing that, at exit. */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tracked.add(dir);
  if (handlers.size === 0) install();
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  tracked.delete(dir);
  if (tracked.size === 0) uninstall();
}

/** The folders not removed yet (for tests and diagnostics). */
export function trackedTempDirs(): string[] {
  return [...tracked];
}

function removeAllSync(): void {
  for (const dir of tracked) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // a last resort: a folder that cannot be removed now stays for the OS to clean
    }
  }
  tracked.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAllSync();
  uninstall();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  for (const signal of SIGNALS) {
    const handler = () => onSignal(signal);
    handlers.set(signal, handler);
    process.prependListener(signal, handler);
  }
  process.on("exit", removeAllSync);
}

function uninstall(): void {
  for (const [signal, handler] of handlers) process.off(signal, handler);
  handlers.clear();
  process.off("exit", removeAllSync);
}
