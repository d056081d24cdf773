// "Models match DDL": the ORM against the database at head, and on a difference the exact `op.*` block to
// paste, rendered by alembic itself, with the script it belongs in (the seed's CI "Build" output).
import type { ScriptFile } from "../../model/repo.js";
import { finding, type Finding } from "../../errors/finding.js";
import type { CompareResult } from "./port.js";
import { functionLine } from "./script-body.js";

/** alembic's rendered body without its "commands auto generated" banner lines, dedented. Pure. */
export function opsBlock(rendered: string): string {
  const lines = rendered.split("\n").filter((l) => !/^\s*# ### (commands auto generated|end Alembic commands)/.test(l));
  const indents = lines.filter((l) => l.trim()).map((l) => l.match(/^\s*/)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines
    .map((l) => l.slice(cut))
    .join("\n")
    .trim();
}

interface DiffLike {
  kind?: string;
  schema?: string | null;
  table?: string | null;
  column?: string;
  name?: string;
}

/** `add_column core.tag.description, …` for the message. Pure. */
export function diffSummary(diffs: unknown[], limit = 4): string {
  const items = diffs.map((d) => {
    const x = d as DiffLike;
    const target = [
      x.schema,
      x.table,
      x.column ?? (x.kind?.includes("index") || x.kind?.includes("constraint") ? x.name : undefined),
    ]
      .filter(Boolean)
      .join(".");
    return `${x.kind ?? "change"} ${target}`.trim();
  });
  return items.length > limit ? `${items.slice(0, limit).join(", ")}, …` : items.join(", ");
}

/** Does the script import `sqlmodel` under that very name (as alembic's rendering writes it)? */
const importsSqlmodel = (text: string) =>
  /^\s*import\s+sqlmodel\s*(#.*)?$/m.test(text) || /^\s*import\s+sqlmodel\s*,/m.test(text);

export function modelsMismatchFinding(result: CompareResult, script: ScriptFile | undefined): Finding | undefined {
  if (result.empty ?? result.diffs.length === 0) return undefined;
  const up = opsBlock(result.upgrade_ops);
  const down = opsBlock(result.downgrade_ops);
  const needsImport = (up + down).includes("sqlmodel.") && !(script && importsSqlmodel(script.text));
  const otherImports = (result.imports ?? []).filter((l) => l !== "import sqlmodel" && !script?.text.includes(l));
  const imports = [...(needsImport ? ["import sqlmodel"] : []), ...otherImports];
  const detail = [
    ...(imports.length ? ["# at the top of the script:", ...imports, ""] : []),
    "# in upgrade():",
    up,
    "",
    "# in downgrade():",
    down,
  ].join("\n");
  const where = script ? { file: script.path, line: functionLine(script.text, "upgrade") ?? 1 } : {};
  return finding(
    "EMIGRAKIT_MODELS_MISMATCH",
    where,
    {
      count: result.diffs.length,
      summary: diffSummary(result.diffs),
      file: script?.path ?? null,
      imports: imports.join("; "),
    },
    { detail },
  );
}
