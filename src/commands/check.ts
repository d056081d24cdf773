// `migrakit check`: the CI "Build" step (docs/spec.md §2). The static rules need no Python or Postgres; then, unless
// --static, the dynamic checks run on a scratch Postgres through the Python bridge (src/checks/dynamic.ts).
// A run whose inputs all equal those of an earlier passing run answers from the result cache, without
// starting Python or Postgres (never with --no-cache or in CI). Heavy modules load only when needed.
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import type { Context } from "../output/context.js";
import type { LoadedConfig } from "../config/load.js";
import type { SchemaRepo } from "../model/repo.js";
import { runStaticCheck } from "../checks/run-static.js";
import { migrakitVersion } from "../util/package-root.js";
import { hasErrors, type Finding } from "../errors/finding.js";
import type { BaselineReport } from "../checks/dynamic.js";
import { print, reportFindings } from "../output/output.js";
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

/** Python and Postgres start side by side (each takes a moment); both are released whatever happens. */
async function runDynamic(ctx: Context, repos: SchemaRepo[], config: LoadedConfig, useTemplates: boolean, templateCacheDir: string, lintAll: boolean): Promise<DynamicOutcome> {
  const [bridgeMod, serverMod, dynamicMod] = await Promise.all([import("../bridge/index.js"), import("../db/server.js"), import("../checks/dynamic.js")]);
  const found = await bridgeMod.findPython({ configPython: config.python, cwd: ctx.cwd, env: ctx.env });
  startProgress(ctx);
  progress("starting Postgres and Python");
  const [bridgeResult, serverResult] = await Promise.allSettled([
    bridgeMod.startBridge({ python: found.python, cwd: ctx.cwd, env: ctx.env, onSlow: ctx.interactive ? (line) => print(ctx.stderr, line) : undefined }),
    serverMod.getScratchServer({ database: config.database, env: ctx.env }),
  ]);
  const bridge = bridgeResult.status === "fulfilled" ? bridgeResult.value : undefined;
  const server = serverResult.status === "fulfilled" ? serverResult.value : undefined;
  try {
    if (!bridge) throw (bridgeResult as PromiseRejectedResult).reason;
    if (!server) throw (serverResult as PromiseRejectedResult).reason;
    const versions = bridge.versionsInfo ?? (await bridge.versions());
    const out: DynamicOutcome = { findings: [], baselines: {}, executable: versions.executable };
    for (const repo of repos) {
      const report = await dynamicMod.dynamicCheck(repo, {
        bridge,
        failureOf: bridgeMod.remoteFailureOf,
        adminUrl: server.adminUrl,
        serverVersion: server.serverVersion,
        pythonVersions: versions as unknown as Record<string, unknown>,
        config,
        env: ctx.env,
        useTemplates,
        cacheDir: useTemplates ? templateCacheDir : null,
        lintAll,
      });
      out.findings.push(...report.findings);
      if (report.baseline) {
        out.baselines[repo.package] = report.baseline;
        if (!ctx.json) print(ctx.stderr, `${repo.package}: ${dynamicMod.describeBaseline(report.baseline)}`);
      }
    }
    out.loadedFiles = await bridge.call<string[]>("loaded_files").catch(() => undefined);
    return out;
  } finally {
    endProgress();
    await bridge?.close().catch(() => {});
    await server?.release().catch(() => {});
    // The embedded server stopped under this run: its findings or error were the echo of that.
    const lost = server?.lostError();
    if (lost) throw lost;
  }
}

/**
 * An interrupted release leaves both names of a script on disk; the duplicate-revision finding would advise
 * deleting "the copy", which can lose an edit. The pending journal is the finding instead, and its fix says
 * how to finish (or, when the files moved on, how to discard) it.
 */
async function withPendingRelease(ctx: Context, findings: Finding[]): Promise<Finding[]> {
  const { journalPath } = await import("../release/journal.js");
  if (!existsSync(await journalPath(ctx.cwd, ctx.env))) return findings; // the usual case: one stat, nothing more loaded
  const [{ pendingRelease }, { finding }] = await Promise.all([import("../release/apply.js"), import("../errors/finding.js")]);
  const pending = await pendingRelease(ctx);
  if (!pending) return findings;
  const named = new Set(pending.paths);
  const kept = findings.filter((f) => !(f.code === "EMIGRAKIT_DUPLICATE_REVISION" && f.file !== undefined && named.has(f.file)));
  const stale = pending.stale ? `${pending.stale.file} ${pending.stale.state}` : undefined;
  const journal = relative(ctx.cwd, pending.file) || pending.file;
  return [finding("EMIGRAKIT_RELEASE_PENDING", { file: journal }, { version: pending.version, journal, stale }), ...kept];
}

