// migrakit's errors and findings as semantic-release errors: code, message, and details (markdown, printed
// by semantic-release under the message) saying how to fix it. Every expected failure goes through here,
// so semantic-release prints it without a stack trace.
import SemanticReleaseError from "@semantic-release/error";
import { isMigrakitError, type MigrakitError } from "../src/errors/index.js";
import type { Finding } from "../src/errors/finding.js";
import { redactSecrets } from "../src/util/redact.js";

export function fromMigrakitError(e: MigrakitError): Error {
  return new SemanticReleaseError(
    e.message,
    e.code,
    redactSecrets(`**Fix:** ${e.fix}\n\nSee the migrakit error catalogue (docs/errors.md) for ${e.code}.`),
  );
}

export function fromFinding(f: Finding): Error {
  const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ""}: ` : "";
  const details = [
    `**Where:** \`${f.file ?? "(repository)"}${f.line ? `:${f.line}` : ""}\``,
    `**Fix:** ${f.fix}`,
    f.detail ? "```\n" + f.detail + "\n```" : "",
    "Run `npx migrakit check --static` to see every finding.",
  ]
    .filter(Boolean)
    .join("\n\n");
  return new SemanticReleaseError(`${where}${f.message}`, f.code, details);
}

/** Expected failures become SemanticReleaseErrors (all of them, for a MigrakitError that carries others). */
export function toReleaseErrors(e: unknown): Error[] {
  if (isMigrakitError(e)) return e.all().map(fromMigrakitError);
  return [e as Error];
}

/** Throw the errors together so the user sees (and fixes) all of them at once. */
export function throwReleaseErrors(errors: Error[]): void {
  if (errors.length === 0) return;
  if (errors.length === 1) throw errors[0];
  throw new AggregateError(errors, `${errors.length} problems`);
}
