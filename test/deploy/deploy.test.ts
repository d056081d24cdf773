// `status` and `deploy` against real instances: databases on an embedded Postgres brought to release 0.2.0
// of the seed-style fixture with rows in them, and the real bin with the real bridge and alembic.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { withClient } from "../../src/db/connect.js";
import { withDatabase } from "../../src/db/url.js";
import { ownDatabases, startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { testPythons } from "../helpers/python.js";
import { fixtureRepo, type FixtureRepo } from "../check/dynamic-helpers.js";
import { cli, cliAsync, cliEnv, HEAD, makeInstance, PENDING, V0_2_0, type Instance } from "./instances.js";
import { catalogue } from "../../src/errors/index.js";

let pg: TestPostgres;
let repo: FixtureRepo;
const python = testPythons()[0]!.python;
const made: Instance[] = [];
const env = () => cliEnv(python, pg.adminUrl);

async function instance(o: { revision?: string; rows?: boolean; repoDir?: string } = {}): Promise<Instance> {
  const i = await makeInstance(pg.adminUrl, {
    repoDir: o.repoDir ?? repo.dir,
    python,
    revision: o.revision ?? V0_2_0,
    rows: o.rows,
  });
  made.push(i);
  return i;
}

interface HistoryRow {
  version: string;
  from_revision: string;
  revision: string;
  scripts: string;
  deployed_by: string;
  migrakit_version: string;
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
  assert.deepEqual(left, [], "no scratch database may be left behind");
});

