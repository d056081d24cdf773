// `migrakit check`: the CI "Build" step (docs/spec.md §2). The static rules need no Python or Postgres; then, unless
// --static, the dynamic checks run on a scratch Postgres through the Python bridge (src/checks/dynamic.ts).
// A run whose inputs all equal those of an earlier passing run answers from the result cache, without
// starting Python or Postgres (never with --no-cache or in CI). Heavy modules load only when needed.
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { relative } from "node:path";
import type { Context } from "../output/context.js";
import type { LoadedConfig } from "../config/load.js";
import type { SchemaRepo } from "../model/repo.js";
import type { Session } from "../generate/session.js";
import { runStaticCheck } from "../checks/run-static.js";
import { migrakitVersion } from "../util/package-root.js";
import { hasErrors, type Finding } from "../errors/finding.js";
import type { BaselineReport } from "../checks/dynamic.js";
import { print, reportFindings, slowNotices } from "../output/output.js";
import { endProgress, progress, startProgress } from "../output/progress.js";
import { isCI } from "../util/ci.js";
import { MigrakitError } from "../errors/index.js";

export interface CheckOptions {
  static?: boolean;
  /** false with --no-cache: no result cache, no template databases (a cold run). */
  cache?: boolean;
  /** --against URL: upgrade a throw-away copy of that instance and compare it with the ORM (src/deploy/against.ts). */
  against?: string;
  rowLimit?: string;
  /** --all: the safety lint covers the whole chain, not only the unreleased scripts. */
  all?: boolean;
}

interface DynamicOutcome {
  findings: Finding[];
  baselines: Record<string, BaselineReport>;
  executable: string;
  /** The files the bridge's imports loaded outside the interpreter (undefined: it could not say). */
  loadedFiles?: string[];
}

/**
 * Python and Postgres, started side by side (the one session opener, src/generate/session.ts) before the
 * static rules run: the interpreter's start (and its import of alembic and SQLAlchemy, without a warm
 * worker) is the longest step of a dynamic check, and the rules need neither. A run that ends before the
 * dynamic check closes it unused. Every request has been answered when it closes: no teardown wait.
 */
async function startSession(ctx: Context, config: LoadedConfig): Promise<Session> {
  const { openSession } = await import("../generate/session.js");
  return openSession({ cwd: ctx.cwd, env: ctx.env, config, fastClose: true, onSlow: slowNotices(ctx) });
}

/** Runs the dynamic check of every repo on the session; the session is the caller's to close. */
async function runDynamic(
  ctx: Context,
  session: Session,
  repos: SchemaRepo[],
  config: LoadedConfig,
  useTemplates: boolean,
  templateCacheDir: string,
  lintAll: boolean,
  /** Ask which files the imports loaded (for the result cache's entry; not when none is written). */
  loadedFiles: boolean,
): Promise<DynamicOutcome> {
  const dynamicMod = await import("../checks/dynamic.js");
  const versions = session.bridge.versionsInfo ?? (await session.bridge.request("versions"));
  const out: DynamicOutcome = { findings: [], baselines: {}, executable: versions.executable };
  // Each scratch database is dropped while the next step goes on (the last while Python lists its files).
  const drops: Promise<void>[] = [];
  try {
    for (const repo of repos) {
      const report = await dynamicMod.dynamicCheck(repo, {
        bridge: session.port,
        failureOf: session.failureOf,
        adminUrl: session.server.adminUrl,
        serverVersion: session.server.serverVersion,
        pythonVersions: session.versions,
        config,
        env: ctx.env,
        useTemplates,
        cacheDir: useTemplates ? templateCacheDir : null,
        lintAll,
        drops,
      });
      out.findings.push(...report.findings);
      if (report.baseline) {
        out.baselines[repo.package] = report.baseline;
        if (!ctx.json) print(ctx.stderr, `migrakit: ${repo.package}: ${dynamicMod.describeBaseline(report.baseline)}`);
      }
    }
    if (loadedFiles) out.loadedFiles = await session.bridge.request("loaded_files").catch(() => undefined);
  } catch (err) {
    // The run's own error is the one to report; no drop outlives the run.
    await Promise.allSettled(drops);
    throw err;
  }
  await Promise.all(drops);
  return out;
}

/**
 * An interrupted release leaves both names of a script on disk; the duplicate-revision finding would advise
 * deleting "the copy", which can lose an edit. The pending journal is the finding instead, and its fix says
 * how to finish (or, when the files moved on, how to discard) it.
 */
