// The destructive ops in an upgrade body generate has just rendered (alembic's own rendering:
// `op.drop_table('run', schema='core')`, `op.drop_column('user', 'nick', schema='core')`), so generate can
// say what it wrote and print the marker line to add. generate never writes a marker itself: accepting a
// drop is the reviewer's call. Pure; the check's lint (run on the script) is what enforces it.
import { markerLine } from "./markers.js";

export interface GeneratedDrop {
  rule: "drop-table" | "drop-column";
  object: string;
  marker: string;
}

const ARG = String.raw`\s*(['"])([^'"]+)\1`;
const SCHEMA = String.raw`(?:[^)]*?schema=(['"])([^'"]+)\5)?`;
const DROP_TABLE = new RegExp(String.raw`op\.drop_table\(${ARG}()()${SCHEMA}`, "g");
const DROP_COLUMN = new RegExp(String.raw`op\.drop_column\(${ARG},${ARG}${SCHEMA}`, "g");

export function generatedDrops(upgrade: string): GeneratedDrop[] {
  const out: GeneratedDrop[] = [];
  const add = (rule: GeneratedDrop["rule"], object: string) =>
    out.push({ rule, object, marker: markerLine(rule, object) });
  for (const m of upgrade.matchAll(DROP_TABLE)) add("drop-table", [m[6], m[2]].filter(Boolean).join("."));
  for (const m of upgrade.matchAll(DROP_COLUMN)) add("drop-column", [m[6], m[2], m[4]].filter(Boolean).join("."));
  return out;
}
