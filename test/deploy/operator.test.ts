// Deploying as an operator of many instances would: checksums of applied scripts, scripts that need to run
// without a transaction (CREATE INDEX CONCURRENTLY), lock timeouts retried, an empty instance, a version
// table that is not one, a deploy stopped by a real signal, a script that COMMITs then fails, drops named.
// Real Postgres (one embedded server for this file), the real bin, the real bridge and alembic.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { withClient } from "../../src/db/connect.js";
import { withDatabase } from "../../src/db/url.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { testPythons } from "../helpers/python.js";
import { MIGRAKIT_BIN } from "../helpers/cli.js";
import { ownFolders } from "../helpers/isolation.js";
import { fixtureRepo, type FixtureRepo } from "../check/dynamic-helpers.js";
import { cli, cliAsync, cliEnv, HEAD, makeInstance, V0_2_0, type Instance, type Run } from "./instances.js";

let pg: TestPostgres;
let repo: FixtureRepo;
const python = testPythons()[0]!.python;
const made: Instance[] = [];
const repos: FixtureRepo[] = [];
const env = (extra: NodeJS.ProcessEnv = {}) => cliEnv(python, pg.adminUrl, extra);
const DEPLOY = ["deploy", "--yes", "--allow-unreleased"];

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

/** The seed-style repo with one more unreleased script after head. */
function repoWith(upgrade: string, o: { noTransaction?: boolean } = {}): FixtureRepo {
  const r = fixtureRepo("seed-style");
  repos.push(r);
  r.write(
    "lnschema_seed/migrations/versions/2023-02-22-b8d4f0a2c3e5-vx_x_x.py",
    [
      '"""vX.X.X."""',
      "from alembic import op",
      "",
      'revision = "b8d4f0a2c3e5"',
      'down_revision = "a7c3e9f1b2d4"',
      ...(o.noTransaction ? ["migrakit_transaction = False"] : []),
      "",
      "",
      "def upgrade() -> None:",
      ...upgrade.split("\n").map((l) => `    ${l}`),
      "",
      "",
      "def downgrade() -> None:",
      "    pass",
      "",
    ].join("\n"),
  );
  r.edit("lnschema_seed/__init__.py", '_migration = "a7c3e9f1b2d4"', '_migration = "b8d4f0a2c3e5"');
  r.commit("one more script");
  return r;
}

const versionOf = async (i: Instance) =>
  (await i.query<{ version_num: string }>("SELECT version_num FROM public.migration_seed")).map((r) => r.version_num);
const invalidIndexes = (i: Instance) =>
  i.query("SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid WHERE NOT x.indisvalid");
const noTraceback = (r: Run) => assert.doesNotMatch(r.all, /Traceback|at .*\.js:\d+/);

/** The real bin as a child whose pid the test can signal. */
function startDeploy(args: string[], dir: string, e: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [MIGRAKIT_BIN, ...args], {
    cwd: dir,
    env: ownFolders({ ...process.env, GITHUB_ACTIONS: "", ...e }, e),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Run & { signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr, all: stdout + stderr })),
  );
  return { child, done };
}

/** Wait until a statement matching `like` runs on the instance (the deploy got there). */
async function waitForQuery(i: Instance, like: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const rows = await withClient(pg.adminUrl, (c) =>
      c.query("SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query ILIKE $2 AND state = 'active'", [
        i.name,
        like,
      ]),
    );
    if (rows.rowCount) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no statement like ${like} ran on ${i.name}`);
}

/** Wait until the deploy's connection waits for a table lock. */
async function waitForLockWait(i: Instance, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const rows = await withClient(pg.adminUrl, (c) =>
      c.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'migrakit deploy' AND wait_event_type = 'Lock'",
        [i.name],
      ),
    );
    if (rows.rowCount) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the deploy never waited for a lock on ${i.name}`);
}

before(async () => {
  pg = await startTestPostgres();
  repo = fixtureRepo("seed-style");
  repos.push(repo);
});