export const name = "check";

export function describe(c: Command): Command {
  return c
    .description("the CI Build step: static rules, upgrade from the baseline, models match DDL, downgrade round trip")
    .option("--static", "only the static rules (no Python, no Postgres)")
    .option("--no-cache", "run every check for real (no result cache, no template database)")
    .option("--against <url>", "instead: upgrade a throw-away copy of this instance to head and compare it with the ORM")
    .option("--row-limit <n>", "with --against: copy at most n rows per table (pg_dump path)")
    .option("--all", "the safety lint covers every script of the chain, not only the unreleased ones (docs/lint.md)");
}

/** Options that only mean something beside another one: a usage error alone, not silently ignored. */
function requireCompanions(opts: CheckOptions): void {
  const usage = (reason: string) => new MigrakitError("EMIGRAKIT_USAGE", { command: "check", reason });
  if (opts.rowLimit !== undefined && opts.against === undefined) throw usage("--row-limit needs --against URL (it limits the rows copied from that instance)");
  if (opts.static && opts.against !== undefined) throw usage("--static and --against exclude each other (--against runs the dynamic check on a copy of the instance)");
}

export async function run(opts: CheckOptions, ctx: Context): Promise<number> {
  requireCompanions(opts);
  if (opts.against !== undefined) return (await import("../deploy/against.js")).runCheckAgainst({ against: opts.against, rowLimit: opts.rowLimit }, ctx);
  const { findings: ruleFindings, packages, repos, config } = await runStaticCheck(ctx);
  const findings = await withPendingRelease(ctx, ruleFindings);
  if (opts.static) {
    reportFindings(ctx, findings, { packages });
    return hasErrors(findings) ? 1 : 0;
  }
  if (hasErrors(findings)) {
    // alembic could not run a chain that breaks the static rules: those are the ones to fix first.
    if (!ctx.json) print(ctx.stderr, "dynamic checks skipped: fix the static findings first");
    reportFindings(ctx, findings, { packages, dynamic: "skipped" });
    return 1;
  }
  // Loaded here, not at the top: `check --static` must not pay for node:crypto and the cache keys.
  const { cacheDir, fileHashes, gitState, readResult, resultKey, sitePackagesStamps, trackedTreeHash, writeResult } = await import("../checks/dynamic/result-cache.js");
  const noCache = opts.cache === false || ctx.env.MIGRAKIT_NO_CACHE === "1";
  // --all lints what a passing run did not: never answered from (or written to) the result cache.
  const useResultCache = !noCache && !isCI(ctx.env) && !opts.all;
  const dir = cacheDir(ctx.env);
  const key = useResultCache ? await resultKey(repos, config, ctx.env, migrakitVersion()) : undefined;
  if (key) {
    const hit = await readResult(dir, key, ctx.cwd, ctx.env);
    if (hit) {
      if (!ctx.json) print(ctx.stderr, `unchanged since the passing run of ${hit.created}: answered from the cache (--no-cache runs it again)`);
      const all = [...findings, ...hit.findings];
      reportFindings(ctx, all, { packages, baselines: hit.baselines, cached: true });
      return hasErrors(all) ? 1 : 0;
    }
  }
  const dynamic = await runDynamic(ctx, repos, config, !noCache, dir, opts.all === true);
  const all = [...findings, ...dynamic.findings];
  reportFindings(ctx, all, { packages, baselines: dynamic.baselines, cached: false });
  const failed = hasErrors(all);
  if (key && !failed) {
    const usesRelease = Object.values(dynamic.baselines).some((b) => b.kind === "release");
    await writeResult(dir, key, {
      findings: dynamic.findings,
      baselines: dynamic.baselines,
      python: { executable: dynamic.executable, stamps: sitePackagesStamps(dynamic.executable) },
      ...(usesRelease ? { git: await gitState(ctx.cwd, ctx.env) } : {}),
      ...(Array.isArray(dynamic.loadedFiles) ? { files: await fileHashes(dynamic.loadedFiles) } : { tracked: await trackedTreeHash(ctx.cwd, ctx.env) }),
      created: new Date().toISOString(),
    });
  }
  return failed ? 1 : 0;
}
