// Writing results and failures: the only place that decides between text, JSON and annotations.
// One look for people: what migrakit says about its own progress (wrote, refreshed, deploying, baseline …)
// starts with `migrakit: `, also inside `git commit`'s output; failures are `error CODE: …` with a `fix:`
// line (findings with their `file:line:` first); results asked for (status, --sql, the summary) stand alone.
import type { Context } from "./context.js";
import type { Finding } from "../errors/finding.js";
import { annotation, formatFinding, summaryLine } from "./report.js";
import type { MigrakitError } from "../errors/index.js";
import { redactSecrets, redactSql } from "../util/redact.js";
import { clearLine } from "./progress.js";

export const inGitHubActions = (env: NodeJS.ProcessEnv) => env.GITHUB_ACTIONS === "true";

/**
 * Where GitHub workflow commands (`::error …`) go: stdout as usual, stderr under --json so that stdout stays
 * exactly one JSON document (the runner reads workflow commands from both streams).
 */
const annotationStream = (ctx: Pick<Context, "stdout" | "stderr" | "json">) => (ctx.json ? ctx.stderr : ctx.stdout);

export function print(stream: NodeJS.WritableStream, text: string): void {
  clearLine(stream); // a live progress line is redrawn below this text
  stream.write(redactSecrets(text) + "\n");
}

/**
 * Where a slow Python request's notices go (bridge/slow-request.ts): the terminal a person watches, as
 * progress does (Context.interactive); a CI log or a pipe gets none.
 */
export function slowNotices(ctx: Pick<Context, "interactive" | "stderr">): ((line: string) => void) | undefined {
  return ctx.interactive ? (line) => print(ctx.stderr, line) : undefined;
}

/**
 * SQL the user asked for (`deploy --sql`, as text or inside its JSON document): every password migrakit was
 * handed is cut out in any spelling, but the SQL is otherwise printed as it is (see redactSql).
 */
export function printSql(stream: NodeJS.WritableStream, text: string): void {
  clearLine(stream);
  stream.write(redactSql(text.endsWith("\n") ? text : text + "\n"));
}

/** Findings on stderr for people (plus annotations in GitHub Actions); the JSON document on stdout with --json. */
export function reportFindings(ctx: Context, findings: Finding[], extra: Record<string, unknown> = {}): void {
  if (ctx.json) {
    print(
      ctx.stdout,
      JSON.stringify({ ok: !findings.some((f) => f.severity === "error"), ...extra, findings }, null, 2),
    );
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
    print(
      ctx.stdout,
      JSON.stringify(
        { ok: false, errors: all.map((e) => ({ code: e.code, message: e.message, fix: e.fix, exitCode: e.exitCode })) },
        null,
        2,
      ),
    );
  } else {
    for (const e of all) print(ctx.stderr, `error ${e.code}: ${e.message}\n  fix: ${e.fix}`);
  }
  if (inGitHubActions(ctx.env))
    for (const e of all)
      print(annotationStream(ctx), `::error title=${e.code}::${e.message} Fix: ${e.fix}`.replace(/\n/g, "%0A"));
}
