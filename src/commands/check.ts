// `migrakit check`: the CI "Build" step (docs/spec.md §2). The static rules need no Python or Postgres; then, unless
// --static, the dynamic checks run on a scratch Postgres through the Python bridge (src/checks/dynamic.ts).
// A run whose inputs all equal those of an earlier passing run answers from the result cache, without
// starting Python or Postgres (never with --no-cache or in CI). Heavy modules load only when needed.
import { readFile } from "node:fs/promises";
import type { Context } from "../output/context.js";
import type { LoadedConfig } from "../config/load.js";
import type { SchemaRepo } from "../model/repo.js";
import { runStaticCheck } from "../checks/run-static.js";
import { hasErrors, type Finding } from "../errors/finding.js";
import type { BaselineReport } from "../checks/dynamic.js";
import { print, reportFindings } from "../output/output.js";
import { endProgress, progress, startProgress } from "../output/progress.js";

export interface CheckOptions {
  static?: boolean;
  /** false with --no-cache: no result cache, no template databases (a cold run). */
  cache?: boolean;
  /** --against URL: upgrade a throw-away copy of that instance and compare it with the ORM (src/deploy/against.ts). */
  against?: string;
  rowLimit?: string;
}

const isCI = (env: NodeJS.ProcessEnv) => ["true", "1"].includes(env.CI?.toLowerCase() ?? "");

async function migrakitVersion(): Promise<string> {
  const text = await readFile(new URL("../../../package.json", import.meta.url), "utf8").catch(() => "{}");
  return String((JSON.parse(text) as { version?: string }).version ?? "?");
}

interface DynamicOutcome {
  findings: Finding[];
  baselines: Record<string, BaselineReport>;
  executable: string;
  /** The files the bridge's imports loaded outside the interpreter (undefined: it could not say). */
  loadedFiles?: string[];
}

/** Python and Postgres start side by side (each takes a moment); both are released whatever happens. */
async function runDynamic(ctx: Context, repos: SchemaRepo[], config: LoadedConfig, useTemplates: boolean, templateCacheDir: string): Promise<DynamicOutcome> {
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

export async function run(opts: CheckOptions, ctx: Context): Promise<number> {
  if (opts.against !== undefined) return (await import("../deploy/against.js")).runCheckAgainst({ against: opts.against, rowLimit: opts.rowLimit }, ctx);
  const { findings, packages, repos, config } = await runStaticCheck(ctx);
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
  const useResultCache = !noCache && !isCI(ctx.env);
  const dir = cacheDir(ctx.env);
  const key = useResultCache ? await resultKey(repos, config, ctx.env, await migrakitVersion()) : undefined;
  if (key) {
    const hit = await readResult(dir, key, ctx.cwd, ctx.env);
    if (hit) {
      if (!ctx.json) print(ctx.stderr, `unchanged since the passing run of ${hit.created}: answered from the cache (--no-cache runs it again)`);
      const all = [...findings, ...hit.findings];
      reportFindings(ctx, all, { packages, baselines: hit.baselines, cached: true });
      return hasErrors(all) ? 1 : 0;
    }
  }
  const dynamic = await runDynamic(ctx, repos, config, !noCache, dir);
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
