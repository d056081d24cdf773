// Option values of `deploy` and `check --against` (pure): durations like `30s` and row limits.
import { MigrakitError } from "../errors/index.js";

const UNITS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** `500`, `500ms`, `30s`, `5min`, `1h` → milliseconds (0 = no limit, as Postgres reads it). */
export function parseDuration(option: string, value: string | number): number {
  const text = String(value).trim().toLowerCase();
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?$/.exec(text);
  if (!m) throw new MigrakitError("EMIGRAKIT_DURATION_INVALID", { option, value: String(value) });
  return Math.round(Number(m[1]) * UNITS[m[2] ?? "ms"]!);
}

export function parseRowLimit(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new MigrakitError("EMIGRAKIT_ROW_LIMIT_INVALID", { value: text });
  return Number(text);
}

/** Human text for a duration in messages. */
export function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${ms}ms`;
}

/** Defaults (docs/operators.md): wait a minute for another deploy; a statement waits 5 s for a table lock,
 * then the run is rolled back and tried again, 3 times; no statement_timeout unless set. */
export const DEFAULT_LOCK_WAIT = "60s";
export const DEFAULT_LOCK_TIMEOUT = "5s";
export const DEFAULT_RETRIES = 3;
export const DEFAULT_PARALLEL = 4;
