// `migrakit status --db URL`: the instance's revision and version against the package head and
// `__version__`, and the scripts still to deploy. Exit 0 when up to date, 1 when behind (or ahead).
// Needs no Python: the package is read from its files, the instance with plain SELECTs.
import type { Context } from "../output/context.js";
import { MigrakitError } from "../errors/index.js";
import { rememberSecretsOf } from "../util/redact.js";
import { loadDeployPackage } from "../deploy/package-state.js";
import { readInstance } from "../deploy/instance.js";
import { aheadError, instancePlan, statusJson, statusText } from "../deploy/status.js";
import { print, reportError } from "../output/output.js";

export interface StatusOptions {
  db?: string;
}

export function requireDb(db: string | undefined, command: string): string {
  if (!db) throw new MigrakitError("EMIGRAKIT_USAGE", { command, reason: `${command} needs --db URL (the instance's Postgres URL)` });
  rememberSecretsOf(db);
  return db;
}

export async function run(opts: StatusOptions, ctx: Context): Promise<number> {
  const url = requireDb(opts.db, "status");
  const pkg = await loadDeployPackage(ctx);
  const instance = await readInstance(url, pkg.versionTable);
  const plan = instancePlan(pkg.state, instance);
  if (ctx.json) print(ctx.stdout, JSON.stringify(statusJson(pkg.state, plan, instance), null, 2));
  else print(ctx.stdout, statusText(pkg.state, plan, instance));
  if (plan.state === "ahead") {
    // Not thrown: the status was printed; the refusal a deploy would give says what to install.
    if (!ctx.json) reportError(ctx, aheadError(pkg.state, plan, instance));
    return 1;
  }
  return plan.state === "up_to_date" ? 0 : 1;
}
