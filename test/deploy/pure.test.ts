// The pure parts of status/deploy/check --against: planning, versions, naming, options, history SQL,
// answers of the bridge as errors, and the NOT VALID rewrite of sampled copies.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  planDeploy,
  scriptInfo,
  versionLabel,
  type PackageState,
  type ScriptInfo,
} from "../../src/deploy/deploy-plan.js";
import { parseScriptName } from "../../src/model/script-name.js";
import { parseScriptSource } from "../../src/model/script-source.js";
import { describeTarget } from "../../src/deploy/target.js";
import { userOf } from "../../src/util/redact.js";
import { parseDuration, parseRowLimit } from "../../src/deploy/options.js";
import { historyStatements, versionOfRevision, type HistoryRow } from "../../src/deploy/history.js";
import { sessionsText } from "../../src/deploy/apply.js";
import { caseNotes, deployCase, driftOf } from "../../src/deploy/case.js";
import { scriptChecksum, scriptCreates, scriptDrops, declaresNoTransaction } from "../../src/deploy/script-facts.js";
import { parseServiceFile, parseShard, parseTargets, serviceUrl, shardOf } from "../../src/deploy/targets.js";
import { fleetTable } from "../../src/deploy/fleet-report.js";
import type { InstanceState } from "../../src/deploy/instance.js";
import { foreignKeysNotValid, pgEnv } from "../../src/deploy/clone.js";
import { isYes, confirmQuestion } from "../../src/deploy/confirm.js";
import { versionStep } from "../../src/deploy/status.js";
import { withoutOwnTables } from "../../src/deploy/against.js";
import type { MigrakitError } from "../../src/errors/index.js";

const s = (revision: string, version: string | null, unreleased = false): ScriptInfo => ({
  file: `${revision}.py`,
  revision,
  version,
  unreleased,
  path: `v/${revision}.py`,
  facts: { checksum: `h-${revision}`, transactional: true, drops: [], creates: [] },
});
const pkg: PackageState = {
  name: "lnschema_x",
  version: "0.2.0",
  scripts: [s("a", "0.1.0"), s("b", "0.1.0"), s("c", "0.2.0"), s("d", null, true)],
};

test("plan: behind lists the scripts after the instance's revision, in order", () => {
  const plan = planDeploy(pkg, "b");
  assert.equal(plan.state, "behind");
  assert.deepEqual(
    plan.pending.map((p) => p.revision),
    ["c", "d"],
  );
  assert.equal(plan.currentScript?.version, "0.1.0");
  assert.equal(versionStep(plan), "v0.1.0 → v0.2.0");
});

test("plan: up to date, empty version table, ahead", () => {
  assert.equal(planDeploy(pkg, "d").state, "up_to_date");
  assert.equal(versionStep(planDeploy(pkg, "d")), "unreleased → v0.2.0");
  const empty = planDeploy(pkg, null);
  assert.equal(empty.state, "behind");
  assert.equal(empty.pending.length, 4);
  const ahead = planDeploy(pkg, "e");
  assert.deepEqual([ahead.state, ahead.pending, ahead.currentScript], ["ahead", [], null]);
  assert.equal(planDeploy({ ...pkg, scripts: [] }, null).state, "up_to_date");
});

test("a script's version: from its name, from a legacy header, or unreleased", () => {
  const info = (file: string, text: string) =>
    scriptInfo({ path: file, name: parseScriptName(file), source: parseScriptSource(text) });
  assert.deepEqual(info("2023-02-14-8280855a5064-v0_26_2.py", '"""v0.26.2."""\nrevision = "8280855a5064"\n'), {
    file: "2023-02-14-8280855a5064-v0_26_2.py",
    revision: "8280855a5064",
    version: "0.26.2",
    unreleased: false,
    path: "2023-02-14-8280855a5064-v0_26_2.py",
  });
  assert.equal(
    info("2022-07-21-0560ee3d73dc-storage.py", '"""v0.3.3.\n\nlong text\n"""\nrevision = "0560ee3d73dc"\n').version,
    "0.3.3",
  );
  assert.equal(
    info("2023-02-16-dd2b4a9499f2-vx_x_x.py", '"""vX.X.X."""\nrevision = "dd2b4a9499f2"\n').unreleased,
    true,
  );
  assert.equal(versionLabel(s("x", null)), "(no version)");
});

