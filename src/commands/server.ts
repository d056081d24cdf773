// `migrakit server stop|status`: what migrakit keeps running between runs on a developer machine so a warm
// run pays neither a server start nor Python's import of the heavy stack — the embedded Postgres and the
// warm Python workers (src/bridge/worker-run.ts). `stop` ends them all (`stop workers` / `stop postgres`: one
// kind); the next run starts them again. `stop` never pulls the server from under a run that uses it: it
// waits for them (--wait), then refuses with EMIGRAKIT_SERVER_IN_USE.
import { tmpdir } from "node:os";
import type { Command } from "commander";
import type { Context } from "../output/context.js";
import { embeddedPaths, stopEmbeddedServer } from "../db/embedded.js";
import { readState } from "../db/state.js";
import { isAlive, waitForExit } from "../db/pid.js";
import { listWorkers, stopWorkers, type WorkerInfo } from "../bridge/worker-admin.js";
import { workerDir } from "../bridge/worker-settings.js";
import { MigrakitError } from "../errors/index.js";
import { print } from "../output/output.js";
import { parseDuration } from "../deploy/options.js";

function describeWorker(w: WorkerInfo): string {
  const v = Object.entries(w.versions)
    .filter(([, x]) => x)
    .map(([k, x]) => `${k} ${x}`)
    .join(", ");
  return `warm Python worker pid ${w.pid} (${w.mode}) for ${w.cwd} with ${w.python}${v ? ` (${v})` : ""}, since ${w.started}, exits after ${w.idleSeconds} s idle`;
}

export const name = "server";

export function describe(c: Command): Command {
  return c
    .description(
      "the embedded Postgres and warm Python workers migrakit keeps running between runs: status (default) or stop",
    )
    .argument("[action]", "status | stop")
    .argument("[what]", "with stop: workers | postgres (default: both)")
    .option("--wait <duration>", "stop: how long to wait for other runs that use the server before refusing", "30s");
}

export async function run(opts: { wait?: string }, ctx: Context, args: string[]): Promise<number> {
  const action = args[0] ?? "status";
  const paths = await embeddedPaths({ env: ctx.env });
  const dir = workerDir(ctx.env, {
    uid: typeof process.getuid === "function" ? process.getuid() : -1,
    tmpdir: tmpdir(),
  });
  if (action === "stop") {
    const what = args[1] ?? "all";
    if (!["all", "workers", "postgres"].includes(what))
      throw new MigrakitError("EMIGRAKIT_USAGE", {
        command: "server stop",
        reason: `unknown "${what}" (use workers or postgres, or nothing for both)`,
      });
    const waitMs = parseDuration("--wait", opts.wait ?? "30s");
    const workers = what === "postgres" ? 0 : await stopWorkers(await listWorkers(dir, isAlive), waitForExit);
    // Runs arriving while it waits wait for the file lock it holds (60 s), then start the server anew.
    const stopped = what === "workers" ? false : await stopEmbeddedServer({ env: ctx.env, waitMs });
    if (ctx.json)
      print(ctx.stdout, JSON.stringify({ ok: true, stopped, dataDir: paths.dataDir, workersStopped: workers }));
    else {
      if (what !== "workers")
        print(
          ctx.stdout,
          stopped
            ? `migrakit: stopped the embedded Postgres (${paths.dataDir})`
            : "migrakit: no embedded Postgres was running",
        );
      if (what !== "postgres")
        print(
          ctx.stdout,
          workers
            ? `migrakit: stopped ${workers} warm Python worker${workers === 1 ? "" : "s"}`
            : "migrakit: no warm Python worker was running",
        );
    }
    return 0;
  }
  if (action === "status") {
    const state = await readState(paths.stateFile);
    const running = Boolean(state && isAlive(state.pid));
    const workers = await listWorkers(dir, isAlive);
    if (ctx.json)
      print(
        ctx.stdout,
        JSON.stringify({
          ok: true,
          running,
          port: running ? state!.port : null,
          pid: running ? state!.pid : null,
          dataDir: paths.dataDir,
          workers,
        }),
      );
    else {
      print(
        ctx.stdout,
        running
          ? `migrakit: embedded Postgres running on 127.0.0.1:${state!.port} (pid ${state!.pid}, ${paths.dataDir})`
          : `migrakit: embedded Postgres not running (${paths.dataDir})`,
      );
      for (const w of workers) print(ctx.stdout, describeWorker(w));
      if (!workers.length) print(ctx.stdout, "migrakit: no warm Python worker running");
    }
    return 0;
  }
  throw new MigrakitError("EMIGRAKIT_USAGE", {
    command: "server",
    reason: `unknown action "${action}" (use stop or status)`,
  });
}
