// A finding: one way the repository fails a check (docs/spec.md §4: code, file:line, what, how to fix).
import { definition, type Details, type ErrorCode } from "./index.js";
import { redactSecrets } from "../util/redact.js";

export interface Finding {
  code: string;
  severity: "error" | "warning";
  /** Path relative to the repository root, `/`-separated. */
  file?: string;
  line?: number;
  message: string;
  fix: string;
  /** Extra text shown below the finding, e.g. the `op.*` lines to paste. */
  detail?: string;
}

export function finding(
  code: ErrorCode,
  where: { file?: string; line?: number },
  details: Details = {},
  extra: { severity?: "error" | "warning"; detail?: string } = {},
): Finding {
  const def = definition(code);
  const f: Finding = {
    code,
    severity: extra.severity ?? "error",
    message: redactSecrets(def.message(details)),
    fix: redactSecrets(def.fix(details)),
  };
  if (where.file !== undefined) f.file = where.file;
  if (where.line !== undefined) f.line = where.line;
  if (extra.detail !== undefined) f.detail = extra.detail;
  return f;
}

export const hasErrors = (findings: Finding[]) => findings.some((f) => f.severity === "error");
