// Applying a plan to an instance through the bridge's `deploy` method (python/migrakit_bridge/deploy.py):
// one transaction holding the advisory lock, the scripts and the history row. Here the answer becomes a
// result or the MigrakitError that says what happened; nothing is retried behind the operator's back.
import { basename } from "node:path";
import { MigrakitError } from "../errors/index.js";
import { redactSecrets } from "../util/redact.js";
import { DEPLOY_LOCK_KEY, historyStatements, type HistoryRecord } from "./history.js";
import type { InstanceState } from "./instance.js";
import { formatMs } from "./options.js";
import type { DeployPlan } from "./plan.js";
import { userOf } from "./target.js";

export interface DeployLimits {
  /** How long to wait for another deploy's lock (ms). */
  lockWaitMs: number;
  /** Postgres lock_timeout / statement_timeout for the deploy's statements (ms; 0 = none). */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
}

/** What the bridge answers (see deploy.py). */
export type DeployAnswer =
  | { status: "applied"; from: string[]; current: string[]; applied: { revision: string; path: string }[]; waited_ms: number }
  | { status: "up_to_date" | "changed"; from: string[]; current: string[]; waited_ms: number }
  | { status: "locked"; holders: Record<string, unknown>[]; waited_ms: number }
  | { status: "failed"; type: string; message: string; traceback: string; script: string | null; sqlstate: string | null };

export interface DeployResult {
  status: "applied" | "up_to_date";
  applied: string[];
  current: string[];
  waitedMs: number;
}

/** The bridge as this module needs it (the real one: src/bridge `Bridge.call`). */
export interface DeployBridge {
  call<T>(method: string, params: object): Promise<T>;
}

const LOCK_NOT_AVAILABLE = "55P03";
const QUERY_CANCELED = "57014";
const INSUFFICIENT_PRIVILEGE = "42501";

function holdersText(holders: Record<string, unknown>[]): string {
  if (!holders.length) return "a session that has ended since";
  return holders.map((h) => `pid ${h.pid} (${h.usename}${h.application_name ? `, ${h.application_name}` : ""}${h.client ? ` from ${h.client}` : ""}, since ${h.since})`).join("; ");
}

/** `versions/2023-…-vx_x_x.py:12` from the bridge's absolute `path:line`. */
function scriptWhere(script: string | null): string | undefined {
  if (!script) return undefined;
  return basename(script);
}

/** The error for an answer that is not a success (pure). */
export function answerError(answer: DeployAnswer, ctx: { url: string; instance: InstanceState; plan: DeployPlan; limits: DeployLimits }): MigrakitError | undefined {
  const target = ctx.instance.target;
  const from = ctx.plan.current ?? "(empty)";
  switch (answer.status) {
    case "applied":
    case "up_to_date":
      return undefined;
    case "locked":
      return new MigrakitError("EMIGRAKIT_DEPLOY_LOCKED", { target, waited: formatMs(answer.waited_ms), holders: holdersText(answer.holders) });
    case "changed":
      return new MigrakitError("EMIGRAKIT_INSTANCE_CHANGED", { target, expected: from, found: answer.current.join(", ") || "(empty)" });
    case "failed": {
      const reason = redactSecrets(answer.message.split("\n")[0] ?? answer.message);
      const script = scriptWhere(answer.script);
      if (answer.sqlstate === LOCK_NOT_AVAILABLE || answer.sqlstate === QUERY_CANCELED) {
        const limit =
          answer.sqlstate === LOCK_NOT_AVAILABLE ? `lock_timeout (${formatMs(ctx.limits.lockTimeoutMs ?? 0)})` : `statement_timeout (${formatMs(ctx.limits.statementTimeoutMs ?? 0)})`;
        return new MigrakitError("EMIGRAKIT_DEPLOY_TIMEOUT", { target, limit, script, reason, from });
      }
      if (answer.sqlstate === INSUFFICIENT_PRIVILEGE) {
        return new MigrakitError("EMIGRAKIT_INSTANCE_PRIVILEGE", { user: userOf(ctx.url), target, action: `run ${script ?? "the deploy"} (everything was rolled back)`, reason });
      }
      return new MigrakitError("EMIGRAKIT_DEPLOY_FAILED", { target, script, type: answer.type, reason, from, traceback: redactSecrets(answer.traceback) });
    }
  }
}

export async function applyPlan(o: {
  bridge: DeployBridge;
  params: object;
  url: string;
  instance: InstanceState;
  plan: DeployPlan;
  limits: DeployLimits;
  record: Omit<HistoryRecord, "fromRevision" | "revision" | "scripts">;
}): Promise<DeployResult> {
  const record: HistoryRecord = { ...o.record, fromRevision: o.plan.current, revision: o.plan.head!, scripts: o.plan.pending.map((s) => s.revision) };
  const answer = await o.bridge.call<DeployAnswer>("deploy", {
    ...o.params,
    url: o.url,
    revision: o.plan.head,
    expected_from: o.plan.current ? [o.plan.current] : [],
    lock_key: DEPLOY_LOCK_KEY,
    lock_wait_ms: o.limits.lockWaitMs,
    ...(o.limits.lockTimeoutMs !== undefined ? { lock_timeout_ms: o.limits.lockTimeoutMs } : {}),
    ...(o.limits.statementTimeoutMs !== undefined ? { statement_timeout_ms: o.limits.statementTimeoutMs } : {}),
    history: { statements: historyStatements(o.instance.schema, record) },
  });
  const error = answerError(answer, o);
  if (error) throw error;
  if (answer.status === "applied") return { status: "applied", applied: answer.applied.map((a) => a.revision), current: answer.current, waitedMs: answer.waited_ms };
  if (answer.status === "up_to_date") return { status: "up_to_date", applied: [], current: answer.current, waitedMs: answer.waited_ms };
  throw new Error(`internal: unexpected deploy answer ${answer.status}`);
}
