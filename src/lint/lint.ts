// The safety lint over the scripts of one run (docs/lint.md): each script's recorded ops become actions
// (ops.ts, sql.ts), every rule looks at each action knowing which tables this release created before it,
// then markers and `allowDestructive` accept what was accepted on purpose. Pure but for loading the SQL
// parser when raw SQL is there. The callers (check, the hook, check --against, deploy) decide which scripts
// are linted and on which database they were recorded.
import type { ErrorCode } from "../errors/index.js";
import { finding, type Finding } from "../errors/finding.js";
import { tableKey, type Action, type TableName } from "./actions.js";
import { markerMatches, readMarkers } from "./markers.js";
import { opActions } from "./ops.js";
import type { Recorded } from "./recorded.js";
import { evaluate, RULE_BY_ID, type Hit, type RuleKind } from "./rules.js";
import { describeSize, type TableSize } from "./sizes.js";
import { sqlActions } from "./sql.js";
import { transactionControl } from "./transaction-text.js";

export interface LintScript {
  revision: string;
  /** Path relative to the repo root. */
  file: string;
  text: string;
  /** Scripts of one release share this key: a table created by one of them is new for the ones after it. */
  release: string;
}

export interface LintInput {
  /** In chain order. */
  scripts: LintScript[];
  recorded: Recorded;
  allowDestructive: boolean;
  postgresVersion: number;
  /** Row counts and sizes on a real instance, by `schema.table` (check --against). */
  sizes?: Map<string, TableSize>;
}

/** One rule that fired, accepted or not: what the release notes and deploy's prompt list. */
export interface LintHit extends Hit {
  file: string;
  revision: string;
  severity: "error" | "warning";
  kind: RuleKind;
  /** Why it does not block: a marker's reason, or `allowDestructive`. */
  accepted?: string;
  size?: string;
}

export interface LintResult {
  findings: Finding[];
  hits: LintHit[];
}

const CODES: Record<RuleKind, ErrorCode> = {
  destructive: "EMIGRAKIT_LINT_DESTRUCTIVE",
  data: "EMIGRAKIT_LINT_DATA",
  lock: "EMIGRAKIT_LINT_LOCK",
  rename: "EMIGRAKIT_LINT_RENAME",
  transaction: "EMIGRAKIT_LINT_TRANSACTION",
  sql: "EMIGRAKIT_LINT_SQL_UNPARSEABLE",
};

async function actionsOf(ops: Recorded[string]["ops"]): Promise<Action[]> {
  const out: Action[] = [];
  for (const op of ops) {
    const a = opActions(op);
    out.push(...(Array.isArray(a) ? a : await sqlActions(a.sql, op.line ?? null, a.params)));
  }
  return out;
}

export async function lintScripts(input: LintInput): Promise<LintResult> {
  const findings: Finding[] = [];
  const hits: LintHit[] = [];
  let release: string | undefined;
  let newTables = new Set<string>();
  let newIndexes = new Set<string>();
  for (const script of input.scripts) {
    const recorded = input.recorded[script.revision];
    if (!recorded) continue; // it did not run (an earlier failure is reported as such)
    if (script.release !== release) {
      release = script.release;
      newTables = new Set();
      newIndexes = new Set();
    }
    const ctx = {
      isNew: (t: TableName) => newTables.has(tableKey(t)),
      isNewIndex: (n: string | null) => n !== null && newIndexes.has(n),
      transactional: recorded.transactional,
      postgresVersion: input.postgresVersion,
    };
    const scriptHits: Hit[] = [];
    for (const a of await actionsOf(recorded.ops)) {
      scriptHits.push(...evaluate(a, ctx));
      if (a.kind === "create-table") newTables.add(tableKey(a.table));
      if (a.kind === "rename-table" && newTables.has(tableKey(a.table)))
        newTables.add(tableKey({ schema: a.table.schema, name: a.to }));
      if (a.kind === "create-index" && a.name) newIndexes.add(a.name);
    }
    const { markers, invalid } = readMarkers(script.text);
    for (const m of invalid)
      findings.push(finding("EMIGRAKIT_LINT_MARKER_INVALID", { file: script.file, line: m.line }, { marker: m.text }));
    const used = new Set<number>();
    // Transaction control the script's text shows is the static check's to report (or to accept): one
    // statement, one finding (src/lint/transaction-text.ts). A flagged one stays a hit, for deploy's prompt.
    const text = transactionControl(script.text);
    const inText = (h: Hit, lines: number[]) =>
      RULE_BY_ID[h.rule]!.kind === "transaction" && lines.includes(h.line ?? -1);
    for (const h of scriptHits) {
      const rule = RULE_BY_ID[h.rule]!;
      if (inText(h, text.accepted)) continue;
      const staticOwns = inText(
        h,
        text.flagged.map((f) => f.line),
      );
      const marker = markers.find((m) => markerMatches(m, h.rule, h.object));
      if (marker) used.add(marker.line);
      const size = h.table && input.sizes ? input.sizes.get(tableKey(h.table)) : undefined;
      const accepted = marker
        ? marker.reason
        : rule.kind === "destructive" && input.allowDestructive
          ? "allowDestructive: true"
          : undefined;
      const hit: LintHit = {
        ...h,
        file: script.file,
        revision: script.revision,
        severity: rule.severity,
        kind: rule.kind,
      };
      if (accepted) hit.accepted = accepted;
      if (size) hit.size = describeSize(h.table!, size);
      hits.push(hit);
      if (accepted || staticOwns) continue;
      const details = { rule: h.rule, object: h.object, what: h.what, why: rule.why, size: hit.size };
      findings.push(
        finding(CODES[rule.kind], { file: script.file, line: h.line ?? undefined }, details, {
          severity: rule.severity,
        }),
      );
    }
    for (const m of markers) {
      if (!used.has(m.line))
        findings.push(
          finding(
            "EMIGRAKIT_LINT_MARKER_STALE",
            { file: script.file, line: m.line },
            { rule: m.rule, object: m.object },
            { severity: "warning" },
          ),
        );
    }
  }
  return { findings, hits };
}
