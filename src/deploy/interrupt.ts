// SIGINT/SIGTERM/SIGHUP while a deploy runs: migrakit must not just exit (its helper would go on and commit).
// While `guard` is active a signal calls `onStop` (which closes the helpers' stdin: they cancel the statement
// in flight and roll back, see python/migrakit_bridge/stop.py) and the deploy's own promise then settles
// with what happened; a second signal is ignored the same way, so the rollback is always waited for.
const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export interface Guard {
  /** The first signal received, if any. */
  readonly signal: NodeJS.Signals | undefined;
  release(): void;
}

export function guardSignals(onStop: (signal: NodeJS.Signals) => void): Guard {
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (received) return;
    received = signal;
    onStop(signal);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    get signal() {
      return received;
    },
    release() {
      for (const s of SIGNALS) process.removeListener(s, handler);
    },
  };
}
