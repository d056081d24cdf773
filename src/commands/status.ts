// `migrakit status --db URL | --targets FILE`: the instance's revision and version against the package head
// and `__version__`, the scripts still to deploy, and applied scripts whose text changed since they were
// deployed. Exit 0 when up to date, 1 when behind (or changed); ahead is EMIGRAKIT_INSTANCE_AHEAD's exit (3). For a fleet: one row per instance,
// exit 0 only when every one is at head. Needs no Python: the package is read from its files, the instance
// with plain SELECTs.
import type { Command } from "commander";
import type { Context } from "../output/context.js";
import { isMigrakitError, MigrakitError } from "../errors/index.js";
import { isPostgresUrl } from "../db/url.js";
import { rememberSecretsOf } from "../util/redact.js";
import { driftOf } from "../deploy/case.js";
import { inspectAll, inspectedRow } from "../deploy/fleet.js";
import { fleetJson, fleetTable } from "../deploy/fleet-report.js";
import { loadDeployPackage, type DeployPackage } from "../deploy/package-state.js";
import { readInstance } from "../deploy/instance.js";
import { aheadError, instancePlan, statusJson, statusText } from "../deploy/status.js";
import {
  parseCount,
  parseShard,
  readTargetsSource,
  resolveEntries,
  shardOf,
  targetsFromSql,
} from "../deploy/targets.js";
import { DEFAULT_PARALLEL } from "../deploy/options.js";
import { print, reportError } from "../output/output.js";

export interface TargetOptions {
  targets?: string;
  /** [URL, QUERY] */
  targetsFromSql?: string[];
  shard?: string;
  parallel?: string;
}

export interface StatusOptions extends TargetOptions {
  db?: string;
}

export function requireDb(db: string | undefined, command: string): string {
  if (!db)
    throw new MigrakitError("EMIGRAKIT_USAGE", {
      command,
      reason: `${command} needs --db URL (the instance's Postgres URL), or --targets FILE for a fleet`,
    });
  rememberSecretsOf(db);
  // Not echoed: a mistyped URL may still hold a password.
  if (!isPostgresUrl(db))
    throw new MigrakitError("EMIGRAKIT_USAGE", {
      command,
      reason: "--db is not a Postgres URL (postgresql://user:password@host:5432/database)",
    });
  return db;
}

const CONNECTION_CODES = new Set(["EMIGRAKIT_DB_UNREACHABLE", "EMIGRAKIT_DB_AUTH", "EMIGRAKIT_DB_MISSING"]);

/** A connection failure to the --db instance, with a fix that speaks of --db (not of the `database` setting). */
export async function withDbOption<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isMigrakitError(e) && CONNECTION_CODES.has(e.code))
      throw new MigrakitError(e.code, { ...e.details, source: "--db" });
    throw e;
  }
}

export const name = "status";

export function describe(c: Command): Command {
  return c
    .description(
      "an instance's revision and version against the package head, and the scripts still to deploy (exit 1 when behind, 3 when ahead)",
    )
    .option("--db <url>", "the instance's Postgres URL")
    .option("--targets <file>", "a fleet: one URL or libpq service name per line (- for stdin)")
    .option(
      "--targets-from-sql <url-and-query...>",
      "a fleet from a registry database: URL, then a query whose first column is the instance URL",
    )
    .option("--shard <i/n>", "only the i-th of n shares of the fleet (a CI matrix job)")
    .option("--parallel <n>", "instances read at a time");
}

export function wantsFleet(opts: TargetOptions & { db?: string }): boolean {
  return Boolean(opts.targets || opts.targetsFromSql || opts.shard);
}

/** The fleet's URLs: --targets, --targets-from-sql, else config `targets`; then this shard's share. */
export async function fleetUrls(
  opts: TargetOptions & { db?: string },
  pkg: DeployPackage,
  ctx: Context,
): Promise<string[]> {
  const shard = parseShard(opts.shard);
  let entries: string[];
  let label: string;
  if (opts.targetsFromSql) {
    if (opts.targetsFromSql.length !== 2)
      throw new MigrakitError("EMIGRAKIT_USAGE", {
        command: "deploy",
        reason: '--targets-from-sql takes two values: the registry URL and the query ("select url from instances")',
      });
    entries = await targetsFromSql(opts.targetsFromSql[0]!, opts.targetsFromSql[1]!);
    label = "--targets-from-sql";
  } else {
    const source = opts.targets ?? pkg.config.targets;
    if (!source)
      throw new MigrakitError("EMIGRAKIT_USAGE", {
        command: "deploy",
        reason: "--shard needs a list of instances: --targets FILE, --targets-from-sql URL QUERY or config `targets`",
      });
    ({ entries, label } = await readTargetsSource(source, ctx.cwd));
  }
  if (opts.db) entries = [opts.db, ...entries];
  if (!entries.length)
    throw new MigrakitError("EMIGRAKIT_TARGETS_INVALID", { source: label, reason: "it names no instance" });
  return shardOf(resolveEntries(entries, ctx.env), shard);
}

export async function run(opts: StatusOptions, ctx: Context): Promise<number> {
  if (wantsFleet(opts)) return runFleet(opts, ctx);
  const url = requireDb(opts.db, "status");
  const pkg = await loadDeployPackage(ctx);
  const instance = await withDbOption(() => readInstance(url, pkg.versionTable, pkg.ownTables));
  const plan = instancePlan(pkg.state, instance);
  const drift = driftOf(pkg.state, plan, instance);
  if (ctx.json) print(ctx.stdout, JSON.stringify(statusJson(pkg.state, plan, instance, drift), null, 2));
  else print(ctx.stdout, statusText(pkg.state, plan, instance, drift));
  if (plan.state === "ahead") {
    // Not thrown: the status was printed; the refusal a deploy would give says what to install.
    const ahead = aheadError(pkg.state, plan, instance);
    if (!ctx.json) reportError(ctx, ahead);
    return ahead.exitCode;
  }
  if (drift.changed.length) {
    if (!ctx.json) {
      reportError(
        ctx,
        new MigrakitError("EMIGRAKIT_APPLIED_SCRIPT_CHANGED", {
          target: instance.target,
          count: drift.changed.length,
          scripts: drift.changed.map((c) => `${c.file} (${c.revision})`).join(", "),
          first: drift.changed[0]!.revision,
        }),
      );
    }
    return 1;
  }
  return plan.state === "up_to_date" ? 0 : 1;
}

async function runFleet(opts: StatusOptions, ctx: Context): Promise<number> {
  const pkg = await loadDeployPackage(ctx);
  const urls = await fleetUrls(opts, pkg, ctx);
  const parallel = parseCount("--parallel", opts.parallel, DEFAULT_PARALLEL, 1);
  // Refusals a deploy would give are shown as such; unreleased scripts are not a status problem.
  const inspected = await inspectAll(pkg, urls, { acceptChanged: [], allowUnreleased: true }, parallel);
  const rows = inspected.map(inspectedRow);
  if (ctx.json) print(ctx.stdout, fleetJson(rows));
  else print(ctx.stdout, fleetTable(rows));
  return rows.every((r) => r.atHead) ? 0 : 1;
}
