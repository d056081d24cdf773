// `migrakit deploy --db URL | --targets FILE | --targets-from-sql URL QUERY`: apply the pending scripts to
// real instances after the operator confirms (src/deploy/: case.ts decides, apply.ts applies, fleet.ts runs
// many). Refuses an instance ahead of the package, applied scripts changed since (unless --accept-changed),
// unreleased scripts (unless --allow-unreleased). `--sql` prints alembic's offline SQL and changes nothing.
// A signal while deploying cancels and rolls back (deploy/interrupt.ts) before migrakit exits.
import type { Command } from "commander";
import type { Context } from "../output/context.js";
import { MigrakitError } from "../errors/index.js";
import { applyCase, type DeployLimits } from "../deploy/apply.js";
import { startDeployBridge } from "../deploy/bridge.js";
import { caseNotes, deployCase, pendingLines } from "../deploy/case.js";
import { lintLines, lintPending } from "../deploy/lint.js";
import { ask, confirmQuestion } from "../deploy/confirm.js";
import { deployFleet, inspectAll, inspectedRow } from "../deploy/fleet.js";
import { fleetJson, fleetTable, progressLine } from "../deploy/fleet-report.js";
import { readInstance } from "../deploy/instance.js";
import { guardSignals } from "../deploy/interrupt.js";
import { deployedBy, migrakitVersion } from "../deploy/migrakit-version.js";
import {
  DEFAULT_LOCK_TIMEOUT,
  DEFAULT_LOCK_WAIT,
  DEFAULT_PARALLEL,
  DEFAULT_RETRIES,
  formatMs,
  parseDuration,
} from "../deploy/options.js";
import { loadDeployPackage, type DeployPackage } from "../deploy/package-state.js";
import { parseCount } from "../deploy/targets.js";
import { print, reportError } from "../output/output.js";
import { fleetUrls, requireDb, wantsFleet, withDbOption, type TargetOptions } from "./status.js";
import { endProgress, progress, startProgress } from "../output/progress.js";

/** A note of the deploy case as migrakit's own line (`migrakit: …`); the loud `!!` lines stay as they are. */
const noteLine = (note: string) => (note.startsWith("!!") ? note : `migrakit: ${note}`);

export interface DeployOptions extends TargetOptions {
  db?: string;
  yes?: boolean;
  sql?: boolean;
  lockWait?: string;
  lockTimeout?: string;
  statementTimeout?: string;
  retries?: string;
  acceptChanged?: string[];
  allowUnreleased?: boolean;
  parallel?: string;
}

function limitsOf(opts: DeployOptions, pkg: DeployPackage): DeployLimits {
  const statement = opts.statementTimeout ?? pkg.config.statementTimeout;
  return {
    lockWaitMs: parseDuration("--lock-wait", opts.lockWait ?? DEFAULT_LOCK_WAIT),
    lockTimeoutMs: parseDuration("--lock-timeout", opts.lockTimeout ?? pkg.config.lockTimeout ?? DEFAULT_LOCK_TIMEOUT),
    ...(statement !== undefined ? { statementTimeoutMs: parseDuration("--statement-timeout", statement) } : {}),
    retries: parseCount("--retries", opts.retries ?? pkg.config.retries, DEFAULT_RETRIES, 0),
  };
}

async function confirm(ctx: Context, question: string, count: number, target: string, yes?: boolean): Promise<void> {
  if (yes) return;
  const terminal = Boolean(process.stdin.isTTY) && ctx.interactive;
  if (!terminal) throw new MigrakitError("EMIGRAKIT_DEPLOY_CONFIRM", { count, target });
  const ok = await ask(question, { input: process.stdin, output: ctx.stderr });
  if (!ok) throw new MigrakitError("EMIGRAKIT_DEPLOY_CANCELLED", { target });
}

async function record(pkg: DeployPackage, ctx: Context) {
  return {
    package: pkg.state.name,
    version: pkg.state.version,
    deployedBy: deployedBy(ctx.env),
    migrakitVersion: await migrakitVersion(),
  };
}

export const name = "deploy";