test("targets name host, port and database, never a password", () => {
  assert.equal(
    describeTarget("postgresql://u:s3cret@db.example.com:5433/lamin?sslmode=require&password=x"),
    "u@db.example.com:5433/lamin",
  );
  assert.equal(describeTarget("postgresql+psycopg2://u:p@h/db"), "u@h/db");
  assert.equal(describeTarget("postgresql://u:k3Jx+9/aQw==@h:5432/db"), "u@h:5432/db");
  assert.equal(describeTarget("postgresql://u:p@ss w:rd@h/db"), "u@h/db");
  assert.equal(describeTarget("not a url"), "(unparsable URL)");
});

test("the login role of a URL is decoded, and never the password", () => {
  assert.equal(userOf("postgresql://app%40corp:p@ss w:rd@h/db"), "app@corp");
  assert.equal(userOf(" postgresql://u%zz:x@h/db"), "u%zz"); // not percent-encoding: as written
  assert.equal(userOf("postgresql://:secret@h/db"), "(default user)");
  assert.equal(userOf("postgresql://h/db"), "(default user)");
  assert.equal(userOf("not a url"), "(unknown)");
});

test("durations and row limits", () => {
  assert.equal(parseDuration("--lock-wait", "60s"), 60_000);
  assert.equal(parseDuration("--x", "500ms"), 500);
  assert.equal(parseDuration("--x", "250"), 250);
  assert.equal(parseDuration("--x", "1.5min"), 90_000);
  assert.equal(parseDuration("--x", "0"), 0);
  assert.throws(
    () => parseDuration("--lock-timeout", "soon"),
    (e: MigrakitError) => e.code === "EMIGRAKIT_DURATION_INVALID" && e.exitCode === 2,
  );
  assert.equal(parseRowLimit(undefined), undefined);
  assert.equal(parseRowLimit("10"), 10);
  assert.throws(
    () => parseRowLimit("0"),
    (e: MigrakitError) => e.code === "EMIGRAKIT_ROW_LIMIT_INVALID",
  );
});

