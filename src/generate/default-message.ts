// The message of a new script when no -m was given (convention alembic: its docstring and file-name slug), in a
// few words on what changes. Pure.
import type { Diff } from "../bridge/contract.js";
import type { Rename } from "./renames.js";

/**
 * alembic's diffs are from before the rename pairing: a renamed column is a remove_column and an add_column
 * there. The pairs that became renames are named as renames, so the name says what the script does.
 */
export function defaultMessage(diffs: Diff[], renames: Rename[] = []): string {
  const paired = (d: Diff): boolean =>
    renames.some((r) =>
      r.kind === "column"
        ? "column" in d &&
          d.table === r.table &&
          ((d.kind === "remove_column" && d.column === r.from) || (d.kind === "add_column" && d.column === r.to))
        : (d.kind === "remove_table" && d.table === r.from) || (d.kind === "add_table" && d.table === r.to),
    );
  const words = [
    ...renames.map((r) =>
      r.kind === "column" ? `rename_column ${r.table} ${r.from} ${r.to}` : `rename_table ${r.from} ${r.to}`,
    ),
    ...diffs
      .filter((d) => !paired(d))
      .map((d) => {
        const where = "table" in d && d.table ? d.table : "";
        const what = "column" in d && typeof d.column === "string" ? ` ${d.column}` : "";
        return `${d.kind} ${where}${what}`.trim();
      }),
  ];
  const shown = words.slice(0, 2);
  if (words.length > 2) shown.push("and more");
  return shown.join(" ") || "schema change";
}