describe("status and deploy on an instance at 0.2.0 with rows", () => {
  test("status lists exactly the pending scripts; deploy confirms, applies, keeps the rows through the rename, records history", async () => {
    const inst = await instance();
    const rowsBefore = await inst.query<{ id: string; run_at: Date | null }>(
      "SELECT id, run_at FROM core.run ORDER BY id",
    );

    const status = cli(["status", "--db", inst.url, "--json"], repo.dir, env());
    assert.equal(status.status, 1, status.all);
    const doc = JSON.parse(status.stdout) as {
      state: string;
      instance: { revision: string; version: string };
      package: { version: string; head: string };
      pending: { revision: string; version: string | null; file: string }[];
    };
    assert.equal(doc.state, "behind");
    assert.equal(doc.instance.revision, V0_2_0);
    assert.equal(doc.instance.version, "0.2.0");
    assert.deepEqual(doc.package, { name: "lnschema_seed", version: "0.4.0", head: HEAD });
    assert.deepEqual(
      doc.pending.map((p) => p.revision),
      PENDING,
    );
    assert.deepEqual(
      doc.pending.map((p) => p.version),
      ["0.3.0", "0.3.0", "0.3.0", "0.4.0", "0.4.0", "0.4.0", "0.4.0", null, null],
    );
    assert.equal(doc.pending[2]!.file, "2023-02-03-8192a3b4c5d6-v0_3_0.py");

    const text = cli(["status", "--db", inst.url], repo.dir, env());
    assert.equal(text.status, 1);
    assert.match(text.stdout, /9 script\(s\) to deploy \(v0\.2\.0 → v0\.4\.0\)/);

    // No terminal and no --yes: refused before anything is touched.
    const before = await inst.snapshot();
    const refused = cli(["deploy", "--db", inst.url, "--allow-unreleased"], repo.dir, env());
    assert.equal(refused.status, 2, refused.all);
    assert.match(refused.stderr, /EMIGRAKIT_DEPLOY_CONFIRM/);
    // --sql prints alembic's offline SQL from the instance's revision and changes nothing.
    const sql = cli(["deploy", "--db", inst.url, "--sql"], repo.dir, env());
    assert.equal(sql.status, 0, sql.all);
    assert.match(sql.stdout, /-- Running upgrade 5e6f708192a3 -> 6f708192a3b4/);
    assert.match(sql.stdout, /ALTER TABLE core\.run RENAME run_at TO started_at/);
    assert.doesNotMatch(sql.stdout, /Running upgrade [0-9a-f]+ -> 5e6f708192a3/);
    assert.deepEqual(await inst.snapshot(), before);

    const deployed = cli(["deploy", "--db", inst.url, "--yes", "--allow-unreleased"], repo.dir, env());
    assert.equal(deployed.status, 0, deployed.all);
    assert.match(
      deployed.stdout,
      /deployed 9 script\(s\) to postgres@127\.0\.0\.1:\d+\/inst_\w+ \(v0\.2\.0 → v0\.4\.0\)/,
    );

    const rowsAfter = await inst.query<{ id: string; started_at: Date | null }>(
      "SELECT id, started_at FROM core.run ORDER BY id",
    );
    assert.deepEqual(
      rowsAfter.map((r) => [r.id, r.started_at?.toISOString() ?? null]),
      rowsBefore.map((r) => [r.id, r.run_at?.toISOString() ?? null]),
    );
    assert.equal(rowsAfter[0]!.started_at?.toISOString(), "2023-01-02T03:04:05.000Z");
    assert.deepEqual(await inst.query('SELECT id, email, handle, name FROM core."user" ORDER BY id'), [
      { id: "u1", email: "a@example.com", handle: "a", name: "Ann" },
      { id: "u2", email: "b@example.com", handle: "b", name: null },
    ]);
    assert.deepEqual(await inst.query("SELECT version_num FROM public.migration_seed"), [{ version_num: HEAD }]);

    const history = await inst.query<HistoryRow>("SELECT * FROM public.migrakit_deploy_history");
    assert.equal(history.length, 1);
    assert.equal(history[0]!.version, "0.4.0");
    assert.equal(history[0]!.from_revision, V0_2_0);
    assert.equal(history[0]!.revision, HEAD);
    assert.equal(history[0]!.scripts, PENDING.join(" "));
    assert.equal(history[0]!.deployed_by, "tester@ci");
    assert.match(history[0]!.migrakit_version, /^\d+\.\d+\.\d+/);

    const now = cli(["status", "--db", inst.url], repo.dir, env());
    assert.equal(now.status, 0, now.all);
    assert.match(now.stdout, /up to date: nothing to deploy/);
    assert.match(now.stdout, /last deploy .* by tester@ci: 0\.4\.0 \(a7c3e9f1b2d4\)/);
    const again = cli(["deploy", "--db", inst.url, "--yes", "--allow-unreleased"], repo.dir, env());
    assert.equal(again.status, 0, again.all);
    assert.match(again.stderr, /is up to date/);
    assert.equal((await inst.query("SELECT 1 FROM public.migrakit_deploy_history")).length, 1);
  });

  test("a script failing in the middle: exit 1 naming it, and the instance is exactly as before", async () => {
    const broken = fixtureRepo("seed-style");
    try {
      const script = "lnschema_seed/migrations/versions/2023-02-10-92a3b4c5d6e7-v0_4_0.py";
      broken.edit(
        script,
        '    op.create_index(op.f("ix_core_tag_name")',
        '    op.execute("SELECT 1/0")\n    op.create_index(op.f("ix_core_tag_name")',
      );
      const inst = await instance({ repoDir: broken.dir });
      const before = await inst.snapshot();
      const r = cli(["deploy", "--db", inst.url, "--yes", "--allow-unreleased"], broken.dir, env());
      assert.equal(r.status, 1, r.all);
      assert.match(r.stderr, /EMIGRAKIT_DEPLOY_FAILED/);
      assert.match(r.stderr, /2023-02-10-92a3b4c5d6e7-v0_4_0\.py:\d+/);
      assert.match(r.stderr, /division by zero/);
      assert.match(r.stderr, /still at 5e6f708192a3/);
      assert.doesNotMatch(r.all, /Traceback|at .*\.js:\d+/);
      // Schema (the version table and the renamed column included) and every row count: unchanged.
      assert.deepEqual(await inst.snapshot(), before);
      assert.deepEqual(await inst.query("SELECT to_regclass('public.migrakit_deploy_history') AS t"), [{ t: null }]);
    } finally {
      broken.cleanup();
    }
  });

  test("10 concurrent deploys: one applies, the others wait and find nothing to do; one history entry", async (t) => {
    const inst = await instance();
    const started = Date.now();
    const runs = await Promise.all(
      Array.from({ length: 10 }, () =>
        cliAsync(["deploy", "--db", inst.url, "--yes", "--allow-unreleased", "--lock-wait", "180s"], repo.dir, env()),
      ),
    );
    const applied = runs.filter((r) => r.status === 0 && /deployed 9 script/.test(r.stdout));
    const waited = runs.filter(
      (r) => r.status === 0 && /by another deploy while this one waited|is up to date/.test(r.all),
    );
    const locked = runs.filter((r) => r.status === 4 && /EMIGRAKIT_DEPLOY_LOCKED/.test(r.stderr));
    assert.equal(applied.length, 1, runs.map((r) => `${r.status}: ${r.all}`).join("\n---\n"));
    t.diagnostic(
      `10 deploys in ${Date.now() - started} ms: ${applied.length} applied, ${waited.length} waited and found nothing to do, ${locked.length} reported the lock`,
    );
    assert.equal(
      applied.length + waited.length + locked.length,
      10,
      runs.map((r) => `${r.status}: ${r.all}`).join("\n---\n"),
    );
    assert.deepEqual(await inst.query("SELECT version_num FROM public.migration_seed"), [{ version_num: HEAD }]);
    assert.deepEqual(await inst.query("SELECT revision FROM public.migrakit_deploy_history"), [{ revision: HEAD }]);
    assert.equal((await inst.query("SELECT 1 FROM core.run")).length, 2);
  });

  test("a deploy that cannot get the lock in time says who holds it (exit 4) and changes nothing", async () => {
    const inst = await instance();
    const before = await inst.snapshot();
    await withClient(inst.url, async (holder) => {
      await holder.query("SELECT pg_advisory_lock(hashtext('migrakit deploy')::bigint)");
      const r = await cliAsync(
        ["deploy", "--db", inst.url, "--yes", "--allow-unreleased", "--lock-wait", "1s"],
        repo.dir,
        env(),
      );
      assert.equal(r.status, 4, r.all);
      assert.match(r.stderr, /EMIGRAKIT_DEPLOY_LOCKED/);
      assert.match(r.stderr, /waited 1s; held by pid \d+ \(postgres/);
    });
    assert.deepEqual(await inst.snapshot(), before);
  });

  test("lock_timeout and statement_timeout bound the deploy's statements; all is rolled back", async () => {
    const inst = await instance();
    const before = await inst.snapshot();
    // A long transaction holding core.run: the rename must wait for it, and gives up at lock_timeout.
    await withClient(inst.url, async (other) => {
      await other.query("BEGIN");
      await other.query("LOCK TABLE core.run IN ACCESS SHARE MODE");
      const r = await cliAsync(
        ["deploy", "--db", inst.url, "--yes", "--allow-unreleased", "--lock-timeout", "500ms", "--retries", "0"],
        repo.dir,
        env(),
      );
      await other.query("ROLLBACK");
      assert.equal(r.status, 3, r.all);
      assert.match(r.stderr, /EMIGRAKIT_DEPLOY_TIMEOUT/);
      assert.match(r.stderr, /lock_timeout \(500ms\)/);
    });
    assert.deepEqual(await inst.snapshot(), before);

    const slow = fixtureRepo("seed-style");
    try {
      slow.edit(
        "lnschema_seed/migrations/versions/2023-02-13-c5d6e7f8091a-v0_4_0.py",
        "def upgrade() -> None:\n",
        'def upgrade() -> None:\n    op.execute("SELECT pg_sleep(5)")\n',
      );
      const r = cli(
        ["deploy", "--db", inst.url, "--yes", "--allow-unreleased", "--statement-timeout", "300ms"],
        slow.dir,
        env(),
      );
      assert.equal(r.status, 3, r.all);
      assert.match(r.stderr, /statement_timeout \(300ms\) in 2023-02-13-c5d6e7f8091a-v0_4_0\.py/);
      assert.deepEqual(await inst.snapshot(), before);
    } finally {
      slow.cleanup();
    }
  });
});

describe("refusals and environment errors", () => {
  test("an instance ahead of the package by an unreleased script: refused, pointing at the unreleased work (no release has it)", async () => {
    const inst = await instance();
    assert.equal(cli(["deploy", "--db", inst.url, "--yes", "--allow-unreleased"], repo.dir, env()).status, 0);
    // The installed package is the 0.3.0 release: it knows none of 0.4.0's scripts.
    const old = fixtureRepo("seed-style");
    try {
      for (const f of [
        "2023-02-10-92a3b4c5d6e7-v0_4_0.py",
        "2023-02-11-a3b4c5d6e7f8-v0_4_0.py",
        "2023-02-12-b4c5d6e7f809-v0_4_0.py",
        "2023-02-13-c5d6e7f8091a-v0_4_0.py",
        "2023-02-20-d6e7f8091a2b-vx_x_x.py",
        "2023-02-21-a7c3e9f1b2d4-vx_x_x.py",
      ]) {
        old.git("rm", "-q", `lnschema_seed/migrations/versions/${f}`);
      }
      old.edit("lnschema_seed/__init__.py", '_migration = "a7c3e9f1b2d4"', '_migration = "8192a3b4c5d6"');
      old.edit("lnschema_seed/__init__.py", '__version__ = "0.4.0"', '__version__ = "0.3.0"');
      const before = await inst.snapshot();
      const r = cli(["deploy", "--db", inst.url, "--yes", "--allow-unreleased"], old.dir, env());
      // One code, one exit: read from the catalogue, for deploy and status alike.
      assert.equal(r.status, catalogue.EMIGRAKIT_INSTANCE_AHEAD!.exit, r.all);
      assert.match(r.stderr, /EMIGRAKIT_INSTANCE_AHEAD/);
      // Its revision came from an unreleased (vx_x_x) script: no release has it, 0.4.0 included (issue 16.6).
      assert.match(
        r.stderr,
        /revision a7c3e9f1b2d4, which lnschema_seed 0\.3\.0 does not know: the instance runs an unreleased \(vx_x_x\) script of lnschema_seed/,
      );
      assert.doesNotMatch(r.stderr, /pip install "lnschema_seed==/);
      assert.match(r.stderr, /git log --all --oneline -S a7c3e9f1b2d4/);
      const status = cli(["status", "--db", inst.url, "--json"], old.dir, env());
      assert.equal(status.status, catalogue.EMIGRAKIT_INSTANCE_AHEAD!.exit, status.all);
      assert.equal((JSON.parse(status.stdout) as { state: string }).state, "ahead");
      assert.deepEqual(await inst.snapshot(), before);
    } finally {
      old.cleanup();
    }
  });

  test("an instance ahead without deploy history: refused, asking for a newer release", async () => {
    const inst = await instance({ revision: "head", rows: false });
    const old = fixtureRepo("seed-style");
    try {
      old.git("rm", "-q", "lnschema_seed/migrations/versions/2023-02-21-a7c3e9f1b2d4-vx_x_x.py");
      old.edit("lnschema_seed/__init__.py", '_migration = "a7c3e9f1b2d4"', '_migration = "d6e7f8091a2b"');
      const r = cli(["deploy", "--db", inst.url, "--yes", "--allow-unreleased"], old.dir, env());
      assert.equal(r.status, 3, r.all);
      assert.match(r.stderr, /the instance runs a version of lnschema_seed newer than 0\.4\.0/);
      assert.match(r.stderr, /pip install -U lnschema_seed/);
    } finally {
      old.cleanup();
    }
  });

  test("a wrong password: exit 3 for status, deploy and check --against, and the password is printed nowhere", async () => {
    const inst = await instance({ rows: false });
    const secret = "Wr0ng-S3cret-pw";
    const u = new URL(inst.url);
    u.password = secret;
    const bad = u.toString();
    for (const args of [
      ["status", "--db", bad],
      ["status", "--db", bad, "--json"],
      ["deploy", "--db", bad, "--yes"],
      ["deploy", "--db", bad, "--sql"],
      ["check", "--against", bad],
    ]) {
      const r = cli(args, repo.dir, env());
      assert.equal(r.status, 3, `${args.join(" ")}: ${r.all}`);
      assert.match(r.all, /EMIGRAKIT_DB_AUTH/);
      assert.ok(!r.all.includes(secret), `${args.join(" ")} printed the password:\n${r.all}`);
      assert.doesNotMatch(r.all, /Traceback|at .*\.js:\d+/);
    }
  });

  test("no version table: its own code and fix; a role without privileges: its own code", async () => {
    const name = `inst_empty_${Date.now()}`;
    await withClient(pg.adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
    const url = withDatabase(pg.adminUrl, name);
    try {
      // Not empty (an empty database is deployed to head, see operator.test.ts): refused as before.
      await withClient(url, (c) => c.query("CREATE TABLE stuff (id int)"));
      const r = cli(["status", "--db", url], repo.dir, env());
      assert.equal(r.status, 3, r.all);
      assert.match(r.stderr, /EMIGRAKIT_VERSION_TABLE_MISSING/);
      assert.match(r.stderr, /has tables but no version table migration_seed/);
      const d = cli(["deploy", "--db", url, "--yes", "--allow-unreleased"], repo.dir, env());
      assert.equal(d.status, 3, d.all);
      assert.match(d.stderr, /EMIGRAKIT_VERSION_TABLE_MISSING/);
      assert.match(r.stderr, /alembic stamp/);
    } finally {
      await withClient(pg.adminUrl, (c) => c.query(`DROP DATABASE "${name}"`));
    }
    const inst = await instance({ rows: false });
    await inst.query("CREATE ROLE outsider LOGIN PASSWORD 'outsider-pw'");
    try {
      const u = new URL(inst.url);
      u.username = "outsider";
      u.password = "outsider-pw";
      const r = cli(["status", "--db", u.toString()], repo.dir, env());
      assert.equal(r.status, 3, r.all);
      assert.match(r.stderr, /EMIGRAKIT_INSTANCE_PRIVILEGE/);
      assert.match(r.stderr, /The role outsider .* may not read the version table public\.migration_seed/);
      assert.ok(!r.all.includes("outsider-pw"));
    } finally {
      await inst.drop();
      await withClient(pg.adminUrl, (c) => c.query("DROP ROLE outsider"));
    }
  });
});
