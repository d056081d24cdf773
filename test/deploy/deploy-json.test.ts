// `deploy --json` and `status --json`: one JSON document on stdout with what was applied, nothing else there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { testPythons } from "../helpers/python.js";
import { fixtureRepo, serverForFile } from "../check/dynamic-helpers.js";
import { cli, cliEnv, HEAD, makeInstance, PENDING, V0_2_0 } from "./instances.js";

const { pg } = serverForFile();
const python = testPythons()[0]!.python;

test("deploy --yes --json: applied scripts, from and to, current revision; then up_to_date", async (t) => {
  const repo = fixtureRepo("seed-style");
  const instance = await makeInstance(pg.adminUrl, { repoDir: repo.dir, python, revision: V0_2_0 });
  t.after(async () => {
    await instance.drop();
    repo.cleanup();
  });
  const env = cliEnv(python, pg.adminUrl);
  const status = cli(["status", "--db", instance.url, "--json"], repo.dir, env);
  assert.equal(status.status, 1, status.all);
  JSON.parse(status.stdout);
  const r = cli(["deploy", "--db", instance.url, "--yes", "--json", "--allow-unreleased"], repo.dir, env);
  assert.equal(r.status, 0, r.all);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, true);
  assert.equal(doc.status, "applied");
  assert.equal(doc.from, V0_2_0);
  assert.equal(doc.to, HEAD);
  assert.deepEqual(doc.current, [HEAD]);
  assert.equal(doc.applied.length, PENDING.length);
  assert.ok(!r.stdout.includes("password"), "no secret in the document");
  const again = cli(["deploy", "--db", instance.url, "--yes", "--json", "--allow-unreleased"], repo.dir, env);
  assert.equal(again.status, 0, again.all);
  assert.equal(JSON.parse(again.stdout).status, "up_to_date");
  const after = cli(["status", "--db", instance.url, "--json"], repo.dir, env);
  assert.equal(after.status, 0, after.all);
});
