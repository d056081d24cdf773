// The static rules of every schema package of the repo (docs/spec.md §1): what `check --static`, the full
// `check` and `check --against` all start with. Needs no Python or Postgres.
import type { Context } from "../output/context.js";
import { loadConfig, type LoadedConfig } from "../config/load.js";
import { loadSchemaRepos, type SchemaRepo } from "../model/repo.js";
import { staticFindings } from "./static.js";
import { releasedChangedFindings } from "./released-unchanged.js";
import type { Finding } from "../errors/finding.js";
import { memoDir } from "../util/cache-dir.js";

/**
 * `o.memo`: false (--no-cache) reads and parses every script instead of using the parse memo. `o.config`: the
 * configuration the caller loaded already (`check` starts Python and Postgres from it before the rules run).
 */
export async function runStaticCheck(
  ctx: Context,
  o: { memo?: boolean; config?: LoadedConfig } = {},
): Promise<{ findings: Finding[]; packages: string[]; repos: SchemaRepo[]; config: LoadedConfig }> {
  const config = o.config ?? (await loadConfig(ctx));
  const memo = memoDir(ctx.env, o.memo);
  const repos = await loadSchemaRepos({
    cwd: ctx.cwd,
    config,
    packageName: ctx.packageName,
    ...(memo ? { memoDir: memo } : {}),
  });
  const findings: Finding[] = [];
  for (const repo of repos) {
    findings.push(...staticFindings(repo));
    findings.push(...(await releasedChangedFindings(repo, ctx.env, config)));
  }
  return { findings, packages: repos.map((r) => r.package), repos, config };
}
