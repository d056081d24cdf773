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
}

/** Python and Postgres start side by side (the one session opener, src/generate/session.ts); both are released whatever happens. */
async function runDynamic(ctx: Context, repos: SchemaRepo[], config: LoadedConfig, useTemplates: boolean, templateCacheDir: string): Promise<DynamicOutcome> {
  const [sessionMod, dynamicMod] = await Promise.all([import("../generate/session.js"), import("../checks/dynamic.js")]);
  const session = await sessionMod.openSession({ cwd: ctx.cwd, env: ctx.env, config });
  try {
    const versions = session.bridge.versionsInfo ?? (await session.bridge.versions());
    const out: DynamicOutcome = { findings: [], baselines: {}, executable: versions.executable };
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
      });
      out.findings.push(...report.findings);
      if (report.baseline) {
        out.baselines[repo.package] = report.baseline;
        if (!ctx.json) print(ctx.stderr, `${repo.package}: ${dynamicMod.describeBaseline(report.baseline)}`);
      }
    }
    return out;
  } finally {
    await session.close();
  }
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
 * The quick entry (src/quick.ts, one pre-bundled file) answers from here and hands anything else to the CLI.
 */
export async function answerWithoutPython(opts: CheckOptions, ctx: Context): Promise<{ code: number } | { pending: Pending }> {
  const { findings, packages, repos, config } = await runStaticCheck(ctx);
  if (opts.static) {
    reportFindings(ctx, findings, { packages });
    return { code: hasErrors(findings) ? 1 : 0 };
  }
  if (hasErrors(findings)) {
    // alembic could not run a chain that breaks the static rules: those are the ones to fix first.
    if (!ctx.json) print(ctx.stderr, "dynamic checks skipped: fix the static findings first");
    reportFindings(ctx, findings, { packages, dynamic: "skipped" });
    return { code: 1 };
  }
  // Loaded here, not at the top: `check --static` must not pay for node:crypto and the cache keys.
  const { cacheDir, readResult, resultKey } = await import("../checks/dynamic/result-cache.js");
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
      return { code: hasErrors(all) ? 1 : 0 };
    }
  }
  return { pending: { findings, packages, repos, config, noCache, dir, key } };
}

export async function run(opts: CheckOptions, ctx: Context): Promise<number> {
  if (opts.against !== undefined) return (await import("../deploy/against.js")).runCheckAgainst({ against: opts.against, rowLimit: opts.rowLimit }, ctx);
  const answer = await answerWithoutPython(opts, ctx);
  if ("code" in answer) return answer.code;
  const { findings, packages, repos, config, noCache, dir, key } = answer.pending;
  const dynamic = await runDynamic(ctx, repos, config, !noCache, dir);
  const all = [...findings, ...dynamic.findings];
  reportFindings(ctx, all, { packages, baselines: dynamic.baselines, cached: false });
  const failed = hasErrors(all);
  if (key && !failed) {
    const { gitState, sitePackagesStamps, writeResult } = await import("../checks/dynamic/result-cache.js");
    const usesRelease = Object.values(dynamic.baselines).some((b) => b.kind === "release");
    await writeResult(dir, key, {
      findings: dynamic.findings,
      baselines: dynamic.baselines,
      python: { executable: dynamic.executable, stamps: sitePackagesStamps(dynamic.executable) },
      ...(usesRelease ? { git: await gitState(ctx.cwd, ctx.env) } : {}),
      created: new Date().toISOString(),
    });
  }
  return failed ? 1 : 0;
}
