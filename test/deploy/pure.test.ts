// The pure parts of status/deploy/check --against: planning, versions, naming, options, history SQL,
// answers of the bridge as errors, and the NOT VALID rewrite of sampled copies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { planDeploy, scriptInfo, versionLabel, type PackageState, type ScriptInfo } from "../../src/deploy/plan.js";
import { parseScriptName } from "../../src/model/script-name.js";
import { parseScriptSource } from "../../src/model/script-source.js";
import { describeTarget } from "../../src/deploy/target.js";
import { parseDuration, parseRowLimit } from "../../src/deploy/options.js";
import { historyStatements, versionOfRevision, type HistoryRow } from "../../src/deploy/history.js";
import { answerError, type DeployAnswer } from "../../src/deploy/apply.js";
import { foreignKeysNotValid, pgEnv } from "../../src/deploy/clone.js";
import { isYes, confirmQuestion } from "../../src/deploy/confirm.js";
import { versionStep } from "../../src/deploy/status.js";
import { withoutOwnTables } from "../../src/deploy/against.js";
import { MigrakitError } from "../../src/errors/index.js";

const s = (revision: string, version: string | null, unreleased = false): ScriptInfo => ({ file: `${revision}.py`, revision, version, unreleased });
const pkg: PackageState = { name: "lnschema_x", version: "0.2.0", scripts: [s("a", "0.1.0"), s("b", "0.1.0"), s("c", "0.2.0"), s("d", null, true)] };

test("plan: behind lists the scripts after the instance's revision, in order", () => {
  const plan = planDeploy(pkg, "b");
  assert.equal(plan.state, "behind");
  assert.deepEqual(plan.pending.map((p) => p.revision), ["c", "d"]);
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
  const info = (file: string, text: string) => scriptInfo({ path: file, name: parseScriptName(file), source: parseScriptSource(text) });
  assert.deepEqual(info("2023-02-14-8280855a5064-v0_26_2.py", '"""v0.26.2."""\nrevision = "8280855a5064"\n'), { file: "2023-02-14-8280855a5064-v0_26_2.py", revision: "8280855a5064", version: "0.26.2", unreleased: false });
  assert.equal(info("2022-07-21-0560ee3d73dc-storage.py", '"""v0.3.3.\n\nlong text\n"""\nrevision = "0560ee3d73dc"\n').version, "0.3.3");
  assert.equal(info("2023-02-16-dd2b4a9499f2-vx_x_x.py", '"""vX.X.X."""\nrevision = "dd2b4a9499f2"\n').unreleased, true);
  assert.equal(versionLabel(s("x", null)), "(no version)");
});

test("targets name host, port and database, never a password", () => {
  assert.equal(describeTarget("postgresql://u:s3cret@db.example.com:5433/lamin?sslmode=require&password=x"), "u@db.example.com:5433/lamin");
  assert.equal(describeTarget("postgresql+psycopg2://u:p@h/db"), "u@h/db");
  assert.equal(describeTarget("postgresql://u:k3Jx+9/aQw==@h:5432/db"), "u@h:5432/db");
  assert.equal(describeTarget("postgresql://u:p@ss w:rd@h/db"), "u@h/db");
  assert.equal(describeTarget("not a url"), "(unparsable URL)");
});

test("durations and row limits", () => {
  assert.equal(parseDuration("--lock-wait", "60s"), 60_000);
  assert.equal(parseDuration("--x", "500ms"), 500);
  assert.equal(parseDuration("--x", "250"), 250);
  assert.equal(parseDuration("--x", "1.5min"), 90_000);
  assert.equal(parseDuration("--x", "0"), 0);
  assert.throws(() => parseDuration("--lock-timeout", "soon"), (e: MigrakitError) => e.code === "EMIGRAKIT_DURATION_INVALID" && e.exitCode === 2);
  assert.equal(parseRowLimit(undefined), undefined);
  assert.equal(parseRowLimit("10"), 10);
  assert.throws(() => parseRowLimit("0"), (e: MigrakitError) => e.code === "EMIGRAKIT_ROW_LIMIT_INVALID");
});

