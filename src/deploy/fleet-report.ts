// The fleet's result table and JSON (pure): one row per instance, named `host:port/database` (never a URL,
// so no password), from → to, scripts, seconds, result.
import type { MigrakitError } from "../errors/index.js";

export type FleetResult =
  | "deployed"
  | "up to date"
  | "behind"
  | "ahead"
  | "refused"
  | "failed"
  | "unreachable"
  | "stopped"
  | "not started";

export interface FleetRow {
  target: string;
  from: string | null;
  to: string | null;
  versions: string;
  scripts: number;
  seconds: number;
  result: FleetResult;
  /** At the package head when the command ended. */
  atHead: boolean;
  code?: string;
  message?: string;
  notes?: string[];
}

/** The result of an instance that ended in an error: what kind of failure the code is. */
export function errorResult(err: MigrakitError): FleetResult {
  if (err.code === "EMIGRAKIT_INSTANCE_AHEAD") return "ahead";
  if (err.code === "EMIGRAKIT_DEPLOY_STOPPED") return "stopped";
  if (["EMIGRAKIT_DB_UNREACHABLE", "EMIGRAKIT_DB_AUTH", "EMIGRAKIT_DB_MISSING"].includes(err.code))
    return "unreachable";
  if (
    [
      "EMIGRAKIT_APPLIED_SCRIPT_CHANGED",
      "EMIGRAKIT_UNRELEASED_REFUSED",
      "EMIGRAKIT_VERSION_TABLE_MISSING",
      "EMIGRAKIT_VERSION_TABLE_INVALID",
      "EMIGRAKIT_INSTANCE_HEADS",
      "EMIGRAKIT_DEPLOY_LOCKED",
    ].includes(err.code)
  )
    return "refused";
  return "failed";
}

export function fleetTable(rows: FleetRow[]): string {
  const head = ["instance", "from → to", "scripts", "seconds", "result"];
  const body = rows.map((r) => [
    r.target,
    r.versions,
    String(r.scripts),
    r.seconds.toFixed(1),
    r.code ? `${r.result}: ${r.code}` : r.result,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const out = [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)];
  for (const r of rows) if (r.message) out.push(`${r.target}: ${r.message}`);
  return out.join("\n");
}

export function fleetJson(rows: FleetRow[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      ok: rows.every((r) => r.atHead),
      total: rows.length,
      atHead: rows.filter((r) => r.atHead).length,
      ...extra,
      instances: rows,
    },
    null,
    2,
  );
}

/** A progress line for one instance as it finishes (terminal only). */
export function progressLine(done: number, total: number, r: FleetRow): string {
  return `[${done}/${total}] ${r.target}: ${r.result}${r.code ? ` (${r.code})` : ""} ${r.versions} ${r.scripts} script(s) ${r.seconds.toFixed(1)}s`;
}
