// What generate says (text for people): the action, the script, every rename. Pure. Failures that block
// (ambiguous renames, a hand-edited script that lacks operations) become MigrakitErrors with the details.
import { diffSummary } from "../checks/dynamic/models-match.js";
import { MigrakitError } from "../errors/index.js";
import { missingBlock, type GenerateOutcome, type Predating } from "./generate.js";

/**
 * The drift that predates the change, one line and its fix (stable wording: tests and users grep it);
 * nothing when there is none.
 */
export function predatingLines(o: Partial<Predating>): string[] {
  if (o.predatingFailed)
    return [
      `migrakit: HEAD's ORM could not be compared (${o.predatingFailed}): every difference counts as this change's`,
    ];
  const n = o.predating?.length ?? 0;
  if (n === 0) return [];
  return [
    `migrakit: ${n} difference${n === 1 ? " predates" : "s predate"} this change: ${diffSummary(o.predating!, 5)}`,
    "  left out of the script; `migrakit generate --include-drift` (MIGRAKIT_INCLUDE_DRIFT=1 in the hook) writes them into it",
  ];
}

export function outcomeLines(o: GenerateOutcome): string[] {
  switch (o.kind) {
    case "nothing":
      return [`migrakit: ${o.reason}`, ...predatingLines(o)];
    case "written": {
      const what = o.created
        ? `wrote ${o.file} (revision ${o.revision})`
        : o.changed
          ? `refreshed ${o.file} for the current ORM`
          : `${o.file} is up to date`;
      return [
        `migrakit: ${what}`,
        ...o.renames.map((r) => `  rename: ${r.text}`),
        ...o.writes.filter((w) => w.path !== o.file).map((w) => `  updated ${w.path} (_migration = "${o.revision}")`),
        // Said where it cannot be missed: as written, the script works only on a table without rows.
        ...o.fillIns.map(
          (c) =>
            `  fill in: ${c} is a new NOT NULL column without a server default; put the value for existing rows in the script where it says "migrakit: fill in", or generate again with --backfill ${c}=SQL`,
        ),
        // Destructive: the check blocks it until a person accepts it in the script (docs/lint.md).
        ...(o.drops ?? []).flatMap((d) => [
          `  destructive: ${d.rule} ${d.object} — if that is meant, add this line to ${o.file}:`,
          `    ${d.marker}`,
        ]),
        ...predatingLines(o),
      ];
    }
    default:
      return [];
  }
}

/** The blocking outcomes as errors (exit 1), with what to do. */
export function outcomeError(o: GenerateOutcome): { error: MigrakitError; detail?: string } | null {
  if (o.kind === "ambiguous") {
    const summary = o.ambiguous
      .map((a) =>
        a.kind === "table"
          ? `tables ${a.dropped.join(", ")} dropped and ${a.added.join(", ")} added`
          : `in ${a.table}: ${a.dropped.join(", ")} dropped and ${a.added.join(", ")} added`,
      )
      .join("; ");
    const options = o.ambiguous
      .map((a) => a.options[0])
      .filter(Boolean)
      .join(" ");
    const detail = [
      "candidates (pick one per dropped name):",
      ...o.ambiguous.flatMap((a) => a.options.map((x) => `  ${x}`)),
    ].join("\n");
    return { error: new MigrakitError("EMIGRAKIT_RENAME_AMBIGUOUS", { summary, options }), detail };
  }
  if (o.kind === "edited") {
    const lines = o.upgrade.split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"));
    return {
      error: new MigrakitError("EMIGRAKIT_SCRIPT_EDITED", {
        file: o.file,
        ownership: o.ownership,
        summary: `${lines.length} operation${lines.length === 1 ? "" : "s"} missing`,
      }),
      detail: missingBlock(o),
    };
  }
  return null;
}
