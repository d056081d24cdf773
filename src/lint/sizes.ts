// A table's size on a real instance, as a lock or rewrite finding shows it ("core.file: 4.1 M rows, 2.3 GB").
// Pure formatting; the numbers are read by src/db/table-sizes.ts.
import { tableLabel, type TableName } from "./actions.js";

export interface TableSize {
  rows: number;
  bytes: number;
}

const UNITS = ["B", "kB", "MB", "GB", "TB"];

export function formatBytes(bytes: number): string {
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < UNITS.length - 1) {
    n /= 1024;
    u++;
  }
  return `${u === 0 ? n : n.toFixed(1)} ${UNITS[u]}`;
}

export function formatRows(rows: number): string {
  if (rows >= 1e9) return `${(rows / 1e9).toFixed(1)} G rows`;
  if (rows >= 1e6) return `${(rows / 1e6).toFixed(1)} M rows`;
  if (rows >= 1e4) return `${(rows / 1e3).toFixed(1)} k rows`;
  return `${rows} row${rows === 1 ? "" : "s"}`;
}

export const describeSize = (t: TableName, s: TableSize) =>
  `${tableLabel(t)} on the instance: ${formatRows(s.rows)}, ${formatBytes(s.bytes)}`;
