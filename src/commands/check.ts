// `migrakit check`: the CI "Build" step (SPEC §2). The static rules need no Python or Postgres.
import type { Context } from "./context.js";
import { loadConfig } from "../config/load.js";
import { loadSchemaRepos } from "../model/repo.js";
import { staticFindings } from "../checks/static.js";
import { releasedChangedFindings } from "../checks/released-unchanged.js";
import { hasErrors, type Finding } from "../checks/finding.js";
import { reportFindings } from "./output.js";

export interface CheckOptions {
  static?: boolean;
}

export async function runStaticCheck(ctx: Context): Promise<{ findings: Finding[]; packages: string[] }> {
  const config = await loadConfig(ctx);
  const repos = await loadSchemaRepos({ cwd: ctx.cwd, config, packageName: ctx.packageName });
  const findings: Finding[] = [];
  for (const repo of repos) {
    findings.push(...staticFindings(repo));
    findings.push(...(await releasedChangedFindings(repo, ctx.env)));
  }
  return { findings, packages: repos.map((r) => r.package) };
}

export async function run(_opts: CheckOptions, ctx: Context): Promise<number> {
  const { findings, packages } = await runStaticCheck(ctx);
  reportFindings(ctx, findings, { packages });
  return hasErrors(findings) ? 1 : 0;
}
