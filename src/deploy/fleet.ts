// `deploy --targets` / `status --targets`: many instances of one package. Each instance is read, decided
// (case.ts: the same refusals as a single deploy) and deployed under its own lock and in its own
// transactions by one of `parallel` workers, each with its own helper process; an instance failing never
// stops or touches the others. The result is one row per instance (fleet-report.ts).
import type { Bridge } from "../bridge/index.js";
import type { PackageParams } from "../bridge/contract.js";
import { isMigrakitError, MigrakitError } from "../errors/index.js";
import { applyCase, type DeployLimits } from "./apply.js";
import { startDeployBridge } from "./bridge.js";
import { deployCase, type CaseOptions, type DeployCase } from "./case.js";
import { errorResult, type FleetRow } from "./fleet-report.js";
import type { HistoryRecord } from "./history.js";
import { readInstance } from "./instance.js";
import type { DeployPackage } from "./package-state.js";
import { versionStep } from "./status.js";
import { describeTarget } from "./target.js";

export interface Inspected {
  url: string;
  target: string;
  case?: DeployCase;
  error?: MigrakitError;
}

function asMigrakit(err: unknown): MigrakitError {
  if (isMigrakitError(err)) return err;
  return new MigrakitError("EMIGRAKIT_DEPLOY_FAILED", {
    target: "(instance)",
    type: "Error",
    reason: err instanceof Error ? err.message : String(err),
    from: "?",
  });
}

/** Run `fn` over `items` with at most `limit` at a time; results in the items' order. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, worker: number) => Promise<R>,
  shouldStart: () => boolean = () => true,
): Promise<(R | undefined)[]> {
  const out: (R | undefined)[] = new Array(items.length);
  let next = 0;
  const worker = async (w: number) => {
    while (next < items.length && shouldStart()) {
      const i = next++;
      out[i] = await fn(items[i]!, w);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, (_, w) => worker(w)));
  return out;
}

/** Where each instance stands, and what deploying it would do (read only). */
export async function inspectAll(
  pkg: DeployPackage,
  urls: string[],
  opts: CaseOptions,
  parallel: number,
): Promise<Inspected[]> {
  const out = await pool(urls, Math.max(parallel, 8), async (url) => {
    const target = describeTarget(url);
    try {
      const instance = await readInstance(url, pkg.versionTable, pkg.ownTables);
      return { url, target, case: deployCase(pkg.state, instance, opts) };
    } catch (err) {
      return { url, target, error: asMigrakit(err) };
    }
  });
  return out as Inspected[];
}

export function inspectedRow(i: Inspected): FleetRow {
  if (i.error)
    return {
      target: i.target,
      from: null,
      to: null,
      versions: "?",
      scripts: 0,
      seconds: 0,
      result: errorResult(i.error),
      atHead: false,
      code: i.error.code,
      message: i.error.message,
    };
  const c = i.case!;
  const behind = c.plan.state === "behind";
  return {
    target: i.target,
    from: c.plan.current,
    to: c.plan.head,
    versions: versionStep(c.plan),
    scripts: c.plan.pending.length,
    seconds: 0,
    result: behind ? "behind" : "up to date",
    atHead: !behind,
  };
}

export interface FleetDeploy {
  pkg: DeployPackage;
  ctx: { cwd: string; env: NodeJS.ProcessEnv };
  inspected: Inspected[];
  parallel: number;
  limits: DeployLimits;
  record: Omit<HistoryRecord, "acceptedChanged" | "unreleased">;
  /** Called as each instance finishes (progress on a terminal). */
  onDone?: (row: FleetRow) => void;
}

export interface FleetRun {
  rows: Promise<FleetRow[]>;
  /** Stop: cancel what is in flight (rolled back by each helper), start nothing more. */
  stop(): void;
}

export function deployFleet(o: FleetDeploy): FleetRun {
  let stopping = false;
  const bridges: ({ bridge: Bridge; params: PackageParams } | undefined)[] = [];
  const one = async (i: Inspected, w: number): Promise<FleetRow> => {
    const started = Date.now();
    const row = inspectedRow(i);
    if (i.error || !i.case || (i.case.plan.state !== "behind" && !i.case.record)) {
      o.onDone?.(row);
      return row;
    }
    const c = i.case;
    try {
      bridges[w] ??= await startDeployBridge(o.pkg, o.ctx);
      const { bridge, params } = bridges[w]!;
      const result = await applyCase({
        bridge,
        params,
        url: i.url,
        pkg: o.pkg.state,
        c,
        limits: o.limits,
        record: o.record,
        interruptible: true,
      });
      Object.assign(row, {
        result: result.status === "applied" ? "deployed" : "up to date",
        atHead: true,
        seconds: (Date.now() - started) / 1000,
        notes: result.notes,
        scripts: result.applied.length,
      });
    } catch (err) {
      const e = asMigrakit(err);
      Object.assign(row, {
        result: errorResult(e),
        atHead: false,
        code: e.code,
        message: e.message,
        seconds: (Date.now() - started) / 1000,
      });
      // A helper that was told to stop (or died) cannot serve the next instance: the next one starts afresh.
      if (stopping || !bridges[w]?.bridge.running) {
        await bridges[w]?.bridge.close().catch(() => {});
        bridges[w] = undefined;
      }
    }
    o.onDone?.(row);
    return row;
  };
  const rows = (async () => {
    try {
      const done = await pool(o.inspected, o.parallel, one, () => !stopping);
      return done.map(
        (r, i) =>
          r ?? {
            ...inspectedRow(o.inspected[i]!),
            result: "not started" as const,
            atHead: inspectedRow(o.inspected[i]!).atHead,
          },
      );
    } finally {
      await Promise.all(bridges.map((b) => b?.bridge.close().catch(() => {})));
    }
  })();
  return {
    rows,
    stop() {
      stopping = true;
      for (const b of bridges) void b?.bridge.close().catch(() => {});
    },
  };
}
