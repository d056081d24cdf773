// The "Database migrations" section of the release notes: each script the release ships, its revision and
// what it does. Pure; empty when the release ships no script, so the notes carry no empty heading.
import type { PlannedScript } from "./release-plan.js";

export const NOTES_HEADING = "### Database migrations";

/** A safety-lint finding as the notes list it (src/lint/lint.ts LintHit, by the script's current path). */
export interface NotedHit {
  file: string;
  rule: string;
  what: string;
  severity: "error" | "warning";
  accepted?: string;
}

/** Under each script, what the lint says an operator should know before deploying it (docs/lint.md). */
export function migrationNotes(scripts: PlannedScript[], lint: NotedHit[] = []): string {
  if (scripts.length === 0) return "";
  const several = new Set(scripts.map((s) => s.package)).size > 1;
  const lines = scripts.flatMap((s) => {
    const file = s.to.slice(s.to.lastIndexOf("/") + 1);
    const where = several ? ` in \`${s.package}\`` : "";
    const hits = lint
      .filter((h) => h.file === s.from)
      .map(
        (h) =>
          `  * ${h.accepted ? `accepted \`${h.rule}\`` : `⚠ \`${h.rule}\``}: ${h.what}${h.accepted ? ` (${h.accepted})` : ""}`,
      );
    return [`* \`${file}\`${where} (revision \`${s.revision}\`): ${s.summary}`, ...hits];
  });
  return [NOTES_HEADING, "", ...lines, ""].join("\n");
}
