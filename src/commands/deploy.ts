// `migrakit deploy --db URL [--yes] [--sql]`: apply the pending scripts to a real instance, after the
// operator confirms, under a Postgres advisory lock, all or nothing (src/deploy/apply.ts). Refuses when
// the instance is ahead of the installed package. `--sql` prints alembic's offline SQL and changes nothing.
import type { Context } from "../output/context.js";
import { MigrakitError } from "../errors/index.js";
import { applyPlan } from "../deploy/apply.js";
import { startDeployBridge } from "../deploy/bridge.js";
import { ask, confirmQuestion } from "../deploy/confirm.js";
import { readInstance } from "../deploy/instance.js";
import { deployedBy, migrakitVersion } from "../deploy/migrakit-version.js";
import { formatMs, parseDuration } from "../deploy/options.js";
import { loadDeployPackage } from "../deploy/package-state.js";
import { aheadError, instancePlan, versionStep } from "../deploy/status.js";
import { print } from "../output/output.js";
import { endProgress, progress, startProgress } from "../output/progress.js";
import { requireDb } from "./status.js";

export interface DeployOptions {
  db?: string;
  yes?: boolean;
  sql?: boolean;
  lockWait?: string;
  lockTimeout?: string;
  statementTimeout?: string;
}

/** Defaults: wait up to a minute for another deploy; no statement may wait more than 10 s for a table lock. */
export const DEFAULT_LOCK_WAIT = "60s";
export const DEFAULT_LOCK_TIMEOUT = "10s";

export async function run(opts: DeployOptions, ctx: Context): Promise<number> {
  const url = requireDb(opts.db, "deploy");
  const limits = {
    lockWaitMs: parseDuration("--lock-wait", opts.lockWait ?? DEFAULT_LOCK_WAIT),
    lockTimeoutMs: parseDuration("--lock-timeout", opts.lockTimeout ?? DEFAULT_LOCK_TIMEOUT),
    ...(opts.statementTimeout !== undefined ? { statementTimeoutMs: parseDuration("--statement-timeout", opts.statementTimeout) } : {}),
  };
  const pkg = await loadDeployPackage(ctx);
  const instance = await readInstance(url, pkg.versionTable);
  const plan = instancePlan(pkg.state, instance);
  if (plan.state === "ahead") throw aheadError(pkg.state, plan, instance);
  const step = versionStep(plan);
  const summary = { target: instance.target, from: plan.current, to: plan.head, versions: step, scripts: plan.pending.map((s) => s.file) };
  if (plan.state === "up_to_date") {
    if (ctx.json) print(ctx.stdout, JSON.stringify({ ok: true, status: "up_to_date", ...summary }, null, 2));
    else print(ctx.stderr, `${instance.target} is up to date (${plan.current}): nothing to deploy`);
    return 0;
  }
  if (opts.sql) {
    const { bridge, params } = await startDeployBridge(pkg, ctx);
    try {
      const { sql } = await bridge.offline_sql({ ...params, from: plan.current, to: plan.head! });
      if (ctx.json) print(ctx.stdout, JSON.stringify({ ok: true, status: "sql", ...summary, sql }, null, 2));
      else ctx.stdout.write(sql.endsWith("\n") ? sql : sql + "\n");
    } finally {
      await bridge.close().catch(() => {});
    }
    return 0;
  }
  if (!opts.yes) {
    const terminal = Boolean(process.stdin.isTTY) && ctx.interactive;
    if (!terminal) throw new MigrakitError("EMIGRAKIT_DEPLOY_CONFIRM", { count: plan.pending.length, target: instance.target });
    const yes = await ask(confirmQuestion(plan.pending.length, step, instance.target), { input: process.stdin, output: ctx.stderr });
    if (!yes) throw new MigrakitError("EMIGRAKIT_DEPLOY_CANCELLED", { target: instance.target });
  }
  const started = Date.now();
  const { bridge, params } = await startDeployBridge(pkg, ctx);
  let result;
  try {
    if (!ctx.json) print(ctx.stderr, `deploying ${plan.pending.length} script(s) to ${instance.target} (${step}) …`);
    startProgress(ctx);
    progress(`deploying ${plan.pending.length} script(s) to ${instance.target}`);
    result = await applyPlan({
      bridge,
      params,
      url,
      instance,
      plan,
      limits,
      record: { package: pkg.state.name, version: pkg.state.version, deployedBy: deployedBy(ctx.env), migrakitVersion: await migrakitVersion() },
    });
  } finally {
    endProgress();
    await bridge.close().catch(() => {});
  }
  const took = formatMs(Date.now() - started);
  if (ctx.json) {
    print(ctx.stdout, JSON.stringify({ ok: true, status: result.status, ...summary, applied: result.applied, current: result.current, waitedMs: result.waitedMs }, null, 2));
  } else if (result.status === "applied") {
    print(ctx.stdout, `deployed ${result.applied.length} script(s) to ${instance.target} (${step}) in ${took}; now at ${result.current.join(", ")}`);
  } else {
    print(ctx.stdout, `${instance.target} was brought to ${result.current.join(", ")} by another deploy while this one waited: nothing to do`);
  }
  return 0;
}
