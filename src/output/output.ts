// Writing results and failures: the only place that decides between text, JSON and annotations.
import type { Context } from "./context.js";
import type { Finding } from "../errors/finding.js";
import { annotation, formatFinding, summaryLine } from "./report.js";
import type { MigrakitError } from "../errors/index.js";
import { redactSecrets } from "../util/redact.js";

export const inGitHubActions = (env: NodeJS.ProcessEnv) => env.GITHUB_ACTIONS === "true";

/**
 * Where GitHub workflow commands (`::error …`) go: stdout as usual, stderr under --json so that stdout stays
 * exactly one JSON document (the runner reads workflow commands from both streams).
 */
const annotationStream = (ctx: Pick<Context, "stdout" | "stderr" | "json">) => (ctx.json ? ctx.stderr : ctx.stdout);

export function print(stream: NodeJS.WritableStream, text: string): void {
  stream.write(redactSecrets(text) + "\n");
}

/** Findings on stderr for people (plus annotations in GitHub Actions); the JSON document on stdout with --json. */
export function reportFindings(ctx: Context, findings: Finding[], extra: Record<string, unknown> = {}): void {
  if (ctx.json) {
    print(ctx.stdout, JSON.stringify({ ok: !findings.some((f) => f.severity === "error"), ...extra, findings }, null, 2));
  } else {
    for (const f of findings) print(ctx.stderr, formatFinding(f));
  }
  if (inGitHubActions(ctx.env)) for (const f of findings) print(annotationStream(ctx), annotation(f));
  if (!ctx.json) print(findings.length ? ctx.stderr : ctx.stdout, summaryLine(findings));
}

/** An expected failure: code, message and fix of each error, no stack trace. */
export function reportError(ctx: Pick<Context, "stdout" | "stderr" | "json" | "env">, error: MigrakitError): void {
  const all = error.all();
  if (ctx.json) {
    print(ctx.stdout, JSON.stringify({ ok: false, errors: all.map((e) => ({ code: e.code, message: e.message, fix: e.fix, exitCode: e.exitCode })) }, null, 2));
  } else {
    for (const e of all) print(ctx.stderr, `error ${e.code}: ${e.message}\n  fix: ${e.fix}`);
  }
  if (inGitHubActions(ctx.env)) for (const e of all) print(annotationStream(ctx), `::error title=${e.code}::${e.message} Fix: ${e.fix}`.replace(/\n/g, "%0A"));
}
