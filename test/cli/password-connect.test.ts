// Issue 16 item 3, the other half of test/cli/passwords.test.ts: a password pasted raw into a URL (`/ @ : % # ?`,
// a space, unicode, base64) is not only never printed, it also logs in. The userinfo ends at the last `@`
// and is percent-encoded before node-postgres, pg_dump and SQLAlchemy see it (src/db/url.ts). Real roles with
// these passwords on a real Postgres (scram-sha-256), each command through the real CLI: status (one instance
// and a fleet file), deploy --yes, check --against (template copy, and the pg_dump path on an older server),
// and check with MIGRAKIT_DATABASE_URL. Each login is proved by what only a connected run can know.
import { after, before, test } from "node:test";
import { missingPrerequisite } from "../helpers/prerequisite.js";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBridge } from "../../src/bridge/index.js";
import { withClient } from "../../src/db/connect.js";
import { pruneTemplates } from "../../src/db/templates.js";
import { encodedUrl, withDatabase } from "../../src/db/url.js";
import { runCli } from "../helpers/cli.js";
import { exampleRepo, type ExampleRepo } from "../helpers/example-repo.js";
import { ALL_IN_ONE, EMPTY, HOSTILE_PASSWORDS, passwordSql } from "../helpers/hostile-passwords.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { testPythons } from "../helpers/python.js";
import { startSystemPostgres, systemServerBin, type SystemPostgres } from "../deploy/system-postgres.js";

/** Each that can log in (the empty one cannot: its own test below); the slow commands run on ALL_IN_ONE. */
const PASSWORDS = HOSTILE_PASSWORDS.filter((pw) => pw !== EMPTY);
const ALL_IN_ONE_AT = PASSWORDS.indexOf(ALL_IN_ONE);
const PYTHON = testPythons()[0]!.python;
const HEAD = "dd2b4a9499f2";
const RELEASED_0_1 = "8280855a5064";

let pg: TestPostgres;
let work: string;
let example: ExampleRepo;
let repo: string;
let hostPort: string;
before(async () => {
  pg = await startTestPostgres();
  hostPort = new URL(pg.adminUrl).host;
  work = mkdtempSync(join(tmpdir(), "migrakit-password-connect-"));
  example = exampleRepo();
  repo = example.dir;
  await withClient(pg.adminUrl, async (c) => {
    await c.query("CREATE DATABASE inst");
    // SUPERUSER: each role reads, deploys and copies the instance (CREATE DATABASE … TEMPLATE needs CREATEDB).
    for (const [i, pw] of PASSWORDS.entries())
      await c.query(`CREATE ROLE pw_${i} LOGIN SUPERUSER PASSWORD ${passwordSql(pw)}`);
    await c.query(`CREATE ROLE pw_empty LOGIN SUPERUSER PASSWORD ${passwordSql(EMPTY)}`);
  });
  // The instance at 0.1.0: one script behind the package's head.
  const bridge = await startBridge({ python: PYTHON, cwd: repo, env: process.env });
  try {
    await bridge.request("upgrade", {
      repo_root: repo,
      package: "lnschema_demo",
      url: withDatabase(pg.adminUrl, "inst"),
      revision: RELEASED_0_1,
    });
  } finally {
    await bridge.close();
  }
});
after(async () => {
  await withClient(pg.adminUrl, async (c) => {
    const { rows } = await c.query<{ d: string }>("SELECT datname AS d FROM pg_database WHERE datname LIKE 'inst%'");
    for (const { d } of rows) {
      await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [d]);
      await c.query(`DROP DATABASE IF EXISTS "${d}"`);
    }
  }).catch(() => {});
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
  example?.cleanup();
});

const rawUrl = (i: number, database: string, at = hostPort) => `postgresql://pw_${i}:${PASSWORDS[i]}@${at}/${database}`;
const env = (extra: NodeJS.ProcessEnv = {}) => ({ MIGRAKIT_PYTHON: PYTHON, ...extra });

/** The output holds no spelling of the password (raw, percent-encoded) nor the URL. */
function assertNoLeak(out: string, pw: string, url: string) {
  for (const form of new Set([pw, encodeURIComponent(pw), url]))
    assert.ok(!out.includes(form), `leaked ${form}:\n${out}`);
}

async function revisionOf(database: string): Promise<string | undefined> {
  return withClient(withDatabase(pg.adminUrl, database), async (c) => {
    const { rows } = await c.query<{ v: string }>("SELECT version_num AS v FROM public.migration_demo");
    return rows[0]?.v;
  });
}

