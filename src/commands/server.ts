// `migrakit server stop|status`: the embedded Postgres that migrakit keeps running between runs on a
// developer machine (so a warm check does not pay for a server start). `stop` ends it; the next run starts it.
import type { Command } from "commander";
import type { Context } from "../output/context.js";
import { embeddedPaths, stopEmbeddedServer } from "../db/embedded.js";
import { readState } from "../db/state.js";
import { isAlive } from "../db/pid.js";
import { MigrakitError } from "../errors/index.js";
import { print } from "../output/output.js";

export const name = "server";

export function describe(c: Command): Command {
  return c.description("the embedded Postgres migrakit keeps running between runs: status (default) or stop").argument("[action]", "status | stop");
}

export async function run(_opts: Record<string, unknown>, ctx: Context, args: string[]): Promise<number> {
  const action = args[0] ?? "status";
  const paths = await embeddedPaths({ env: ctx.env });
  if (action === "stop") {
    const stopped = await stopEmbeddedServer({ env: ctx.env });
    if (ctx.json) print(ctx.stdout, JSON.stringify({ ok: true, stopped, dataDir: paths.dataDir }));
    else print(ctx.stdout, stopped ? `migrakit: stopped the embedded Postgres (${paths.dataDir})` : "migrakit: no embedded Postgres was running");
    return 0;
  }
  if (action === "status") {
    const state = await readState(paths.stateFile);
    const running = Boolean(state && isAlive(state.pid));
    if (ctx.json) print(ctx.stdout, JSON.stringify({ ok: true, running, port: running ? state!.port : null, pid: running ? state!.pid : null, dataDir: paths.dataDir }));
    else print(ctx.stdout, running ? `migrakit: embedded Postgres running on 127.0.0.1:${state!.port} (pid ${state!.pid}, ${paths.dataDir})` : `migrakit: embedded Postgres not running (${paths.dataDir})`);
    return 0;
  }
  throw new MigrakitError("EMIGRAKIT_USAGE", { command: "server", reason: `unknown action "${action}" (use stop or status)` });
}
