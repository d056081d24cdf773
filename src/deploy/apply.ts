// Applying a case to an instance through the bridge's `deploy` method (python/migrakit_bridge/deploy.py):
// a session advisory lock, the pending scripts in as few transactions as they allow, a history row per
// committed run, lock timeouts retried. Here the answer becomes a result or the MigrakitError that says
// what happened. "Everything was rolled back" is said only after checking it: the instance's schema and
// version table are compared with what they were before (a script that COMMITs escapes the rollback).
import { basename } from "node:path";
import type { BridgeRequests, DeployProgress, DeploySession, PackageParams } from "../bridge/contract.js";
import { withClient } from "../db/connect.js";
import { schemaFingerprint } from "../db/fingerprint.js";
import { quoteIdent } from "../db/identifiers.js";
import { MigrakitError } from "../errors/index.js";
import { redactSecrets, userOf } from "../util/redact.js";
import type { DeployCase } from "./case.js";
import { DEPLOY_LOCK_KEY, historyStatements, type HistoryRecord } from "./history.js";
import type { InstanceState } from "./instance.js";
import { formatMs } from "./options.js";
import type { PackageState } from "./deploy-plan.js";

export interface DeployLimits {
  /** How long to wait for another deploy's lock (ms). */
  lockWaitMs: number;
  /** Postgres lock_timeout / statement_timeout for the deploy's statements (ms; 0 = none). */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** Tries again after a lock timeout (the whole run), with a doubling pause. */
  retries?: number;
  retryPauseMs?: number;
}

export interface DeployResult {
  status: "applied" | "up_to_date";
  applied: string[];
  current: string[];
  waitedMs: number;
  /** Lines worth telling the operator (retries after lock timeouts). */
  notes: string[];
  /** The deploy finished although a stop was asked for (it had committed already). */
  stopReason?: string;
}

const LOCK_NOT_AVAILABLE = "55P03";
const QUERY_CANCELED = "57014";
const INSUFFICIENT_PRIVILEGE = "42501";

export function sessionsText(sessions: DeploySession[]): string {
  if (!sessions.length) return "a session that has ended since";
  return sessions
    .map(
      (h) =>
        `pid ${h.pid} (${h.usename}${h.application_name ? `, ${h.application_name}` : ""}${h.client ? ` from ${h.client}` : ""}, since ${h.since}${h.state ? `, ${h.state}` : ""}${h.query ? `: ${redactSecrets(h.query).replace(/\s+/g, " ").slice(0, 80)}` : ""})`,
    )
    .join("; ");
}

function scriptWhere(script: string | null): string | undefined {
  return script ? basename(script) : undefined;
}

/** What the instance looks like, to tell a real rollback from a script that committed: schema + version rows. */
export async function instanceMark(url: string, instance: InstanceState): Promise<string> {
  const { hash } = await schemaFingerprint(url);
  const versions = instance.empty
    ? ""
    : await withClient(url, async (c) =>
        (
          await c.query<{ v: string }>(
            `SELECT version_num AS v FROM ${quoteIdent(instance.schema)}.${quoteIdent(instance.table)} ORDER BY 1`,
          )
        ).rows
          .map((r) => r.v)
          .join(","),
      );
  return `${hash} ${versions}`;
}

function retryNotes(p: DeployProgress): string[] {
  return (p.retries ?? []).map(
    (r) =>
      `lock timeout${r.script ? ` in ${scriptWhere(r.script)}` : ""} (blocked by ${sessionsText(r.blockers)}): rolled back, trying again in ${formatMs(r.pause_ms)} (${r.attempt}/${r.of})`,
  );
}

/** What a failed or stopped deploy left, from the bridge's progress and (when nothing committed) the check. */
function leftText(p: DeployProgress, unchanged: boolean | undefined, from: string): string {
  const parts: string[] = [];
  if (p.committed.length) {
    const revs = p.committed.flatMap((r) => r.revisions);
    parts.push(
      `${revs.length} script(s) committed before the failure and stay applied (${revs.join(", ")}; recorded in the history); the instance is now at ${p.current?.join(", ") || "?"}`,
    );
  } else if (unchanged === false) {
    parts.push(
      `its schema or version table differs from before the deploy (a script committed part of its work); the version table says ${p.current?.join(", ") || "(empty)"}, it was ${from}`,
    );
  }
  if (p.dropped_indexes?.length)
    parts.push(
      `the INVALID index(es) a failed CREATE INDEX CONCURRENTLY left were dropped: ${p.dropped_indexes.join(", ")}`,
    );
  if (p.invalid_indexes_left?.length)
    parts.push(
      `INVALID index(es) could not be dropped (a session holds the table): run DROP INDEX CONCURRENTLY ${p.invalid_indexes_left.join(", ")}`,
    );
  return parts.join("; ");
}

