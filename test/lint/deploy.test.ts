// The lint in deploy's confirmation: before applying, deploy lists what the pending scripts do to this
// instance (recorded offline, column states and sizes read from the instance), and --json carries them.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { fixtureRepo, serverForFile, type FixtureRepo } from "../check/dynamic-helpers.js";
import { testPythons } from "../helpers/python.js";
import { cli, cliEnv, makeInstance, V0_2_0, type Instance } from "../deploy/instances.js";
import { lintLines } from "../../src/deploy/lint.js";

const python = testPythons()[0]!.python;
const repos: FixtureRepo[] = [];
const instances: Instance[] = [];
after(async () => {
  for (const i of instances) await i.drop();
  for (const r of repos) r.cleanup();
});
// Registered after the hook above, so the instances are dropped before the server stops.
const { pg } = serverForFile();

test("deploy prints the findings of the scripts it is about to apply, then applies them", async () => {
  const repo = fixtureRepo("seed-style");
  repos.push(repo);
  const inst = await makeInstance(pg.adminUrl, { repoDir: repo.dir, python, revision: V0_2_0 });
  instances.push(inst);
  const refused = cli(["deploy", "--db", inst.url, "--allow-unreleased"], repo.dir, cliEnv(python, pg.adminUrl));
  assert.equal(refused.status, 2, refused.all);
  assert.match(refused.stderr, /the safety lint on the scripts to apply/);
  assert.match(
    refused.stderr,
    /warning rename-column: renames column core\.run\.run_at to started_at — \d{4}-\d\d-\d\d-[0-9a-f]{12}-v0_3_0\.py:\d+/,
  );
  assert.match(
    refused.stderr,
    /warning index-not-concurrent: creates index ix_core_transform_type on core\.transform without CONCURRENTLY \(core\.transform on the instance: 1 row, [\d.]+ kB\)/,
  );
  const r = cli(
    ["deploy", "--db", inst.url, "--allow-unreleased", "--yes", "--json"],
    repo.dir,
    cliEnv(python, pg.adminUrl),
  );
  assert.equal(r.status, 0, r.all);
  const doc = JSON.parse(r.stdout) as { status: string; lint: { rule: string; file: string }[] };
  assert.equal(doc.status, "applied");
  assert.ok(
    doc.lint.some((h) => h.rule === "rename-table"),
    JSON.stringify(doc.lint),
  );
});

test("the confirmation's lines: accepted findings say why, nothing is printed when there is nothing", () => {
  assert.deepEqual(lintLines([]), []);
  const lines = lintLines([
    {
      rule: "drop-column",
      object: "core.run.note",
      what: "drops column core.run.note",
      line: 12,
      file: "p/migrations/versions/x.py",
      revision: "x",
      severity: "error",
      kind: "destructive",
      accepted: "moved to notes",
    },
  ]);
  assert.deepEqual(lines.slice(1), ["  accepted drop-column: drops column core.run.note — x.py:12 (moved to notes)"]);
});
