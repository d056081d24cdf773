// `migrakit check --against URL`: lamin's `migrate_clones` test. A throw-away copy of the real instance
// (clone.ts) is upgraded to head and compared with the ORM; the copy is dropped whatever happens, and the
// original is only read. Runs after the static rules (a chain that breaks them cannot be run anyway);
// the scratch-database checks of a plain `check` are not repeated here.
import { rememberSecretsOf } from "../util/redact.js";
import type { Context } from "../output/context.js";
import { print, reportFindings } from "../output/output.js";
import { runStaticCheck } from "../checks/run-static.js";
import { finding, hasErrors, type Finding } from "../errors/finding.js";
import { modelsMismatchFinding } from "../checks/dynamic/models-match.js";
import { errorSummary, failureDetail, locateFailure } from "../checks/dynamic/failure.js";
import { remoteFailureOf } from "../bridge/remote-error.js";
import type { CompareResult } from "../bridge/contract.js";
import { startDeployBridge } from "./bridge.js";
import { cloneInstance, type InstanceCopy } from "./clone.js";
import { HISTORY_TABLE } from "./history.js";
import { readInstance } from "./instance.js";
import { formatMs, parseRowLimit } from "./options.js";
import { loadDeployPackage } from "./package-state.js";
import { aheadError, instancePlan, versionStep } from "./status.js";
import { lintStep } from "../checks/dynamic/lint-step.js";
import { planChain } from "../checks/dynamic/chain-plan.js";
import { tableSizes } from "../db/table-sizes.js";
import { encodedUrl } from "../db/url.js";
import type { Recorded } from "../lint/recorded.js";

export interface AgainstOptions {
  against: string;
  rowLimit?: string | number;
}

/** Diffs that are migrakit's own bookkeeping, not the ORM's business (the deploy history table). */
export function withoutOwnTables(result: CompareResult): CompareResult {
  const own = (d: Record<string, unknown>) => d.kind === "remove_table" && d.table === HISTORY_TABLE;
  const diffs = result.diffs.filter((d) => !own(d as Record<string, unknown>));
  return diffs.length === result.diffs.length ? result : { ...result, diffs, empty: diffs.length === 0 };
}

export interface AgainstReport {
  target: string;
  copy: "template" | "dump";
  from: string | null;
  to: string | null;
  scripts: number;
  versions: string;
  tookMs: number;
}

export async function runCheckAgainst(opts: AgainstOptions, ctx: Context): Promise<number> {
  const rowLimit = parseRowLimit(opts.rowLimit);
  const started = Date.now();
  const { findings, packages } = await runStaticCheck(ctx);
  if (hasErrors(findings)) {
    if (!ctx.json) print(ctx.stderr, "migrakit: the copy of the instance was not made: fix the static findings first");
    reportFindings(ctx, findings, { packages, against: "skipped" });
    return 1;
  }
  const pkg = await loadDeployPackage(ctx);
  rememberSecretsOf(opts.against);
  // A password pasted raw reaches pg, pg_dump and SQLAlchemy percent-encoded (db/url.ts).
  const against = encodedUrl(opts.against);
  const instance = await readInstance(against, pkg.versionTable, pkg.ownTables);
  const plan = instancePlan(pkg.state, instance);
  if (plan.state === "ahead") throw aheadError(pkg.state, plan, instance);

  let server: { release(): Promise<void> } | undefined;
  const scratchAdminUrl = async () => {
    const { getScratchServer } = await import("../db/server.js");
    const s = await getScratchServer({ database: pkg.config.database, env: ctx.env });
    server = s;
    return s.adminUrl;
  };
  const { bridge, params } = await startDeployBridge(pkg, ctx);
  let copy: InstanceCopy | undefined;
  const found: Finding[] = [];
  try {
    copy = await cloneInstance({ url: against, scratchAdminUrl, rowLimit, env: ctx.env });
    if (!ctx.json)
      print(
        ctx.stderr,
        `migrakit: copied ${instance.target} (${copy.how === "template" ? "CREATE DATABASE … TEMPLATE" : `pg_dump | pg_restore${rowLimit ? `, at most ${rowLimit} rows per table` : ""}`})`,
      );
    const head = pkg.repo.scripts.find((s) => (s.source.revision?.value ?? s.name.revision) === plan.head);
    let upgraded = true;
    try {
      const up = await bridge.request("upgrade", { ...params, url: copy.url, revision: "head", record: true });
      // The safety lint of the scripts this instance still lacks, on the copy at its real revision, with
      // the instance's own row counts and sizes on each lock and rewrite finding (docs/lint.md).
      const recorded: Recorded = up.recorded ?? {};
      const pending = (planChain(pkg.repo)?.chain ?? []).filter(
        (s) => recorded[s.source.revision?.value ?? s.name.revision ?? ""],
      );
      const facts = await tableSizes(against);
      found.push(
        ...(
          await lintStep(pending, recorded, {
            config: pkg.config,
            serverVersion: facts.serverVersion,
            sizes: facts.sizes,
          })
        ).findings,
      );
    } catch (err) {
      const failure = remoteFailureOf(err);
      if (!failure) throw err;
      upgraded = false;
      const at = locateFailure(failure.frames, pkg.repo.scripts);
      found.push(
        finding(
          "EMIGRAKIT_AGAINST_UPGRADE",
          at,
          {
            target: instance.target,
            from: plan.current ?? "(empty)",
            where: at.file ? `${at.file}:${at.line}` : undefined,
            error: errorSummary(failure),
          },
          { detail: failureDetail(failure) },
        ),
      );
    }
    if (upgraded) {
      const compared = withoutOwnTables(await bridge.request("compare", { ...params, url: copy.url }));
      const mismatch = modelsMismatchFinding(compared, head?.name.kind === "unreleased" ? head : undefined);
      if (mismatch) found.push(mismatch);
    }
  } finally {
    await copy?.drop().catch(() => {});
    await bridge.close().catch(() => {});
    await server?.release().catch(() => {});
  }
  const report: AgainstReport = {
    target: instance.target,
    copy: copy!.how,
    from: plan.current,
    to: plan.head,
    scripts: plan.pending.length,
    versions: versionStep(plan),
    tookMs: Date.now() - started,
  };
  if (!ctx.json)
    print(
      ctx.stderr,
      `migrakit: against ${report.target}: ${report.scripts} script(s) (${report.versions}) on the copy in ${formatMs(report.tookMs)}; copy dropped`,
    );
  const all = [...findings, ...found];
  reportFindings(ctx, all, { packages, against: report });
  return hasErrors(all) ? 1 : 0;
}