export async function applyCase(o: {
  bridge: BridgeRequests;
  params: PackageParams;
  url: string;
  pkg: PackageState;
  c: DeployCase;
  limits: DeployLimits;
  record: Omit<HistoryRecord, "acceptedChanged" | "unreleased">;
  /** Watch stdin and signals in the helper (a helper of our own that nothing else talks to). */
  interruptible?: boolean;
}): Promise<DeployResult> {
  const { c, limits } = o;
  const target = c.instance.target;
  const from = c.plan.current ?? "(empty)";
  const before = await instanceMark(o.url, c.instance);
  const record: HistoryRecord = {
    ...o.record,
    acceptedChanged: c.accepted,
    unreleased: c.unreleased.map((s) => s.revision),
  };
  const headIndex = o.pkg.scripts.findIndex((s) => s.revision === c.plan.head);
  const answer = await o.bridge.request("deploy", {
    ...o.params,
    url: o.url,
    revision: c.plan.head,
    expected_from: c.plan.current ? [c.plan.current] : [],
    lock_key: DEPLOY_LOCK_KEY,
    lock_wait_ms: limits.lockWaitMs,
    ...(limits.lockTimeoutMs !== undefined ? { lock_timeout_ms: limits.lockTimeoutMs } : {}),
    ...(limits.statementTimeoutMs !== undefined ? { statement_timeout_ms: limits.statementTimeoutMs } : {}),
    retries: limits.retries ?? 0,
    retry_pause_ms: limits.retryPauseMs ?? 1000,
    history: historyStatements(c.instance.schema, record),
    checksums: o.pkg.scripts.slice(0, headIndex + 1).map((s) => [s.revision, s.facts?.checksum ?? null]),
    record: c.record,
    interruptible: o.interruptible ?? false,
  });
  switch (answer.status) {
    case "applied":
      return {
        status: "applied",
        applied: answer.applied.map((a) => a.revision),
        current: answer.current ?? [],
        waitedMs: answer.waited_ms,
        notes: retryNotes(answer),
        stopReason: answer.stop_reason,
      };
    case "up_to_date":
      return {
        status: "up_to_date",
        applied: [],
        current: answer.current ?? [],
        waitedMs: answer.waited_ms,
        notes: retryNotes(answer),
      };
    case "locked":
      throw new MigrakitError("EMIGRAKIT_DEPLOY_LOCKED", {
        target,
        waited: formatMs(answer.waited_ms),
        holders: sessionsText(answer.holders),
      });
    case "changed":
      throw new MigrakitError("EMIGRAKIT_INSTANCE_CHANGED", {
        target,
        expected: from,
        found: answer.current?.join(", ") || "(empty)",
      });
  }
  // failed or stopped: say what is left, after checking.
  const after = answer.committed.length ? null : await instanceMark(o.url, c.instance).catch(() => undefined);
  const unchanged = after === null || after === undefined ? undefined : after === before;
  const unverified = after === undefined ? " (the instance could not be read afterwards to confirm the rollback)" : "";
  const partial = answer.committed.length > 0 || unchanged === false;
  const left = leftText(answer, unchanged, from);
  const cleaned = !partial && left ? ` (${left})` : "";
  const reason = redactSecrets(answer.message.split("\n")[0] ?? answer.message) + cleaned + unverified;
  const script = scriptWhere(answer.script);
  if (answer.status === "stopped") {
    throw new MigrakitError("EMIGRAKIT_DEPLOY_STOPPED", {
      target,
      reason: answer.stop_reason ?? reason,
      left: partial
        ? left
        : `the statement in flight was cancelled and rolled back; the instance is unchanged, still at ${from}${cleaned}`,
    });
  }
  if (partial) {
    throw new MigrakitError("EMIGRAKIT_DEPLOY_PARTIAL", { target, script, reason: `${answer.type}: ${reason}`, left });
  }
  if (answer.sqlstate === LOCK_NOT_AVAILABLE || answer.sqlstate === QUERY_CANCELED) {
    const limit =
      answer.sqlstate === LOCK_NOT_AVAILABLE
        ? `lock_timeout (${formatMs(limits.lockTimeoutMs ?? 0)})`
        : `statement_timeout (${formatMs(limits.statementTimeoutMs ?? 0)})`;
    const tries =
      answer.sqlstate === LOCK_NOT_AVAILABLE && answer.retries?.length
        ? ` after ${answer.retries.length + 1} tries`
        : "";
    const held =
      answer.sqlstate === LOCK_NOT_AVAILABLE ? `; the lock is held by ${sessionsText(answer.blockers ?? [])}` : "";
    return Promise.reject(
      new MigrakitError("EMIGRAKIT_DEPLOY_TIMEOUT", {
        target,
        limit: `${limit}${tries}`,
        script,
        reason: `${reason}${held}`,
        from,
      }),
    );
  }
  if (answer.sqlstate === INSUFFICIENT_PRIVILEGE) {
    throw new MigrakitError("EMIGRAKIT_INSTANCE_PRIVILEGE", {
      user: userOf(o.url),
      target,
      action: `run ${script ?? "the deploy"} (everything was rolled back)`,
      reason,
    });
  }
  throw new MigrakitError("EMIGRAKIT_DEPLOY_FAILED", {
    target,
    script,
    type: answer.type,
    reason,
    from,
    traceback: redactSecrets(answer.traceback),
  });
}
