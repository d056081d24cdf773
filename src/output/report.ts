// Renders findings for people (text), machines (--json) and GitHub Actions (workflow annotations). Pure.
import type { Finding } from "../errors/finding.js";

export function formatFinding(f: Finding): string {
  const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ""}: ` : "";
  const lines = [`${where}${f.severity} ${f.code}: ${f.message}`, `  fix: ${f.fix}`];
  if (f.detail) lines.push(...f.detail.split("\n").map((l) => `    ${l}`));
  return lines.join("\n");
}

/** GitHub's workflow command syntax: properties and message escape %, CR, LF (and , : in properties). */
const escapeData = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

export function annotation(f: Finding): string {
  const props = [
    f.file && `file=${escapeProperty(f.file)}`,
    f.line && `line=${f.line}`,
    `title=${escapeProperty(f.code)}`,
  ]
    .filter(Boolean)
    .join(",");
  const body = [f.message, `Fix: ${f.fix}`, f.detail].filter(Boolean).join("\n");
  return `::${f.severity === "error" ? "error" : "warning"} ${props}::${escapeData(body)}`;
}

export function summaryLine(findings: Finding[]): string {
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.length - errors;
  if (findings.length === 0) return "no problems found";
  return `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`;
}