async function withPendingRelease(ctx: Context, findings: Finding[]): Promise<Finding[]> {
  const { journalPath } = await import("../release/journal.js");
  if (!existsSync(await journalPath(ctx.cwd, ctx.env))) return findings; // the usual case: one stat, nothing more loaded
  const [{ pendingRelease }, { finding }] = await Promise.all([
    import("../release/apply.js"),
    import("../errors/finding.js"),
  ]);
  const pending = await pendingRelease(ctx);
  if (!pending) return findings;
  const named = new Set(pending.paths);
  const kept = findings.filter(
    (f) => !(f.code === "EMIGRAKIT_DUPLICATE_REVISION" && f.file !== undefined && named.has(f.file)),
  );
  const stale = pending.stale ? `${pending.stale.file} ${pending.stale.state}` : undefined;
  const journal = relative(ctx.cwd, pending.file) || pending.file;
  return [
    finding("EMIGRAKIT_RELEASE_PENDING", { file: journal }, { version: pending.version, journal, stale }),
    ...kept,
  ];
}

export const name = "check";

export function describe(c: Command): Command {
  return c
    .description("the CI Build step: static rules, upgrade from the baseline, models match DDL, downgrade round trip")
    .option("--static", "only the static rules (no Python, no Postgres)")
    .option("--no-cache", "run every check for real (no result cache, no template database)")
    .option(
      "--against <url>",
      "instead: upgrade a throw-away copy of this instance to head and compare it with the ORM",
    )
    .option("--row-limit <n>", "with --against: copy at most n rows per table (pg_dump path)")
    .option("--all", "the safety lint covers every script of the chain, not only the unreleased ones (docs/lint.md)");
}

/** Options that only mean something beside another one: a usage error alone, not silently ignored. */
function requireCompanions(opts: CheckOptions): void {
  const usage = (reason: string) => new MigrakitError("EMIGRAKIT_USAGE", { command: "check", reason });
  if (opts.rowLimit !== undefined && opts.against === undefined)
    throw usage("--row-limit needs --against URL (it limits the rows copied from that instance)");
  if (opts.static && opts.against !== undefined)
    throw usage(
      "--static and --against exclude each other (--against runs the dynamic check on a copy of the instance)",
    );
}

/** What the dynamic check still needs from the part before it (answerWithoutPython). */
interface Pending {
  findings: Finding[];
  packages: string[];
  repos: SchemaRepo[];
  config: LoadedConfig;
  noCache: boolean;
  dir: string;
  key: string | undefined;
}

/**
 * What `check` can answer without Python or Postgres: `--static`, static findings that block the dynamic
 * check, or the result cache's answer ({code}); otherwise what the dynamic check goes on from ({pending}).
 * The quick entry (src/commands/quick.ts, one pre-bundled file) answers from here and hands anything else to the CLI.
 */
export async function answerWithoutPython(
  opts: CheckOptions,
  ctx: Context,
  preloaded: { config?: LoadedConfig } = {},
): Promise<{ code: number } | { pending: Pending }> {
  requireCompanions(opts);
  const {
    findings: ruleFindings,
    packages,
    repos,
    config,
  } = await runStaticCheck(ctx, {
    memo: opts.cache !== false,
    ...(preloaded.config ? { config: preloaded.config } : {}),
  });
  const findings = await withPendingRelease(ctx, ruleFindings);
  if (opts.static) {
    reportFindings(ctx, findings, { packages });
    return { code: hasErrors(findings) ? 1 : 0 };
  }
  if (hasErrors(findings)) {
    // alembic could not run a chain that breaks the static rules: those are the ones to fix first.
    if (!ctx.json) print(ctx.stderr, "migrakit: dynamic checks skipped: fix the static findings first");
    reportFindings(ctx, findings, { packages, dynamic: "skipped" });
    return { code: 1 };
  }
  // Loaded here, not at the top: `check --static` must not pay for node:crypto and the cache keys.
  const { cacheDir, readResult, resultKey } = await import("../checks/dynamic/result-cache.js");
  const noCache = opts.cache === false || ctx.env.MIGRAKIT_NO_CACHE === "1";
  // --all lints what a passing run did not: never answered from (or written to) the result cache.
  const useResultCache = !noCache && !isCI(ctx.env) && !opts.all;
  const dir = cacheDir(ctx.env);
  const key = useResultCache ? await resultKey(repos, config, ctx.env, migrakitVersion()) : undefined;
  if (key) {
    const hit = await readResult(dir, key, ctx.cwd, ctx.env);
    if (hit) {
      if (!ctx.json)
        print(
          ctx.stderr,
          `migrakit: unchanged since the passing run of ${hit.created}: answered from the cache (--no-cache runs it again)`,
        );
      const all = [...findings, ...hit.findings];
      reportFindings(ctx, all, { packages, baselines: hit.baselines, cached: true });
      return { code: hasErrors(all) ? 1 : 0 };
    }
  }
  return { pending: { findings, packages, repos, config, noCache, dir, key } };
}

