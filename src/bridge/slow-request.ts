// A request that takes long (an ORM import waiting on a network share, a script waiting on a lock): after a
// few seconds, a person at a terminal is told what Python is waiting on, read from the helper's own stack
// dump (faulthandler on SIGUSR1, see python/migrakit_bridge/__main__.py), and when it will be stopped.
// And how long a request may take at all: MIGRAKIT_BRIDGE_TIMEOUT, else a default per use. Pure.
import { MigrakitError } from "../errors/index.js";

/** When the first notice comes, and the next ones. */
export const SLOW_FIRST_MS = 5_000;
export const SLOW_EVERY_MS = 30_000;
/** A request may take this long before the helper is stopped: a commit waits on it, so the hook's is shorter. */
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
export const HOOK_TIMEOUT_MS = 3 * 60_000;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** The timeout in force: `MIGRAKIT_BRIDGE_TIMEOUT` (`90s`, `5min`, `600000`) or the default for this use. */
export function bridgeTimeoutMs(env: NodeJS.ProcessEnv, fallbackMs = DEFAULT_TIMEOUT_MS): number {
  const raw = env.MIGRAKIT_BRIDGE_TIMEOUT?.trim();
  if (!raw) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/i.exec(raw);
  const ms = m ? Math.round(Number(m[1]) * UNITS[(m[2] ?? "ms").toLowerCase()]!) : NaN;
  if (!(ms > 0))
    throw new MigrakitError("EMIGRAKIT_DURATION_INVALID", { option: "MIGRAKIT_BRIDGE_TIMEOUT", value: raw });
  return ms;
}

/**
 * Where the main thread waits, from a faulthandler dump (most recent call first): the innermost frame
 * outside the interpreter's own files (the repo's code), else the innermost frame at all.
 */
export function waitingOn(dump: string): string | undefined {
  const start = dump.lastIndexOf("Current thread");
  const block = (start >= 0 ? dump.slice(start) : dump).split(/\n\s*\n|\nThread 0x/)[0] ?? "";
  const frames = [...block.matchAll(/^\s*File "([^"]+)", line (\d+) in (\S+)/gm)].map((m) => ({
    file: m[1]!,
    line: m[2]!,
    fn: m[3]!,
  }));
  const real = frames.filter((f) => !f.file.startsWith("<frozen") && !/migrakit_bridge/.test(f.file));
  const own = real.find((f) => !/[/\\](site|dist)-packages[/\\]|[/\\]lib[/\\]python\d/.test(f.file));
  const pick = own ?? real[0];
  return pick && `${pick.file}:${pick.line} (in ${pick.fn})`;
}

export function slowNotice(method: string, elapsedMs: number, where: string | undefined, timeoutMs: number): string {
  const at = where ? `, waiting at ${where}` : "";
  return `migrakit: Python's ${method} has run for ${Math.round(elapsedMs / 1000)} s${at}; it is stopped after ${Math.round(timeoutMs / 1000)} s (MIGRAKIT_BRIDGE_TIMEOUT)`;
}
