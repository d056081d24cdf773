// Fix lines that are steps that work (issue 16 item 19): each case provokes the code through the CLI, then
// follows the printed fix and checks that it leads somewhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { catalogue } from "../../src/errors/index.js";
import { runCli } from "../helpers/cli.js";
import { makeSchemaRepo } from "../helpers/schema-repo.js";

const exitOf = (code: string) => catalogue[code as keyof typeof catalogue]!.exit;

test("--db that is not a Postgres URL is EMIGRAKIT_USAGE (not an environment error), and the value is not echoed", (t) => {
  const repo = makeSchemaRepo();
  t.after(() => repo.cleanup());
  for (const command of ["status", "deploy"]) {
    const r = runCli([command, "--db", "notaurl:s3cret", "--json"], { cwd: repo.dir });
    assert.equal(r.status, exitOf("EMIGRAKIT_USAGE"), r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.errors[0].code, "EMIGRAKIT_USAGE");
    assert.match(doc.errors[0].message, /--db is not a Postgres URL/);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cret/);
  }
});

test("an unreachable --db: EMIGRAKIT_DB_UNREACHABLE whose fix speaks of the --db URL, not the `database` setting", (t) => {
  const repo = makeSchemaRepo({ scripts: [{ revision: "aaaaaaaaaaaa", down: null }] });
  t.after(() => repo.cleanup());
  const r = runCli(["status", "--db", "postgresql://someone:pw@127.0.0.1:1/instance", "--json"], { cwd: repo.dir });
  assert.equal(r.status, exitOf("EMIGRAKIT_DB_UNREACHABLE"), r.stdout + r.stderr);
  const [e] = JSON.parse(r.stdout).errors;
  assert.equal(e.code, "EMIGRAKIT_DB_UNREACHABLE");
  assert.match(e.fix, /host and port in the --db URL/);
  assert.doesNotMatch(e.fix, /MIGRAKIT_DATABASE_URL|`database`/);
});

test("EMIGRAKIT_MIGRATION_MISMATCH with `_migration = None`: setting the printed value passes", (t) => {
  const repo = makeSchemaRepo({
    scripts: [{ revision: "aaaaaaaaaaaa", down: null }],
    init: { version: "0.1.0", migration: null },
  });
  t.after(() => repo.cleanup());
  const r = runCli(["check", "--static", "--json"], { cwd: repo.dir });
  assert.equal(r.status, exitOf("EMIGRAKIT_MIGRATION_MISMATCH"));
  const f = JSON.parse(r.stdout).findings.find((x: { code: string }) => x.code === "EMIGRAKIT_MIGRATION_MISMATCH");
  assert.equal(f.fix, 'Set `_migration = "aaaaaaaaaaaa"` in the package\'s __init__.py.');
  repo.write(
    `${repo.pkg}/__init__.py`,
    repo.read(`${repo.pkg}/__init__.py`).replace("_migration = None", '_migration = "aaaaaaaaaaaa"'),
  );
  const after = runCli(["check", "--static"], { cwd: repo.dir });
  assert.equal(after.status, 0, after.stderr);
});

test("EMIGRAKIT_MERGE_REVISION names the merge script to delete; after that `rebase` has two heads to work on", (t) => {
  const scripts = [
    { revision: "aaaaaaaaaaaa", down: null, slug: "v0_1_0" },
    { revision: "bbbbbbbbbbbb", down: "aaaaaaaaaaaa", slug: "v0_1_0" },
    { revision: "cccccccccccc", down: "aaaaaaaaaaaa" },
    { revision: "dddddddddddd", down: ["bbbbbbbbbbbb", "cccccccccccc"] },
  ];
  const repo = makeSchemaRepo({ scripts, init: { version: "0.1.0", migration: "dddddddddddd" } });
  t.after(() => repo.cleanup());
  const r = runCli(["check", "--static", "--json"], { cwd: repo.dir });
  const f = JSON.parse(r.stdout).findings.find((x: { code: string }) => x.code === "EMIGRAKIT_MERGE_REVISION");
  assert.ok(f, r.stdout);
  const merge = /Delete the merge script (\S+) /.exec(f.fix)![1]!;
  assert.match(merge, /dddddddddddd-vx_x_x\.py$/);
  assert.match(f.fix, /then run `npx migrakit rebase`/);
  rmSync(repo.path(merge));
  // rebase now sees the two heads it exists for (before: "one head … nothing to rebase"); it goes on to the
  // database, which this test does not give it.
  const rebase = runCli(["rebase", "--json"], {
    cwd: repo.dir,
    env: { MIGRAKIT_DATABASE_URL: "postgresql://u:p@127.0.0.1:1/postgres", MIGRAKIT_PYTHON: "/nonexistent/python" },
  });
  assert.doesNotMatch(rebase.stdout, /"action": "nothing"/);
  assert.notEqual(JSON.parse(rebase.stdout).errors[0].code, "EMIGRAKIT_USAGE");
});