test("history: quoted table in the version table's schema, named values, older tables get the new columns; the version of a revision", () => {
  const h = historyStatements('we"ird', {
    package: "p",
    version: "1.0.0",
    deployedBy: "me@host",
    migrakitVersion: "0.1.0",
    acceptedChanged: ["b"],
    unreleased: [],
  });
  assert.match(h.setup[0]!, /^CREATE TABLE IF NOT EXISTS "we""ird"\."migrakit_deploy_history" \(/);
  assert.match(h.setup[1]!, /ADD COLUMN IF NOT EXISTS checksums text, ADD COLUMN IF NOT EXISTS accepted_changed text/);
  assert.match(
    h.insert,
    /VALUES \(:package, :version, :from_revision, :revision, :scripts, :deployed_by, :migrakit_version, :checksums, :accepted_changed, :unreleased, :mode\)$/,
  );
  assert.deepEqual(h.values, {
    package: "p",
    version: "1.0.0",
    deployed_by: "me@host",
    migrakit_version: "0.1.0",
    accepted_changed: "b",
    unreleased: null,
  });
  const row = (revision: string, version: string | null) => ({ revision, version }) as HistoryRow;
  assert.equal(versionOfRevision([row("b", "1.0.0"), row("c", "1.1.0"), row("b", "1.0.1")], "b"), "1.0.1");
  assert.equal(versionOfRevision([row("b", null)], "b"), null);
});

const inst = (revision: string | null, history: Partial<HistoryRow>[] = []): InstanceState => ({
  target: "h:5432/db",
  schema: "public",
  table: "t",
  revisions: revision ? [revision] : [],
  history: history as HistoryRow[],
});

test("checksums: CRLF is no change; an applied script whose hash differs is refused unless accepted; no hashes is said once", () => {
  assert.equal(scriptChecksum("a\r\nb\n"), scriptChecksum("a\nb\n"));
  assert.notEqual(scriptChecksum("a\n"), scriptChecksum("b\n"));
  const recorded = { checksums: { a: "h-a", b: "OLD" } };
  assert.deepEqual(
    driftOf(pkg, planDeploy(pkg, "b"), inst("b", [recorded])).changed.map((c) => c.revision),
    ["b"],
  );
  assert.throws(
    () => deployCase(pkg, inst("b", [recorded]), { acceptChanged: [], allowUnreleased: true }),
    (e: MigrakitError) => e.code === "EMIGRAKIT_APPLIED_SCRIPT_CHANGED" && /--accept-changed b/.test(e.fix),
  );
  const c = deployCase(pkg, inst("b", [recorded]), { acceptChanged: ["b"], allowUnreleased: true });
  assert.deepEqual(c.accepted, ["b"]);
  const old = deployCase(pkg, inst("b", [{ checksums: null }]), { acceptChanged: [], allowUnreleased: true });
  assert.equal(old.drift.unrecorded, true);
  assert.ok(caseNotes(old).some((n) => /no content hashes are recorded/.test(n)));
});

test("unreleased scripts are refused unless allowed, and loud in the notes when allowed", () => {
  assert.throws(
    () => deployCase(pkg, inst("c"), { acceptChanged: [], allowUnreleased: false }),
    (e: MigrakitError) => e.code === "EMIGRAKIT_UNRELEASED_REFUSED" && e.exitCode === 2,
  );
  const c = deployCase(pkg, inst("c"), { acceptChanged: [], allowUnreleased: true });
  assert.ok(caseNotes(c, ["lint: extra"]).some((n) => /^!! UNRELEASED: 1 vx_x_x/.test(n)));
  assert.equal(caseNotes(c, ["lint: extra"]).at(-1), "lint: extra");
});

test("drops of an upgrade are named; the downgrade's are not; migrakit_transaction = False is seen", () => {
  const text = [
    "migrakit_transaction = False",
    "def upgrade() -> None:",
    '    op.drop_table("tag", schema="core")',
    "    op.drop_column(",
    '        "run", "old", schema="core"',
    "    )",
    '    with op.batch_alter_table("user") as batch_op:',
    '        batch_op.drop_column("nick")',
    '    op.execute("DROP TABLE IF EXISTS core.legacy")',
    "",
    "def downgrade() -> None:",
    '    op.drop_table("hero")',
  ].join("\n");
  assert.deepEqual(
    scriptDrops(text).map((d) => `${d.kind} ${d.name} @${d.line}`),
    ["table core.tag @3", "column core.run.old @4", "column user.nick @8", "sql DROP TABLE IF EXISTS core.legacy @9"],
  );
  assert.equal(declaresNoTransaction(text), true);
  assert.equal(declaresNoTransaction("x = 1\n# migrakit_transaction = False\n"), false);
});

test("targets: comments and blanks ignored; shards cover every instance exactly once; service files", () => {
  assert.deepEqual(parseTargets("# fleet\npostgresql://a/x\n\n  svc_b  # the second\npostgresql://a/x\n"), [
    "postgresql://a/x",
    "svc_b",
    "postgresql://a/x",
  ]);
  const all = Array.from({ length: 20 }, (_, i) => `postgresql://h/db${i}`);
  const shards = [1, 2, 3].map((i) => shardOf(all, parseShard(`${i}/3`)));
  assert.deepEqual(shards.flat().sort(), [...all].sort());
  assert.equal(new Set(shards.flat()).size, 20);
  assert.deepEqual(shardOf(all, parseShard("2/3")), shardOf(all, parseShard("2/3")));
  for (const bad of ["0/3", "4/3", "1/0", "x"])
    assert.throws(
      () => parseShard(bad),
      (e: MigrakitError) => e.code === "EMIGRAKIT_FLEET_OPTION_INVALID",
    );
  const services = parseServiceFile(
    "[inst_a]\nhost=db.example\nport=6543\ndbname=team a\nuser=ops\npassword=p@ss/w rd\n",
  );
  assert.equal(serviceUrl(services.get("inst_a")!), "postgresql://ops:p%40ss%2Fw%20rd@db.example:6543/team%20a");
});

test("fleet table: aligned columns, no password; lock holders named", () => {
  const t = fleetTable([
    {
      target: "h:1/a",
      from: "x",
      to: "y",
      versions: "v0.1.0 → v0.2.0",
      scripts: 3,
      seconds: 1.25,
      result: "deployed",
      atHead: true,
    },
  ]);
  assert.match(t, /^instance\s+from → to\s+scripts\s+seconds\s+result\n/);
  assert.match(t, /h:1\/a\s+v0\.1\.0 → v0\.2\.0\s+3\s+1\.3\s+deployed/);
  assert.match(
    sessionsText([
      {
        pid: 7,
        usename: "ann",
        application_name: "psql",
        since: "now",
        state: "idle in transaction",
        query: "LOCK core.run",
      },
    ]),
    /pid 7 \(ann, psql, since now, idle in transaction: LOCK core\.run\)/,
  );
});

test("sampled copies: foreign keys restored NOT VALID, other constraints untouched", () => {
  const post = [
    "ALTER TABLE ONLY core.run\n    ADD CONSTRAINT pk_run PRIMARY KEY (id);",
    "ALTER TABLE ONLY core.run\n    ADD CONSTRAINT fk_run_transform FOREIGN KEY (transform_id) REFERENCES core.transform(id);",
    "ALTER TABLE ONLY core.x\n    ADD CONSTRAINT fk_x FOREIGN KEY (y) REFERENCES core.y(id) NOT VALID;",
  ].join("\n");
  assert.equal(
    foreignKeysNotValid(post),
    [
      "ALTER TABLE ONLY core.run\n    ADD CONSTRAINT pk_run PRIMARY KEY (id);",
      "ALTER TABLE ONLY core.run\n    ADD CONSTRAINT fk_run_transform FOREIGN KEY (transform_id) REFERENCES core.transform(id) NOT VALID;",
      "ALTER TABLE ONLY core.x\n    ADD CONSTRAINT fk_x FOREIGN KEY (y) REFERENCES core.y(id) NOT VALID;",
    ].join("\n"),
  );
});

test("client programs get the connection in PG* variables", () => {
  const env = pgEnv("postgresql://me:p%40ss@db:6543/inst?sslmode=require", { PATH: "/bin", PGSERVICE: "x" });
  assert.deepEqual(
    [env.PGHOST, env.PGPORT, env.PGUSER, env.PGPASSWORD, env.PGDATABASE, env.PGSSLMODE, env.PGSERVICE],
    ["db", "6543", "me", "p@ss", "inst", "require", undefined],
  );
});

test("confirmation: only y/yes confirms; the question names the count, versions and target", () => {
  assert.deepEqual(["y", "Y", "yes", " YES ", "", "n", "no", "yep"].map(isYes), [
    true,
    true,
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
  assert.equal(confirmQuestion(3, "v0.1.0 → v0.2.0", "h/db"), "Deploy 3 scripts (v0.1.0 → v0.2.0) to h/db? [y/N] ");
  assert.equal(confirmQuestion(1, "a → b", "h/db"), "Deploy 1 script (a → b) to h/db? [y/N] ");
});

test("against: the deploy history table is not a difference from the ORM", () => {
  const base = { upgrade_ops: "", downgrade_ops: "", imports: [] };
  const own = {
    kind: "remove_table",
    schema: null,
    table: "migrakit_deploy_history",
    columns: [],
    primary_key: [],
    foreign_keys: [],
  };
  const other = { kind: "remove_table", schema: "core", table: "old", columns: [], primary_key: [], foreign_keys: [] };
  assert.equal(withoutOwnTables({ ...base, diffs: [own], empty: false }).empty, true);
  assert.deepEqual(withoutOwnTables({ ...base, diffs: [own, other], empty: false }).diffs, [other]);
});

test("transaction control in a script is found in code, not in comments or docstrings", async () => {
  const { transactionControlFindings } = await import("../../src/checks/transaction-control.js");
  const script = (text: string) => ({ path: "v/x.py", text }) as Parameters<typeof transactionControlFindings>[0];
  const found = (text: string) => transactionControlFindings(script(text));
  const text = [
    '"""v1.0.0.',
    'Never op.execute("COMMIT") here.',
    '"""',
    "def upgrade():",
    '    op.execute("COMMIT")',
    "    with op.get_context().autocommit_block():",
    "        pass",
    '    # op.execute("ROLLBACK")',
    "    bind.commit()",
  ].join("\n");
  assert.deepEqual(
    transactionControlFindings(script(text)).map((f) => [f.line, /runs (\S+):/.exec(f.message)?.[1]]),
    [
      [5, "COMMIT"],
      [6, "autocommit_block()"],
      [9, "commit()"],
    ],
  );
  assert.deepEqual(
    transactionControlFindings(script(text)).map((f) => f.code),
    [
      "EMIGRAKIT_SCRIPT_TRANSACTION_CONTROL",
      "EMIGRAKIT_SCRIPT_TRANSACTION_CONTROL",
      "EMIGRAKIT_SCRIPT_TRANSACTION_CONTROL",
    ],
  );
  assert.equal(found('def upgrade():\n    op.execute("CREATE INDEX CONCURRENTLY ix ON t (a)")\n').length, 0);
  // A script that declares it runs outside the transaction is where autocommit_block() belongs.
  assert.equal(
    found(
      "migrakit_transaction = False\n\ndef upgrade():\n    with op.get_context().autocommit_block():\n        pass\n",
    ).length,
    0,
  );
});

test("scriptCreates: the tables upgrade() creates, with the call's own schema= (not a nested one), downgrade() left out", () => {
  const text = [
    "def upgrade() -> None:",
    "    op.create_table(",
    '        "gene",',
    '        sa.Column("kind", sa.Enum("a", "b", name="kind", schema="types"), nullable=True),',
    '        sa.Column("note", sa.String(), server_default=sa.text("\'(x\'")),',
    '        schema="bionty",',
    "    )",
    "    op.create_table('plain', sa.Column('id', sa.Integer()))",
    '    op.add_column("gene", sa.Column("x", sa.Integer()), schema="bionty")',
    "",
    "",
    "def downgrade() -> None:",
    '    op.create_table("restored", schema="bionty")',
    "",
  ].join("\n");
  assert.deepEqual(scriptCreates(text), ["bionty.gene", "plain"]);
});

test("plan: a history merged into one head — at one side, the other side and the merge are pending; applied is what is below", () => {
  // root → (left, right) → merge, listed parents first as package-state.ts does.
  const dag = (revision: string, parents: string[]): ScriptInfo => ({ ...s(revision, null), parents });
  const merged: PackageState = {
    name: "app",
    version: null,
    scripts: [dag("root", []), dag("left", ["root"]), dag("right", ["root"]), dag("merge", ["left", "right"])],
  };
  const atLeft = planDeploy(merged, "left");
  assert.equal(atLeft.state, "behind");
  assert.equal(atLeft.head, "merge");
  assert.deepEqual(
    atLeft.pending.map((p) => p.revision),
    ["right", "merge"],
  );
  assert.deepEqual(
    planDeploy(merged, "root").pending.map((p) => p.revision),
    ["left", "right", "merge"],
  );
  assert.equal(planDeploy(merged, "merge").state, "up_to_date");
  assert.equal(planDeploy(merged, "elsewhere").state, "ahead");
  // The hashes checked for drift are those of the scripts the instance has: not the other side's.
  const recorded = { checksums: { root: "h-root", left: "edited", right: "edited" } };
  assert.deepEqual(
    driftOf(merged, atLeft, inst("left", [recorded])).changed.map((c) => c.revision),
    ["left"],
  );
});
