// What the lint covers: only the unreleased scripts by default, the whole chain with `check --all` (each
// release on its own), a history that cannot replay said so; and with `check --against`, the pending
// scripts of that instance with its own row counts and sizes. Real git, alembic and Postgres.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { check, fixtureRepo, serverForFile, type FixtureRepo } from "../check/dynamic-helpers.js";
import { testPythons } from "../helpers/python.js";
import { makeInstance, V0_2_0, type Instance } from "../deploy/instances.js";
import type { Finding } from "../../src/errors/finding.js";

const python = testPythons()[0]!.python;
const repos: FixtureRepo[] = [];
const instances: Instance[] = [];
after(async () => {
  for (const i of instances) await i.drop();
  for (const r of repos) r.cleanup();
});
// Registered after the hook above, so the instances are dropped before the server stops.
const { pg, cache } = serverForFile();

const lintOf = (stdout: string) =>
  (JSON.parse(stdout) as { findings: Finding[] }).findings.filter((f) => f.code.startsWith("EMIGRAKIT_LINT_"));
const released = (f: Finding) => !/vx_x_x\.py$/.test(f.file ?? "");

test("released scripts are linted only with --all, each release on its own", () => {
  const repo = fixtureRepo("seed-style");
  repos.push(repo);
  const run = (...args: string[]) =>
    check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: cache(), args: ["--json", ...args] });
  const plain = lintOf(run().stdout);
  assert.deepEqual(plain.filter(released), [], "released history is not linted by default");
  const all = run("--all");
  const history = lintOf(all.stdout).filter(released);
  // 0.3.0 renames a column of core.run and 0.4.0 indexes core.transform: both tables come from 0.1.0.
  const rename = history.find(
    (f) =>
      f.code === "EMIGRAKIT_LINT_RENAME" &&
      f.message.startsWith("rename-column: renames column core.run.run_at to started_at"),
  );
  assert.ok(rename, JSON.stringify(history, null, 1));
  assert.match(rename.file!, /-v0_3_0\.py$/);
  const index = history.find((f) => f.code === "EMIGRAKIT_LINT_LOCK" && f.message.includes("ix_core_transform_type"));
  assert.match(index?.file ?? "", /-v0_4_0\.py$/);
  // 0.3.0 creates core.dataset with its indexes: new in that release, so no lock finding there.
  assert.ok(
    !history.some((f) => /-v0_3_0\.py$/.test(f.file!) && /ix_core_dataset_name/.test(f.message)),
    JSON.stringify(history, null, 1),
  );
});

test("--all on a history that does not replay from empty says so, and still lints the unreleased scripts", () => {
  const repo = fixtureRepo("lamin-era");
  repos.push(repo);
  const r = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: cache(), args: ["--json", "--all"] });
  const findings = (JSON.parse(r.stdout) as { findings: Finding[] }).findings;
  const warned = findings.find((f) => f.code === "EMIGRAKIT_LINT_HISTORY_NOT_REPLAYED");
  assert.ok(warned, r.all);
  assert.equal(warned.severity, "warning");
});

test("check --against: the instance's pending scripts are linted, with its row counts and sizes", async () => {
  const repo = fixtureRepo("seed-style");
  repos.push(repo);
  const inst = await makeInstance(pg.adminUrl, { repoDir: repo.dir, python, revision: V0_2_0 });
  instances.push(inst);
  await inst.query(
    `INSERT INTO core.transform (id, version, name, created_by) SELECT 't' || g, '1', 'n', 'u1' FROM generate_series(2, 40) g`,
  );
  const r = check(repo.dir, {
    python,
    databaseUrl: pg.adminUrl,
    cacheHome: cache(),
    args: ["--against", inst.url, "--json"],
  });
  const lint = lintOf(r.stdout);
  const index = lint.find((f) => f.code === "EMIGRAKIT_LINT_LOCK" && f.message.includes("ix_core_transform_type"));
  assert.ok(index, r.all);
  assert.match(index.message, /\(core\.transform on the instance: 40 rows, \d+(\.\d)? kB\)$/);
  assert.ok(
    lint.some((f) => f.code === "EMIGRAKIT_LINT_RENAME" && f.message.includes("core.run.run_at")),
    JSON.stringify(lint, null, 1),
  );
});