export function describe(c: Command): Command {
  return c
    .description(
      "apply the pending scripts to an instance or a fleet: confirmed, under a lock, each instance all or nothing",
    )
    .option("--db <url>", "the instance's Postgres URL")
    .option("--yes", "confirm in advance (needed without a terminal)")
    .option("--sql", "print the SQL that would run (alembic offline mode); change nothing")
    .option("--lock-wait <duration>", "how long to wait for another deploy's lock", DEFAULT_LOCK_WAIT)
    .option(
      "--lock-timeout <duration>",
      `Postgres lock_timeout for the deploy's statements (default ${DEFAULT_LOCK_TIMEOUT}; 0: none)`,
    )
    .option("--statement-timeout <duration>", "Postgres statement_timeout for the deploy's statements (default none)")
    .option("--retries <n>", `tries again after a lock timeout (default ${DEFAULT_RETRIES})`)
    .option(
      "--accept-changed <rev>",
      "accept that this applied script's text changed (recorded); repeatable",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option("--allow-unreleased", "also deploy unreleased (vx_x_x) scripts (recorded)")
    .option("--targets <file>", "a fleet: one URL or libpq service name per line (- for stdin)")
    .option(
      "--targets-from-sql <url-and-query...>",
      "a fleet from a registry database: URL, then a query whose first column is the instance URL",
    )
    .option("--shard <i/n>", "only the i-th of n shares of the fleet (a CI matrix job)")
    .option("--parallel <n>", `instances deployed at a time (default ${DEFAULT_PARALLEL})`);
}

export async function run(opts: DeployOptions, ctx: Context): Promise<number> {
  if (wantsFleet(opts)) return runFleet(opts, ctx);
  const url = requireDb(opts.db, "deploy");
  const pkg = await loadDeployPackage(ctx);
  const limits = limitsOf(opts, pkg);
  const instance = await withDbOption(() => readInstance(url, pkg.versionTable, pkg.ownTables));
  // --sql changes nothing: unreleased scripts are printed (and named loudly at the top), not refused.
  const c = deployCase(pkg.state, instance, {
    acceptChanged: opts.acceptChanged ?? [],
    allowUnreleased: Boolean(opts.allowUnreleased || opts.sql),
  });
  const { plan, step } = c;
  const notes = caseNotes(c);
  const summary = {
    target: instance.target,
    from: plan.current,
    to: plan.head,
    versions: step,
    scripts: plan.pending.map((s) => s.file),
    notes,
  };
  if (plan.state === "up_to_date" && !c.record) {
    if (ctx.json) print(ctx.stdout, JSON.stringify({ ok: true, status: "up_to_date", ...summary }, null, 2));
    else print(ctx.stderr, `migrakit: ${instance.target} is up to date (${plan.current}): nothing to deploy`);
    return 0;
  }
  if (opts.sql) {
    const { bridge, params } = await startDeployBridge(pkg, ctx);
    try {
      const { sql } = await bridge.request("offline_sql", { ...params, from: plan.current, to: plan.head! });
      const header = notes.map((n) => `-- migrakit: ${n}\n`).join("");
      if (ctx.json) print(ctx.stdout, JSON.stringify({ ok: true, status: "sql", ...summary, sql }, null, 2));
      else ctx.stdout.write(header + (sql.endsWith("\n") ? sql : sql + "\n"));
    } finally {
      await bridge.close().catch(() => {});
    }
    return 0;
  }
  // What the pending scripts do to this instance, shown before the operator answers (docs/lint.md).
  const lint = plan.pending.length ? await lintPending({ pkg, ctx, url, from: plan.current, to: plan.head! }) : [];
  if (!ctx.json) {
    for (const line of [...notes.map(noteLine), ...lintLines(lint), ...(opts.yes ? [] : pendingLines(c))])
      print(ctx.stderr, line);
  }
  const question = plan.pending.length
    ? confirmQuestion(plan.pending.length, step, instance.target)
    : `Record the content hashes of ${instance.target}'s scripts in its deploy history? [y/N] `;
  await confirm(ctx, question, plan.pending.length, instance.target, opts.yes);
  const started = Date.now();
  const { bridge, params } = await startDeployBridge(pkg, ctx);
  const guard = guardSignals((signal) => {
    if (!ctx.json)
      print(
        ctx.stderr,
        `migrakit: ${signal}: stopping the deploy to ${instance.target} (cancelling the statement in flight, rolling back) …`,
      );
    void bridge.close();
  });
  let result;
  try {
    if (!ctx.json && plan.pending.length)
      print(ctx.stderr, `migrakit: deploying ${plan.pending.length} script(s) to ${instance.target} (${step}) …`);
    startProgress(ctx);
    if (plan.pending.length) progress(`deploying ${plan.pending.length} script(s) to ${instance.target}`);
    result = await applyCase({
      bridge,
      params,
      url,
      pkg: pkg.state,
      c,
      limits,
      record: await record(pkg, ctx),
      interruptible: true,
    });
  } finally {
    endProgress();
    guard.release();
    await bridge.close().catch(() => {});
  }
  const took = formatMs(Date.now() - started);
  if (!ctx.json) for (const n of result.notes) print(ctx.stderr, `migrakit: ${n}`);
  if (ctx.json) {
    print(
      ctx.stdout,
      JSON.stringify(
        {
          ok: true,
          status: result.status,
          ...summary,
          applied: result.applied,
          current: result.current,
          waitedMs: result.waitedMs,
          retries: result.notes,
          lint,
        },
        null,
        2,
      ),
    );
  } else if (result.status === "applied") {
    print(
      ctx.stdout,
      `migrakit: deployed ${result.applied.length} script(s) to ${instance.target} (${step}) in ${took}; now at ${result.current.join(", ")}`,
    );
  } else if (plan.state === "up_to_date") {
    print(
      ctx.stdout,
      `migrakit: ${instance.target} is up to date; the content hashes of its scripts are recorded in its deploy history`,
    );
  } else {
    print(
      ctx.stdout,
      `migrakit: ${instance.target} was brought to ${result.current.join(", ")} by another deploy while this one waited: nothing to do`,
    );
  }
  if (guard.signal)
    print(
      ctx.stderr,
      `migrakit: ${guard.signal} arrived after the deploy had committed: ${instance.target} is at ${result.current.join(", ")}`,
    );
  return 0;
}

async function runFleet(opts: DeployOptions, ctx: Context): Promise<number> {
  if (opts.sql)
    throw new MigrakitError("EMIGRAKIT_USAGE", {
      command: "deploy",
      reason: "--sql prints one instance's SQL: use it with --db URL, not with a fleet",
    });
  const pkg = await loadDeployPackage(ctx);
  const limits = limitsOf(opts, pkg);
  const parallel = parseCount("--parallel", opts.parallel, DEFAULT_PARALLEL, 1);
  const urls = await fleetUrls(opts, pkg, ctx);
  const inspected = await inspectAll(
    pkg,
    urls,
    { acceptChanged: opts.acceptChanged ?? [], allowUnreleased: Boolean(opts.allowUnreleased) },
    parallel,
  );
  const todo = inspected.filter((i) => i.case && (i.case.plan.state === "behind" || i.case.record));
  if (todo.length && !opts.yes) {
    if (!ctx.json) {
      print(ctx.stderr, fleetTable(inspected.map(inspectedRow)));
      const notes = [...new Set(todo.flatMap((i) => caseNotes(i.case!)))];
      for (const n of notes) print(ctx.stderr, noteLine(n));
    }
    const scripts = todo.reduce((n, i) => n + i.case!.plan.pending.length, 0);
    await confirm(
      ctx,
      `Deploy to ${todo.length} of ${inspected.length} instance(s) (${scripts} script(s) in all)? [y/N] `,
      scripts,
      `${todo.length} instance(s)`,
      opts.yes,
    );
  }
  let done = 0;
  const fleet = deployFleet({
    pkg,
    ctx,
    inspected,
    parallel,
    limits,
    record: await record(pkg, ctx),
    onDone: (row) => {
      done++;
      if (ctx.interactive && !ctx.json) print(ctx.stderr, progressLine(done, inspected.length, row));
    },
  });
  const guard = guardSignals((signal) => {
    if (!ctx.json)
      print(
        ctx.stderr,
        `migrakit: ${signal}: stopping the fleet deploy (in-flight instances are cancelled and rolled back; no new one starts) …`,
      );
    fleet.stop();
  });
  let rows;
  try {
    rows = await fleet.rows;
  } finally {
    guard.release();
  }
  if (ctx.json) print(ctx.stdout, fleetJson(rows, guard.signal ? { stopped: guard.signal } : {}));
  else {
    print(ctx.stdout, fleetTable(rows));
    for (const r of rows) for (const n of r.notes ?? []) print(ctx.stderr, `${r.target}: ${n}`);
  }
  const behind = rows.filter((r) => !r.atHead);
  if (guard.signal) {
    const e = new MigrakitError("EMIGRAKIT_DEPLOY_STOPPED", {
      target: `${rows.length} instance(s)`,
      reason: `the signal ${guard.signal}`,
      left: `${rows.filter((r) => r.result === "deployed").length} deployed, ${rows.filter((r) => r.result === "stopped").length} cancelled and rolled back, ${rows.filter((r) => r.result === "not started").length} not started`,
    });
    if (!ctx.json) reportError(ctx, e);
    return e.exitCode;
  }
  if (!behind.length) return 0;
  const e = new MigrakitError("EMIGRAKIT_FLEET_NOT_AT_HEAD", {
    failed: behind.length,
    total: rows.length,
    instances: behind.map((r) => `${r.target} (${r.code ?? r.result})`).join(", "),
  });
  if (!ctx.json) reportError(ctx, e);
  return e.exitCode;
}