after(async () => {
  for (const i of made) await i.drop().catch(() => {});
  await pg.stop();
  for (const r of repos) r.cleanup();
});

describe("checksums of applied scripts", () => {
  test("apply, edit the released script: status reports it, deploy refuses, --accept-changed records; CRLF is no edit", async () => {
    const r = fixtureRepo("seed-style");
    repos.push(r);
    const inst = await instance({ repoDir: r.dir });
    assert.equal(cli([...DEPLOY, "--db", inst.url], r.dir, env()).status, 0);
    const script = "lnschema_seed/migrations/versions/2023-02-03-8192a3b4c5d6-v0_3_0.py";
    r.write(script, r.read(script).replace(/\n/g, "\r\n"));
    assert.equal(cli(["status", "--db", inst.url], r.dir, env()).status, 0, "line endings alone are no change");
    r.write(script, r.read(script).replace(/\r\n/g, "\n") + "# edited after the release\n");

    const status = cli(["status", "--db", inst.url], r.dir, env());
    assert.equal(status.status, 1, status.all);
    assert.match(status.stdout, /CHANGED since deployed: 2023-02-03-8192a3b4c5d6-v0_3_0\.py \(8192a3b4c5d6\)/);
    assert.match(status.stderr, /EMIGRAKIT_APPLIED_SCRIPT_CHANGED/);
    const json = JSON.parse(cli(["status", "--db", inst.url, "--json"], r.dir, env()).stdout) as {
      ok: boolean;
      changed: { revision: string }[];
    };
    assert.equal(json.ok, false);
    assert.deepEqual(
      json.changed.map((c) => c.revision),
      ["8192a3b4c5d6"],
    );

    const refused = cli([...DEPLOY, "--db", inst.url], r.dir, env());
    assert.equal(refused.status, 1, refused.all);
    assert.match(refused.stderr, /EMIGRAKIT_APPLIED_SCRIPT_CHANGED: 1 script\(s\) applied to .* have changed/);
    assert.match(refused.stderr, /--accept-changed 8192a3b4c5d6/);
    noTraceback(refused);

    const accepted = cli([...DEPLOY, "--db", inst.url, "--accept-changed", "8192a3b4c5d6"], r.dir, env());
    assert.equal(accepted.status, 0, accepted.all);
    const rows = await inst.query<{ mode: string; accepted_changed: string | null }>(
      "SELECT mode, accepted_changed FROM public.migrakit_deploy_history ORDER BY id",
    );
    assert.deepEqual(rows.at(-1), { mode: "record", accepted_changed: "8192a3b4c5d6" });
    assert.equal(cli(["status", "--db", inst.url], r.dir, env()).status, 0);
  });

  test("an instance deployed before checksums: told once, recorded by the next deploy", async () => {
    const inst = await instance();
    assert.equal(cli([...DEPLOY, "--db", inst.url], repo.dir, env()).status, 0);
    // The history table as an older migrakit wrote it: without the columns added since.
    await inst.query(
      "ALTER TABLE public.migrakit_deploy_history DROP COLUMN checksums, DROP COLUMN accepted_changed, DROP COLUMN unreleased, DROP COLUMN mode",
    );
    const told = cli(["status", "--db", inst.url], repo.dir, env());
    assert.equal(told.status, 0, told.all);
    assert.match(told.stdout, /no content hashes recorded for the applied scripts yet .* the next deploy records them/);
    const d = cli([...DEPLOY, "--db", inst.url], repo.dir, env());
    assert.equal(d.status, 0, d.all);
    assert.match(d.stdout, /content hashes of its scripts are recorded/);
    const after = cli(["status", "--db", inst.url], repo.dir, env());
    assert.equal(after.status, 0, after.all);
    assert.doesNotMatch(after.stdout, /no content hashes/);
    const last = (
      await inst.query<{ checksums: string }>(
        "SELECT checksums FROM public.migrakit_deploy_history ORDER BY id DESC LIMIT 1",
      )
    )[0]!;
    assert.equal(Object.keys(JSON.parse(last.checksums) as object).length, 15);
  });
});