for (const [i, pw] of PASSWORDS.entries()) {
  test(`password ${JSON.stringify(pw)} pasted raw: status --db logs in and reads the instance's revision`, () => {
    const url = rawUrl(i, "inst");
    const r = runCli(["status", "--db", url, "--json"], { cwd: repo, env: env() });
    // Exit 1: the instance is behind (which only a connected status can tell).
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as { instance: { target: string; revision: string }; pending: unknown[] };
    assert.equal(report.instance.revision, RELEASED_0_1);
    assert.equal(report.instance.target, `pw_${i}@${hostPort}/inst`);
    assert.equal(report.pending.length, 1);
    assertNoLeak(r.stdout + r.stderr, pw, url);
  });

  test(`password ${JSON.stringify(pw)} pasted raw: deploy --db --yes applies the pending script (Python/SQLAlchemy logs in too)`, async () => {
    const database = `inst_${i}`;
    await withClient(pg.adminUrl, (c) => c.query(`CREATE DATABASE ${database} TEMPLATE inst`));
    const url = rawUrl(i, database);
    const r = runCli(["deploy", "--db", url, "--yes"], { cwd: repo, env: env() });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(await revisionOf(database), HEAD);
    assert.match(
      r.stdout + r.stderr,
      new RegExp(`deployed 1 script\\(s\\) to pw_${i}@${hostPort.replace(/\./g, "\\.")}/${database}`),
    );
    assertNoLeak(r.stdout + r.stderr, pw, url);
  });
}

test("status --targets FILE: every raw password of the file logs in", () => {
  const file = join(work, "targets.txt");
  writeFileSync(file, PASSWORDS.map((_, i) => rawUrl(i, "inst")).join("\n") + "\n");
  const r = runCli(["status", "--targets", file, "--json"], { cwd: repo, env: env() });
  const out = r.stdout + r.stderr;
  const report = JSON.parse(r.stdout) as { instances: { target: string; from?: string; result: string }[] };
  assert.deepEqual(
    report.instances.map((x) => [x.target, x.from]),
    PASSWORDS.map((_, i) => [`pw_${i}@${hostPort}/inst`, RELEASED_0_1]),
    out,
  );
  PASSWORDS.forEach((pw, i) => assertNoLeak(out, pw, rawUrl(i, "inst")));
});

test("check --against a raw-password URL copies the instance (template) and upgrades the copy", () => {
  const url = rawUrl(ALL_IN_ONE_AT, "inst");
  const r = runCli(["check", "--against", url], {
    cwd: repo,
    env: env({ MIGRAKIT_DATABASE_URL: pg.adminUrl, CI: "true" }),
  });
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 0, out);
  assert.match(out, new RegExp(`against pw_${ALL_IN_ONE_AT}@\\S+/inst: 1 script\\(s\\)`));
  assertNoLeak(out, ALL_IN_ONE, url);
});

test("check with MIGRAKIT_DATABASE_URL holding a raw password makes its scratch databases there", () => {
  for (const i of [0, ALL_IN_ONE_AT]) {
    const url = rawUrl(i, "postgres");
    const r = runCli(["check", "--json"], { cwd: repo, env: env({ MIGRAKIT_DATABASE_URL: url, CI: "true" }) });
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 0, out);
    assert.equal((JSON.parse(r.stdout) as { ok: boolean }).ok, true, out);
    assertNoLeak(out, PASSWORDS[i]!, url);
  }
});

test("the empty password: refused as a failed login (exit 3, EMIGRAKIT_DB_AUTH), nothing of the URL echoed", () => {
  const url = `postgresql://pw_empty:@${hostPort}/inst`;
  const r = runCli(["status", "--db", url, "--json"], { cwd: repo, env: env() });
  assert.equal(r.status, 3, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout) as { errors: { code: string }[] };
  assert.deepEqual(
    report.errors.map((e) => e.code),
    ["EMIGRAKIT_DB_AUTH"],
  );
  assert.ok(!(r.stdout + r.stderr).includes(url));
});

test("check --against --row-limit: pg_dump and pg_restore log in with the raw password too (older server)", async (t) => {
  const found = systemServerBin();
  if (typeof found === "string") return missingPrerequisite(t, found);
  let sys: SystemPostgres | undefined;
  try {
    sys = await startSystemPostgres(found.bin, found.major);
    const pw = ALL_IN_ONE;
    await withClient(sys.adminUrl, async (c) => {
      await c.query(`CREATE ROLE dumper LOGIN SUPERUSER PASSWORD ${passwordSql(pw)}`);
      await c.query("CREATE DATABASE inst OWNER dumper");
    });
    const sysHost = new URL(sys.adminUrl).host;
    const url = `postgresql://dumper:${pw}@${sysHost}/inst`;
    const bridge = await startBridge({ python: PYTHON, cwd: repo, env: process.env });
    try {
      // Set-up only (the bridge is handed encoded URLs by the CLI).
      await bridge.request("upgrade", {
        repo_root: repo,
        package: "lnschema_demo",
        url: encodedUrl(url),
        revision: RELEASED_0_1,
      });
    } finally {
      await bridge.close();
    }
    const r = runCli(["check", "--against", url, "--row-limit", "1"], {
      cwd: repo,
      env: env({ MIGRAKIT_DATABASE_URL: pg.adminUrl, CI: "true" }),
    });
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 0, out);
    assert.match(out, /pg_dump/);
    assertNoLeak(out, pw, url);
  } finally {
    sys?.stop();
  }
});
