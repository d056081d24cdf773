// Timing helpers for bench scripts: run a command several times and report the median wall time.
import { spawnSync } from "node:child_process";

export interface Timing {
  label: string;
  medianMs: number;
  runs: number[];
}

export function timeCommand(
  label: string,
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; runs?: number; before?: () => void; expectStatus?: number } = {},
): Timing {
  const runs: number[] = [];
  for (let i = 0; i < (opts.runs ?? 7); i++) {
    opts.before?.();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== (opts.expectStatus ?? 0)) throw new Error(`${label}: exit ${r.status}\n${r.stderr}`);
    runs.push(ms);
  }
  const sorted = [...runs].sort((a, b) => a - b);
  return { label, medianMs: sorted[Math.floor(sorted.length / 2)]!, runs };
}

export function printTable(rows: Timing[], baseline: Timing): void {
  for (const r of rows) {
    console.log(
      `${r.label.padEnd(58)} ${(r.medianMs / 1000).toFixed(3).padStart(7)} s   ${(r.medianMs / baseline.medianMs).toFixed(2).padStart(6)}x ${baseline.label}`,
    );
  }
}