describe("an empty instance, and a version table that is not one", () => {
  test("an empty database: status lists every script; deploy creates the version table and applies them all", async () => {
    const name = `inst_empty_${Date.now()}`;
    await withClient(pg.adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
    const url = withDatabase(pg.adminUrl, name);
    made.push({
      name,
      url,
      query: (sql) => withClient(url, async (c) => (await c.query(sql)).rows),
      snapshot: async () => ({ schema: "", rows: {} }),
      drop: () => withClient(pg.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}"`)).then(() => undefined),
    } as Instance);
    const status = cli(["status", "--db", url, "--json"], repo.dir, env());
    assert.equal(status.status, 1, status.all);
    const doc = JSON.parse(status.stdout) as { instance: { empty: boolean }; pending: unknown[] };
    assert.equal(doc.instance.empty, true);
    assert.equal(doc.pending.length, 15);
    const unreleased = cli(["deploy", "--yes", "--db", url], repo.dir, env());
    assert.equal(unreleased.status, 2, unreleased.all);
    assert.match(
      unreleased.stderr,
      /EMIGRAKIT_UNRELEASED_REFUSED: .* 2 unreleased \(vx_x_x\) script\(s\): 2023-02-20-d6e7f8091a2b-vx_x_x\.py, 2023-02-21-a7c3e9f1b2d4-vx_x_x\.py/,
    );
    assert.match(unreleased.stderr, /--allow-unreleased/);
    const d = cli([...DEPLOY, "--db", url], repo.dir, env());
    assert.equal(d.status, 0, d.all);
    assert.match(d.stdout, /deployed 15 script\(s\) to .* \(empty → v0\.4\.0\)/);
    assert.match(d.stderr, /^!! UNRELEASED: 2 vx_x_x script\(s\) may still change/m);
    const hist = await withClient(
      url,
      async (c) => (await c.query("SELECT unreleased FROM public.migrakit_deploy_history")).rows,
    );
    assert.deepEqual(hist, [{ unreleased: "d6e7f8091a2b a7c3e9f1b2d4" }]);
    assert.match(d.stderr, /^migrakit: the database is empty: the version table is created and every script applied$/m);
    assert.deepEqual(
      await withClient(url, async (c) => (await c.query("SELECT version_num FROM public.migration_seed")).rows),
      [{ version_num: HEAD }],
    );
  });

  test("a table with the version table's name but other columns: a clean coded error, in JSON too", async () => {
    const inst = await instance({ rows: false });
    await inst.query("DROP TABLE public.migration_seed; CREATE TABLE public.migration_seed (id int, note text)");
    for (const args of [
      ["status", "--db", inst.url],
      ["deploy", "--db", inst.url, "--yes"],
    ]) {
      const r = cli(args, repo.dir, env());
      assert.equal(r.status, 3, r.all);
      assert.match(
        r.stderr,
        /EMIGRAKIT_VERSION_TABLE_INVALID: The table public\.migration_seed .* not its column version_num \(it has: id, note\)/,
      );
      noTraceback(r);
      const j = cli([...args, "--json"], repo.dir, env());
      assert.equal(j.status, 3, j.all);
      assert.equal(
        (JSON.parse(j.stdout) as { errors: { code: string }[] }).errors[0]!.code,
        "EMIGRAKIT_VERSION_TABLE_INVALID",
      );
    }
  });
});

describe("scripts that run without a transaction", () => {
  test("CREATE INDEX CONCURRENTLY under concurrent writes: deployed, valid, recorded; check runs it the same way", async () => {
    const r = repoWith(
      'op.execute("DROP INDEX CONCURRENTLY IF EXISTS core.ix_core_transform_type")\nop.execute("CREATE INDEX CONCURRENTLY ix_core_transform_type ON core.transform (type)")',
      { noTransaction: true },
    );
    const inst = await instance({ repoDir: r.dir });
    let writing = true;
    let written = 0;
    const writer = withClient(inst.url, async (c) => {
      while (writing) {
        await c.query('INSERT INTO core."user" (id, email, handle) VALUES ($1, $2, $1)', [
          `w${written}`,
          `w${written}@x`,
        ]);
        written++;
      }
    });
    const d = await cliAsync([...DEPLOY, "--db", inst.url], r.dir, env());
    writing = false;
    await writer;
    assert.equal(d.status, 0, d.all);
    assert.match(
      d.stderr,
      /runs without a transaction \(migrakit_transaction = False\): 2023-02-22-b8d4f0a2c3e5-vx_x_x\.py/,
    );
    assert.ok(written > 0);
    assert.deepEqual(await versionOf(inst), ["b8d4f0a2c3e5"]);
    assert.deepEqual(await invalidIndexes(inst), []);
    assert.equal((await inst.query("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_core_transform_type'")).length, 1);
    const modes = await inst.query<{ mode: string; scripts: string }>(
      "SELECT mode, scripts FROM public.migrakit_deploy_history ORDER BY id",
    );
    assert.deepEqual(
      modes.map((m) => m.mode),
      ["transaction", "no transaction"],
    );
    assert.equal(modes[1]!.scripts, "b8d4f0a2c3e5");
    // In one transaction Postgres refuses CONCURRENTLY; the check upgrades the way deploy does, so it passes.
    const check = cli(["check", "--no-cache"], r.dir, env());
    assert.doesNotMatch(check.all, /cannot run inside a transaction block/, check.all);
    assert.equal(check.status, 0, check.all);
  });

  test("a failing CREATE UNIQUE INDEX CONCURRENTLY leaves no INVALID index; what committed before is said", async () => {
    const r = repoWith(
      'op.execute("CREATE UNIQUE INDEX CONCURRENTLY ix_run_one_per_transform ON core.run (transform_id)")',
      { noTransaction: true },
    );
    const inst = await instance({ repoDir: r.dir });
    const d = cli([...DEPLOY, "--db", inst.url], r.dir, env());
    assert.equal(d.status, 1, d.all);
    assert.match(d.stderr, /EMIGRAKIT_DEPLOY_PARTIAL/);
    assert.match(d.stderr, /could not create unique index|duplicate/i);
    assert.match(d.stderr, /9 script\(s\) committed before the failure and stay applied/);
    assert.match(d.stderr, /INVALID index\(es\) .* were dropped: core\.ix_run_one_per_transform/);
    assert.doesNotMatch(d.all, /Everything was rolled back/);
    assert.deepEqual(await invalidIndexes(inst), []);
    assert.deepEqual(await versionOf(inst), [HEAD]);
  });

  test("stopped (SIGTERM) while CREATE INDEX CONCURRENTLY waits: cancelled, its INVALID index dropped", async () => {
    const r = repoWith('op.execute("CREATE INDEX CONCURRENTLY ix_transform_name_cc ON core.transform (name)")', {
      noTransaction: true,
    });
    // At head already: the CONCURRENTLY script is all that is pending.
    const inst = await instance({ repoDir: r.dir, revision: HEAD, rows: false });
    await withClient(inst.url, async (holder) => {
      // A writer's open transaction: CONCURRENTLY waits for it (the INVALID index already exists by then).
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE core.transform IN ROW EXCLUSIVE MODE");
      const run = startDeploy([...DEPLOY, "--db", inst.url, "--lock-timeout", "60s"], r.dir, env());
      await waitForQuery(inst, "CREATE INDEX CONCURRENTLY%");
      run.child.kill("SIGTERM");
      await new Promise((res) => setTimeout(res, 1000));
      await holder.query("ROLLBACK");
      const d = await run.done;
      assert.equal(d.status, 3, d.all);
      assert.match(d.stderr, /EMIGRAKIT_DEPLOY_STOPPED/);
      assert.match(d.stderr, /dropped: core\.ix_transform_name_cc/);
    });
    assert.deepEqual(await invalidIndexes(inst), []);
    assert.deepEqual(await inst.query("SELECT 1 FROM pg_class WHERE relname = 'ix_transform_name_cc'"), []);
  });
});

describe("lock_timeout with retries", () => {
  test("a lock held by another session: retried, and deployed once it is released", async () => {
    const inst = await instance();
    await withClient(inst.url, async (holder) => {
      await holder.query("SET application_name = 'the-holder'");
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE core.run IN ACCESS SHARE MODE");
      const run = cliAsync([...DEPLOY, "--db", inst.url, "--lock-timeout", "300ms", "--retries", "4"], repo.dir, env());
      // Once the deploy waits for the lock, its first try times out within 300 ms; release after that.
      await waitForLockWait(inst);
      await new Promise((res) => setTimeout(res, 1000));
      await holder.query("ROLLBACK");
      const d = await run;
      assert.equal(d.status, 0, d.all);
      assert.match(
        d.stderr,
        /lock timeout in 2023-02-03-8192a3b4c5d6-v0_3_0\.py:\d+ \(blocked by pid \d+ \(postgres, the-holder.*\): rolled back, trying again in 1s \(1\/4\)/,
      );
    });
    assert.deepEqual(await versionOf(inst), [HEAD]);
  });

  test("a lock never released: the deploy gives up after its retries and names the holder; nothing changed", async () => {
    const inst = await instance();
    const before = await inst.snapshot();
    await withClient(inst.url, async (holder) => {
      await holder.query("SET application_name = 'the-holder'");
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE core.run IN ACCESS SHARE MODE");
      const d = await cliAsync(
        [...DEPLOY, "--db", inst.url, "--lock-timeout", "300ms", "--retries", "1"],
        repo.dir,
        env(),
      );
      await holder.query("ROLLBACK");
      assert.equal(d.status, 3, d.all);
      assert.match(
        d.stderr,
        /EMIGRAKIT_DEPLOY_TIMEOUT: Deploying to .* stopped at lock_timeout \(300ms\) after 2 tries in 2023-02-03-8192a3b4c5d6-v0_3_0\.py/,
      );
      assert.match(d.stderr, /the lock is held by pid \d+ \(postgres, the-holder/);
      assert.match(d.stderr, /Everything was rolled back/);
    });
    assert.deepEqual(await inst.snapshot(), before);
  });
});

describe("stopping a deploy", () => {
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    test(`${signal} to migrakit alone: the statement is cancelled, all rolled back, and it says the instance is unchanged`, async () => {
      const r = fixtureRepo("seed-style");
      repos.push(r);
      r.edit(
        "lnschema_seed/migrations/versions/2023-02-13-c5d6e7f8091a-v0_4_0.py",
        "def upgrade() -> None:\n",
        'def upgrade() -> None:\n    op.execute("SELECT pg_sleep(60)")\n',
      );
      const inst = await instance({ repoDir: r.dir });
      const before = await inst.snapshot();
      const started = Date.now();
      const run = startDeploy([...DEPLOY, "--db", inst.url], r.dir, env());
      await waitForQuery(inst, "SELECT pg_sleep(60)%");
      run.child.kill(signal);
      const d = await run.done;
      assert.equal(d.status, 3, d.all);
      assert.match(d.stderr, new RegExp(`${signal}: stopping the deploy`));
      assert.match(
        d.stderr,
        /EMIGRAKIT_DEPLOY_STOPPED: The deploy to .* was stopped .*: the statement in flight was cancelled and rolled back; the instance is unchanged, still at 5e6f708192a3/,
      );
      assert.ok(Date.now() - started < 45_000, "it did not wait for the script to finish");
      noTraceback(d);
      assert.deepEqual(await inst.snapshot(), before);
      assert.deepEqual(await inst.query("SELECT to_regclass('public.migrakit_deploy_history') AS t"), [{ t: null }]);
    });
  }

  test("migrakit killed outright (SIGKILL): its helper sees stdin close and rolls back", async () => {
    const r = fixtureRepo("seed-style");
    repos.push(r);
    r.edit(
      "lnschema_seed/migrations/versions/2023-02-13-c5d6e7f8091a-v0_4_0.py",
      "def upgrade() -> None:\n",
      'def upgrade() -> None:\n    op.execute("SELECT pg_sleep(60)")\n',
    );
    const inst = await instance({ repoDir: r.dir });
    const before = await inst.snapshot();
    const run = startDeploy([...DEPLOY, "--db", inst.url], r.dir, env());
    await waitForQuery(inst, "SELECT pg_sleep(60)%");
    run.child.kill("SIGKILL");
    await run.done;
    const end = Date.now() + 20_000;
    let left = 1;
    while (Date.now() < end && left) {
      left =
        (
          await withClient(pg.adminUrl, (c) =>
            c.query("SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'migrakit deploy'", [
              inst.name,
            ]),
          )
        ).rowCount ?? 0;
      if (left) await new Promise((res) => setTimeout(res, 200));
    }
    assert.equal(left, 0, "the helper's connections are gone well before the script would have ended");
    assert.deepEqual(await inst.snapshot(), before);
    assert.deepEqual(await inst.query("SELECT to_regclass('public.migrakit_deploy_history') AS t"), [{ t: null }]);
  });
});

describe("what a rollback cannot undo, and what a deploy drops", () => {
  test("a script that COMMITs then fails: the deploy checks, and reports what is left instead of 'rolled back'", async () => {
    const r = fixtureRepo("seed-style");
    repos.push(r);
    r.edit(
      "lnschema_seed/migrations/versions/2023-02-10-92a3b4c5d6e7-v0_4_0.py",
      '    op.create_index(op.f("ix_core_tag_name")',
      '    op.execute("COMMIT")\n    op.execute("SELECT 1/0")\n    op.create_index(op.f("ix_core_tag_name")',
    );
    const inst = await instance({ repoDir: r.dir });
    const d = cli([...DEPLOY, "--db", inst.url], r.dir, env());
    assert.equal(d.status, 1, d.all);
    assert.match(
      d.stderr,
      /EMIGRAKIT_DEPLOY_PARTIAL: Deploying to .* failed in 2023-02-10-92a3b4c5d6e7-v0_4_0\.py:\d+: .*division by zero/,
    );
    assert.match(
      d.stderr,
      /The instance was NOT left as it was: its schema or version table differs from before the deploy .* the version table says 8192a3b4c5d6, it was 5e6f708192a3/,
    );
    assert.doesNotMatch(d.all, /Everything was rolled back/);
    // `check` flags it before it ever reaches an instance, with its own code.
    const check = cli(["check", "--static"], r.dir, env());
    assert.equal(check.status, 1, check.all);
    assert.match(check.all, /EMIGRAKIT_SCRIPT_TRANSACTION_CONTROL/);
    assert.match(check.all, /2023-02-10-92a3b4c5d6e7-v0_4_0\.py:\d+/);
    assert.match(check.all, /runs COMMIT: what ran before it is committed on its own/);
  });

  test("the deploy output and --sql name every drop of the pending scripts", async () => {
    const r = fixtureRepo("seed-style");
    repos.push(r);
    r.edit(
      "lnschema_seed/migrations/versions/2023-02-21-a7c3e9f1b2d4-vx_x_x.py",
      "def upgrade() -> None:\n",
      'def upgrade() -> None:\n    op.drop_column("user", "name", schema="core")\n',
    );
    const inst = await instance({ repoDir: r.dir });
    const sql = cli(["deploy", "--db", inst.url, "--sql", "--allow-unreleased"], r.dir, env());
    assert.equal(sql.status, 0, sql.all);
    assert.match(sql.stdout, /^-- migrakit: DROPS column core\.user\.name \(2023-02-21-a7c3e9f1b2d4-vx_x_x\.py:11\)$/m);
    assert.match(sql.stdout, /^-- migrakit: !! UNRELEASED/m);
    const d = cli([...DEPLOY, "--db", inst.url], r.dir, env());
    assert.equal(d.status, 0, d.all);
    assert.match(d.stderr, /^migrakit: DROPS column core\.user\.name \(2023-02-21-a7c3e9f1b2d4-vx_x_x\.py:11\)$/m);
  });
});
