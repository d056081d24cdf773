// `check --against URL`: a throw-away copy of a real instance is upgraded and compared with the ORM; the
// original is only read and no scratch database survives, whether the copy passes, fails or cannot be made.
import { after, before, test } from "node:test";
import { missingPrerequisite } from "../helpers/prerequisite.js";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { withClient } from "../../src/db/connect.js";
import { ownDatabases, startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { testPythons } from "../helpers/python.js";
import { fixtureRepo, type FixtureRepo } from "../check/dynamic-helpers.js";
import { cli, cliAsync, cliEnv, makeInstance, V0_2_0, type Instance } from "./instances.js";
import { startSystemPostgres, systemServerBin } from "./system-postgres.js";

let pg: TestPostgres;
let repo: FixtureRepo;
const python = testPythons()[0]!.python;
const made: Instance[] = [];
const env = () => cliEnv(python, pg.adminUrl);

async function instance(repoDir = repo.dir): Promise<Instance> {
  const i = await makeInstance(pg.adminUrl, { repoDir, python, revision: V0_2_0 });
  made.push(i);
  return i;
}

/** The major version of the pg_dump on PATH (null when there is none). */
function pgDumpMajor(): number | null {
  try {
    const m = /\)\s*(\d+)/.exec(execFileSync("pg_dump", ["--version"], { encoding: "utf8" }));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

before(async () => {
  pg = await startTestPostgres();
  repo = fixtureRepo("seed-style");
  repo.git("tag", "v0.4.0"); // its release: "released scripts never change" has a tag to compare with
});

after(async () => {
  for (const i of made) await i.drop().catch(() => {});
  const left = await ownDatabases(pg.adminUrl);
  await pg.stop();
  repo.cleanup();
  assert.deepEqual(left, []);
});

test("an instance with rows: the copy is upgraded and matches the ORM; the original is unchanged; no copy is left", async () => {
  const inst = await instance();
  const before = await inst.snapshot();
  const r = cli(["check", "--against", inst.url, "--json"], repo.dir, env());
  assert.equal(r.status, 0, r.all);
  const doc = JSON.parse(r.stdout) as {
    ok: boolean;
    findings: { code: string; severity: string }[];
    against: { copy: string; from: string; scripts: number; versions: string };
  };
  assert.equal(doc.ok, true);
  // Only the safety lint's warnings on the pending scripts (renames, a plain CREATE INDEX: docs/lint.md).
  assert.deepEqual(
    doc.findings.filter((f) => !f.code.startsWith("EMIGRAKIT_LINT_") || f.severity !== "warning"),
    [],
  );
  assert.equal(doc.against.copy, "template");
  assert.equal(doc.against.from, V0_2_0);
  assert.equal(doc.against.scripts, 9);
  assert.equal(doc.against.versions, "v0.2.0 → v0.4.0");
  assert.deepEqual(await inst.snapshot(), before);
  assert.deepEqual(await ownDatabases(pg.adminUrl), []);
});

test("a script the instance's rows break: a finding naming the script; the original is unchanged; no copy is left", async () => {
  const strict = fixtureRepo("seed-style");
  strict.git("tag", "v0.4.0");
  try {
    // Passes on an empty database, fails on the instance: both runs use transform t1.
    strict.edit(
      "lnschema_seed/migrations/versions/2023-02-21-a7c3e9f1b2d4-vx_x_x.py",
      "def upgrade() -> None:\n",
      'def upgrade() -> None:\n    op.create_unique_constraint("uq_run_transform_id", "run", ["transform_id"], schema="core")\n',
    );
    const inst = await instance(strict.dir);
    const before = await inst.snapshot();
    const r = cli(["check", "--against", inst.url], strict.dir, env());
    assert.equal(r.status, 1, r.all);
    assert.match(r.stderr, /EMIGRAKIT_AGAINST_UPGRADE/);
    assert.match(r.stderr, /2023-02-21-a7c3e9f1b2d4-vx_x_x\.py:\d+/);
    assert.match(r.stderr, /could not create unique index|duplicate key/i);
    assert.deepEqual(await inst.snapshot(), before);
    assert.deepEqual(await ownDatabases(pg.adminUrl), []);
  } finally {
    strict.cleanup();
  }
});

test("VARCHAR narrowed to VARCHAR(n) in the ORM (issue 16 item 15): the copy no longer matches, so the check fails", async () => {
  const narrow = fixtureRepo("seed-style");
  try {
    // The instance's emails are 13 characters long; alembic alone sees no difference here.
    narrow.edit(
      "lnschema_seed/_core.py",
      "email: str = Field(index=True, unique=True)",
      "email: str = Field(index=True, unique=True, max_length=5)",
    );
    const inst = await instance(narrow.dir);
    const before = await inst.snapshot();
    const r = cli(["check", "--against", inst.url, "--json"], narrow.dir, env());
    assert.equal(r.status, 1, r.all);
    const doc = JSON.parse(r.stdout) as { ok: boolean; findings: { code: string; message: string; detail?: string }[] };
    assert.equal(doc.ok, false);
    assert.match(JSON.stringify(doc.findings), /email/);
    assert.match(JSON.stringify(doc.findings), /length=5/);
    assert.deepEqual(await inst.snapshot(), before);
    assert.deepEqual(await ownDatabases(pg.adminUrl), []);
  } finally {
    narrow.cleanup();
  }
});

test("a busy instance (a session on it) or a row limit: pg_dump | pg_restore, or a clear exit 3 when pg_dump is too old", async (t) => {
  const inst = await instance();
  const before = await inst.snapshot();
  const serverMajor = Number(pg.serverVersion.split(".")[0]);
  const dumpMajor = pgDumpMajor();
  t.diagnostic(
    `server ${serverMajor}, pg_dump ${dumpMajor ?? "missing"}: ${dumpMajor !== null && dumpMajor >= serverMajor ? "the dump path runs" : "the dump path must refuse"}`,
  );
  const runs = await withClient(inst.url, async () => [
    // A session on the instance: CREATE DATABASE … TEMPLATE is refused, so the copy is dumped.
    await cliAsync(["check", "--against", inst.url, "--json"], repo.dir, env()),
    await cliAsync(["check", "--against", inst.url, "--row-limit", "1", "--json"], repo.dir, env()),
  ]);
  for (const r of runs) {
    if (dumpMajor !== null && dumpMajor >= serverMajor) {
      assert.equal(r.status, 0, r.all);
      assert.equal((JSON.parse(r.stdout) as { against: { copy: string } }).against.copy, "dump");
    } else {
      assert.equal(r.status, 3, r.all);
      const doc = JSON.parse(r.stdout) as { errors: { code: string; message: string }[] };
      assert.equal(doc.errors[0]!.code, "EMIGRAKIT_CLONE_FAILED");
      assert.match(
        doc.errors[0]!.message,
        dumpMajor === null
          ? /pg_dump was not found/
          : new RegExp(`pg_dump ${dumpMajor} cannot dump a Postgres ${serverMajor} server`),
      );
    }
    assert.ok(!r.all.includes(new URL(pg.adminUrl).password), "the password must not be printed");
  }
  assert.deepEqual(await inst.snapshot(), before);
  assert.deepEqual(await ownDatabases(pg.adminUrl), []);
});

test("the dump path for real: an instance on an older Postgres, copied whole when busy and with --row-limit", async (t) => {
  const found = systemServerBin();
  if (typeof found === "string") return missingPrerequisite(t, `no server matching pg_dump: ${found}`);
  const sys = await startSystemPostgres(found.bin, found.major);
  try {
    const inst = await makeInstance(sys.adminUrl, { repoDir: repo.dir, python, revision: V0_2_0 });
    try {
      // More rows than the limit, and rows whose foreign keys a sample of one row per table would break.
      await inst.query(`INSERT INTO core.run (id, name, transform_id, transform_version, run_at)
                          SELECT 'x' || g, 'bulk', 't1', '1', NULL FROM generate_series(1, 50) g`);
      // The only transform now points at the second user: a one-row sample of core.user breaks that key.
      await inst.query("UPDATE core.transform SET created_by = 'u2'");
      const before = await inst.snapshot();
      const busy = await withClient(inst.url, () =>
        cliAsync(["check", "--against", inst.url, "--json"], repo.dir, env()),
      );
      assert.equal(busy.status, 0, busy.all);
      assert.equal((JSON.parse(busy.stdout) as { against: { copy: string } }).against.copy, "dump");
      const limited = cli(["check", "--against", inst.url, "--row-limit", "1", "--json"], repo.dir, env());
      assert.equal(limited.status, 0, limited.all);
      const doc = JSON.parse(limited.stdout) as { ok: boolean; against: { copy: string; scripts: number } };
      assert.equal(doc.against.copy, "dump");
      assert.equal(doc.against.scripts, 9);
      for (const r of [busy, limited]) assert.ok(!r.all.includes(new URL(sys.adminUrl).password));
      assert.deepEqual(await inst.snapshot(), before);
      // Nothing was created on the instance's server, nor left on the scratch server.
      assert.deepEqual(await ownDatabases(sys.adminUrl), []);
      assert.deepEqual(await ownDatabases(pg.adminUrl), []);
    } finally {
      await inst.drop();
    }
  } finally {
    sys.stop();
  }
});
