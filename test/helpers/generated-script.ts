// A script as migrakit's generate writes it: the template's shape and the sealed marker that makes it
// machine-owned (src/generate/script-text.ts), so a later hook run refreshes or rebases it as its own. For
// tests that need "an unreleased script was generated and committed" as a starting state without running
// generate for it.
import { markerLine, seal } from "../../src/generate/script-text.js";

export interface GeneratedScript {
  revision: string;
  down: string | null;
  upgrade: string[];
  downgrade: string[];
  /** Comment lines after the marker, without `# ` (`migrakit: rename core.transform.version=v`). */
  notes?: string[];
  /** Import lines beyond the template's (`import sqlmodel` for a body naming `sqlmodel.`). */
  imports?: string[];
}

/** The text, in the shape of examples/schema-repo's script.py.mako (sqlmodel imported only as `sqm`). */
export function generatedScriptText(s: GeneratedScript): string {
  const body = (lines: string[]) => lines.map((l) => `    ${l}`).join("\n");
  return seal(
    [
      '"""vX.X.X."""',
      "from alembic import op",
      "import sqlalchemy as sa  # noqa: F401",
      "import sqlmodel as sqm  # noqa: F401",
      ...(s.imports ?? []),
      "",
      `revision = "${s.revision}"`,
      `down_revision = ${s.down === null ? "None" : `"${s.down}"`}`,
      "",
      "",
      "def upgrade() -> None:",
      body([markerLine("000000000000"), ...(s.notes ?? []).map((n) => `# ${n}`), ...s.upgrade]),
      "",
      "",
      "def downgrade() -> None:",
      body(s.downgrade.length ? s.downgrade : ["pass"]),
      "",
    ].join("\n"),
  );
}