export async function run(opts: CheckOptions, ctx: Context): Promise<number> {
  requireCompanions(opts);
  if (opts.against !== undefined)
    return (await import("../deploy/against.js")).runCheckAgainst(
      { against: opts.against, rowLimit: opts.rowLimit },
      ctx,
    );
  const { loadConfig } = await import("../config/load.js");
  const loaded = await loadConfig(ctx);
  const sessionP = opts.static ? undefined : startSession(ctx, loaded);
  sessionP?.catch(() => {}); // its failure is reported when the dynamic check needs it, not before the rules'
  let sessionReady = false;
  sessionP?.then(
    () => {
      sessionReady = true;
    },
    () => {},
  );
  if (sessionP) {
    // The rules read the scripts synchronously and hold the event loop for tens of ms: first let the session
    // find its interpreter (the same lookup, started after its own, settles after it), so that the
    // interpreter is spawned or the worker asked before they start, not after.
    const { findPython } = await import("../bridge/interpreter.js");
    await findPython({ configPython: loaded.python, cwd: ctx.cwd, env: ctx.env }).catch(() => {});
  }
  let taken = false;
  try {
    const answer = await answerWithoutPython(opts, ctx, { config: loaded });
    if ("code" in answer) return answer.code;
    const { findings, packages, config, noCache, dir, key } = answer.pending;
    // An app's repo (convention alembic) marks nothing unreleased by name: a script no commit has yet is the
    // developer's own to change, so it is upgraded, round-tripped and linted one by one, as generate and the
    // hook treat it (src/generate/pending.ts), instead of disappearing into the replayed history.
    const { withPending } = await import("../generate/pending.js");
    const repos = await Promise.all(answer.pending.repos.map((r) => withPending(r, r.root, ctx.env)));
    // Progress from here on: the rules' findings were printed without a live line between them. The session
    // was opened before the rules, with no live line yet: what is left of its start is shown now.
    startProgress(ctx);
    if (!sessionReady) progress("starting Postgres and Python");
    const session = await sessionP!;
    taken = true;
    let dynamic: DynamicOutcome;
    try {
      dynamic = await runDynamic(ctx, session, repos, config, !noCache, dir, opts.all === true, key !== undefined);
    } finally {
      endProgress();
      // Throws EMIGRAKIT_SERVER_STOPPED when the embedded server stopped under this run: its findings or
      // error were the echo of that.
      await session.close();
    }
    const all = [...findings, ...dynamic.findings];
    reportFindings(ctx, all, { packages, baselines: dynamic.baselines, cached: false });
    const failed = hasErrors(all);
    if (key && !failed) {
      const { fileHashes, gitState, sitePackagesStamps, trackedTreeHash, writeResult } = await import(
        "../checks/dynamic/result-cache.js"
      );
      const usesRelease = Object.values(dynamic.baselines).some((b) => b.kind === "release");
      await writeResult(dir, key, {
        findings: dynamic.findings,
        baselines: dynamic.baselines,
        python: { executable: dynamic.executable, stamps: sitePackagesStamps(dynamic.executable) },
        ...(usesRelease ? { git: await gitState(ctx.cwd, ctx.env) } : {}),
        ...(Array.isArray(dynamic.loadedFiles)
          ? { files: await fileHashes(dynamic.loadedFiles) }
          : { tracked: await trackedTreeHash(ctx.cwd, ctx.env) }),
        created: new Date().toISOString(),
      });
    }
    return failed ? 1 : 0;
  } finally {
    // Started for a dynamic check that did not come (the rules failed, the cache answered, an error): closed
    // unused, whatever state it got to.
    if (sessionP && !taken) {
      endProgress();
      await (await sessionP.catch(() => undefined))?.close().catch(() => {});
    }
  }
}