test("history: quoted table in the version table's schema, named values; the version of a revision", () => {
  const [create, insert] = historyStatements('we"ird', { package: "p", version: "1.0.0", fromRevision: null, revision: "b", scripts: ["a", "b"], deployedBy: "me@host", migrakitVersion: "0.1.0" });
  assert.match(create!.sql, /^CREATE TABLE IF NOT EXISTS "we""ird"\."migrakit_deploy_history" \(/);
  assert.match(insert!.sql, /VALUES \(:package, :version, :from_revision, :revision, :scripts, :deployed_by, :migrakit_version\)$/);
  assert.deepEqual(insert!.values, { package: "p", version: "1.0.0", from_revision: null, revision: "b", scripts: "a b", deployed_by: "me@host", migrakit_version: "0.1.0" });
  const row = (revision: string, version: string | null) => ({ revision, version }) as HistoryRow;
  assert.equal(versionOfRevision([row("b", "1.0.0"), row("c", "1.1.0"), row("b", "1.0.1")], "b"), "1.0.1");
  assert.equal(versionOfRevision([row("b", null)], "b"), null);
});

test("bridge answers become the right errors", () => {
  const ctx = {
    url: "postgresql://me:pw@h:5432/db",
    instance: { target: "h:5432/db", schema: "public", table: "t", revisions: ["a"], history: [] },
    plan: planDeploy(pkg, "a"),
    limits: { lockWaitMs: 1000, lockTimeoutMs: 500, statementTimeoutMs: 2000 },
  };
  const failed = (sqlstate: string | null): DeployAnswer => ({ status: "failed", type: "OperationalError", message: "boom\n[SQL: x]", traceback: "", script: "/x/versions/c.py:12", sqlstate });
  const code = (a: DeployAnswer) => answerError(a, ctx)?.code;
  assert.equal(code(failed("22012")), "EMIGRAKIT_DEPLOY_FAILED");
  assert.match(answerError(failed("22012"), ctx)!.message, /failed in c\.py:12: OperationalError: boom\. Everything was rolled back; the instance is still at a\./);
  assert.equal(code(failed("55P03")), "EMIGRAKIT_DEPLOY_TIMEOUT");
  assert.match(answerError(failed("57014"), ctx)!.message, /statement_timeout \(2s\)/);
  assert.equal(code(failed("42501")), "EMIGRAKIT_INSTANCE_PRIVILEGE");
  assert.equal(code({ status: "locked", holders: [], waited_ms: 1000 }), "EMIGRAKIT_DEPLOY_LOCKED");
  assert.equal(code({ status: "changed", from: ["b"], current: ["b"], waited_ms: 0 }), "EMIGRAKIT_INSTANCE_CHANGED");
  assert.equal(code({ status: "up_to_date", from: ["d"], current: ["d"], waited_ms: 0 }), undefined);
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
  assert.deepEqual([env.PGHOST, env.PGPORT, env.PGUSER, env.PGPASSWORD, env.PGDATABASE, env.PGSSLMODE, env.PGSERVICE], ["db", "6543", "me", "p@ss", "inst", "require", undefined]);
});

test("confirmation: only y/yes confirms; the question names the count, versions and target", () => {
  assert.deepEqual(["y", "Y", "yes", " YES ", "", "n", "no", "yep"].map(isYes), [true, true, true, true, false, false, false, false]);
  assert.equal(confirmQuestion(3, "v0.1.0 → v0.2.0", "h/db"), "Deploy 3 migrations (v0.1.0 → v0.2.0) to h/db? [y/N] ");
  assert.equal(confirmQuestion(1, "a → b", "h/db"), "Deploy 1 migration (a → b) to h/db? [y/N] ");
});

test("against: the deploy history table is not a difference from the ORM", () => {
  const base = { upgrade_ops: "", downgrade_ops: "", imports: [] };
  const own = { kind: "remove_table", schema: null, table: "migrakit_deploy_history", columns: [], primary_key: [], foreign_keys: [] };
  const other = { kind: "remove_table", schema: "core", table: "old", columns: [], primary_key: [], foreign_keys: [] };
  assert.equal(withoutOwnTables({ ...base, diffs: [own], empty: false }).empty, true);
  assert.deepEqual(withoutOwnTables({ ...base, diffs: [own, other], empty: false }).diffs, [other]);
});
