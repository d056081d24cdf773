// The "Database migrations" section of the release notes: each script the release ships, its revision and
// what it does. Pure; empty when the release ships no script, so the notes carry no empty heading.
import type { PlannedScript } from "./plan.js";

export const NOTES_HEADING = "### Database migrations";

export function migrationNotes(scripts: PlannedScript[]): string {
  if (scripts.length === 0) return "";
  const several = new Set(scripts.map((s) => s.package)).size > 1;
  const lines = scripts.map((s) => {
    const file = s.to.slice(s.to.lastIndexOf("/") + 1);
    const where = several ? ` in \`${s.package}\`` : "";
    return `* \`${file}\`${where} (revision \`${s.revision}\`): ${s.summary}`;
  });
  return [NOTES_HEADING, "", ...lines, ""].join("\n");
}
