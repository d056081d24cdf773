// Renders docs/errors.md from the catalogue, so the documented codes and fixes are the ones the code prints.
import { catalogue } from "./index.js";

const EXIT_MEANING: Record<number, string> = {
  1: "the repository fails a check",
  2: "usage or configuration error",
  3: "environment error (Python, alembic, Postgres)",
  4: "another migrakit run holds the lock",
};

/** Example details that make each message readable in the docs. */
const SAMPLE = new Proxy({} as Record<string, unknown>, {
  get: (_t, key) => (typeof key === "string" ? `<${key}>` : undefined),
});

export function renderErrorDocs(): string {
  const lines = [
    "# Error codes",
    "",
    "<!-- Generated from src/errors/codes/*.ts by `npm run docs:errors`; a test keeps it in step. -->",
    "",
    "Every expected failure prints a stable code, one line saying what went wrong and one line saying how to fix",
    "it — no stack trace. `--json` puts the same in `errors` (or `findings` for check results).",
    "",
    "| exit code | meaning |",
    "| --- | --- |",
    "| 0 | success |",
    ...Object.entries(EXIT_MEANING).map(([k, v]) => `| ${k} | ${v} |`),
    "| 70 | internal error: a bug in migrakit (a stack trace is printed; please report it) |",
    "",
  ];
  const codes = Object.keys(catalogue).sort();
  for (const code of codes) {
    const def = catalogue[code as keyof typeof catalogue];
    lines.push(`## ${code}`, "", `**${def.title}** — exit ${def.exit} (${EXIT_MEANING[def.exit]}).`, "");
    lines.push(`- What you see: ${def.message(SAMPLE)}`, `- Fix: ${def.fix(SAMPLE)}`, "");
  }
  return lines.join("\n");
}
