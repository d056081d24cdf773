// `migrakit status --db URL`: the instance's revision and version against the package head and
// `__version__`, and the scripts still to deploy. Exit 0 when up to date, 1 when behind; an instance ahead of
// the package is EMIGRAKIT_INSTANCE_AHEAD with that code's exit (3), as `deploy` refuses it.
// Needs no Python: the package is read from its files, the instance with plain SELECTs.
import type { Command } from "commander";
import type { Context } from "../output/context.js";
import { isMigrakitError, MigrakitError } from "../errors/index.js";
import { isPostgresUrl } from "../db/url.js";
import { loadDeployPackage } from "../deploy/package-state.js";
import { readInstance } from "../deploy/instance.js";
import { aheadError, instancePlan, statusJson, statusText } from "../deploy/status.js";
import { print, reportError } from "../output/output.js";

export interface StatusOptions {
  db?: string;
}

export function requireDb(db: string | undefined, command: string): string {
  if (!db) throw new MigrakitError("EMIGRAKIT_USAGE", { command, reason: `${command} needs --db URL (the instance's Postgres URL)` });
  // Not echoed: a mistyped URL may still hold a password.
  if (!isPostgresUrl(db)) throw new MigrakitError("EMIGRAKIT_USAGE", { command, reason: "--db is not a Postgres URL (postgresql://user:password@host:5432/database)" });
  return db;
}

const CONNECTION_CODES = new Set(["EMIGRAKIT_DB_UNREACHABLE", "EMIGRAKIT_DB_AUTH", "EMIGRAKIT_DB_MISSING"]);

/** A connection failure to the --db instance, with a fix that speaks of --db (not of the `database` setting). */
export async function withDbOption<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isMigrakitError(e) && CONNECTION_CODES.has(e.code)) throw new MigrakitError(e.code, { ...e.details, source: "--db" });
    throw e;
  }
}

export const name = "status";

export function describe(c: Command): Command {
  return c
    .description("an instance's revision and version against the package head, and the scripts still to deploy (exit 1 when behind, 3 when ahead)")
    .requiredOption("--db <url>", "the instance's Postgres URL");
}

export async function run(opts: StatusOptions, ctx: Context): Promise<number> {
  const url = requireDb(opts.db, "status");
  const pkg = await loadDeployPackage(ctx);
  const instance = await withDbOption(() => readInstance(url, pkg.versionTable));
  const plan = instancePlan(pkg.state, instance);
  if (ctx.json) print(ctx.stdout, JSON.stringify(statusJson(pkg.state, plan, instance), null, 2));
  else print(ctx.stdout, statusText(pkg.state, plan, instance));
  if (plan.state === "ahead") {
    // Not thrown: the status was printed; the refusal a deploy would give says what to install.
    const ahead = aheadError(pkg.state, plan, instance);
    if (!ctx.json) reportError(ctx, ahead);
    return ahead.exitCode;
  }
  return plan.state === "up_to_date" ? 0 : 1;
}
