// A fleet of 20 instances on two real Postgres servers (each its own embedded server and data folder):
// one unreachable, one at an older revision, one ahead of the package, one whose script fails on what it
// holds. The real bin deploys them with --targets; every healthy instance ends at head, the failing one is
// exactly as before, the table and the JSON say so without a password, a re-run deploys only what is
// behind, and --shard 1/3 … 3/3 cover every instance exactly once.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient } from "../../src/db/connect.js";
import { freePort } from "../../src/db/free-port.js";
import { withDatabase } from "../../src/db/url.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { testPythons } from "../helpers/python.js";
import { fixtureRepo, type FixtureRepo } from "../check/dynamic-helpers.js";
import { cli, cliEnv, HEAD, makeInstance, V0_2_0, type Instance } from "./instances.js";
import { MIGRAKIT_BIN, runCli } from "../helpers/cli.js";
import { ownFolders } from "../helpers/isolation.js";
import { spawnSync } from "node:child_process";

const python = testPythons()[0]!.python;
let pgA: TestPostgres;
let pgB: TestPostgres;
let repo: FixtureRepo;
let work: string;
const made: { admin: string; name: string }[] = [];

interface Fleet {
  urls: string[];
  healthy: string[];
  older: string;
  ahead: string;
  failing: string;
  unreachable: string;
  serviceUrl: string;
}
let fleet: Fleet;

async function clone(admin: string, template: string, name: string): Promise<string> {
  await withClient(admin, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  made.push({ admin, name });
  return withDatabase(admin, name);
}

const q = (url: string, sql: string) => withClient(url, async (c) => (await c.query(sql)).rows);
const versionOf = async (url: string) =>
  ((await q(url, "SELECT version_num FROM public.migration_seed")) as { version_num: string }[]).map(
    (r) => r.version_num,
  );

before(async () => {
  [pgA, pgB] = await Promise.all([startTestPostgres(), startTestPostgres()]);
  repo = fixtureRepo("seed-style");
  work = mkdtempSync(join(tmpdir(), "migrakit-fleet-"));
  const templates: Instance[] = [];
  for (const pg of [pgA, pgB])
    templates.push(await makeInstance(pg.adminUrl, { repoDir: repo.dir, python, revision: V0_2_0 }));
  const urls: string[] = [];
  for (let i = 0; i < 16; i++) {
    const [pg, t] = i % 2 ? [pgB, templates[1]!] : [pgA, templates[0]!];
    urls.push(await clone(pg.adminUrl, t.name, `fleet_${i}`));
  }
  const older = await makeInstance(pgB.adminUrl, { repoDir: repo.dir, python, revision: "3c4d5e6f7081", rows: false });
  made.push({ admin: pgB.adminUrl, name: older.name });
  const ahead = await clone(pgA.adminUrl, templates[0]!.name, "fleet_ahead");
  await q(ahead, "UPDATE public.migration_seed SET version_num = 'fedcba987654'");
  const failing = await clone(pgB.adminUrl, templates[1]!.name, "fleet_failing");
  // The first 0.4.0 script creates core.tag: this instance already has one of its own.
  await q(
    failing,
    "CREATE TABLE core.tag (id text PRIMARY KEY, label text); INSERT INTO core.tag VALUES ('x', 'mine')",
  );
  for (const t of templates) made.push({ admin: t === templates[0] ? pgA.adminUrl : pgB.adminUrl, name: t.name });
  const unreachable = `postgresql://ops:Sup3r-Secret-pw@127.0.0.1:${await freePort()}/gone`;
  // One instance named by a libpq service (its password lives in the service file).
  const u = new URL(urls[0]!);
  writeFileSync(
    join(work, "pg_service.conf"),
    `[team_zero]\nhost=${u.hostname}\nport=${u.port}\ndbname=fleet_0\nuser=${u.username}\npassword=${decodeURIComponent(u.password)}\n`,
  );
  fleet = {
    urls: [...urls.slice(1), older.url, ahead, failing, unreachable],
    healthy: [...urls, older.url],
    older: older.url,
    ahead,
    failing,
    unreachable,
    serviceUrl: urls[0]!,
  };
  writeFileSync(join(work, "targets.txt"), ["# the fleet", "team_zero", ...fleet.urls, ""].join("\n"));
});

after(async () => {
  for (const m of made) {
    await withClient(m.admin, async (c) => {
      await c.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [m.name],
      );
      await c.query(`DROP DATABASE IF EXISTS "${m.name}"`);
    }).catch(() => {});
  }
  await pgA?.stop();
  await pgB?.stop();
  repo?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const env = () => cliEnv(python, pgA.adminUrl, { PGSERVICEFILE: join(work, "pg_service.conf"), PGSYSCONFDIR: work });
const secrets = () =>
  [...fleet.urls, fleet.serviceUrl].map((u) => decodeURIComponent(new URL(u).password)).filter(Boolean);

interface Row {
  target: string;
  result: string;
  atHead: boolean;
  scripts: number;
  code?: string;
  from: string | null;
  to: string | null;
}

function noSecrets(out: string) {
  for (const s of secrets()) assert.ok(!out.includes(s), `a password was printed:\n${out}`);
}

describe("a fleet of 20 instances on two servers", () => {
  test("status, deploy, the table and the JSON, the exit code, a re-run, shards", async () => {
    const file = join(work, "targets.txt");
    const status = cli(["status", "--targets", file, "--json"], repo.dir, env());
    assert.equal(status.status, 1, status.all);
    noSecrets(status.all);
    const srows = (JSON.parse(status.stdout) as { instances: Row[] }).instances;
    assert.equal(srows.length, 20);
    assert.equal(srows.filter((r) => r.result === "behind").length, 18, status.stdout); // all but the one ahead and the unreachable one
    assert.equal(srows.find((r) => r.target.endsWith("/fleet_ahead"))!.result, "ahead");
    assert.equal(srows.find((r) => r.target.endsWith("/gone"))!.result, "unreachable");

    const failingBefore = await q(fleet.failing, "SELECT id, label FROM core.tag");
    const r = cli(
      ["deploy", "--targets", file, "--yes", "--allow-unreleased", "--parallel", "4", "--json"],
      repo.dir,
      env(),
    );
    assert.equal(r.status, 1, r.all);
    noSecrets(r.all);
    const doc = JSON.parse(r.stdout) as { ok: boolean; total: number; atHead: number; instances: Row[] };
    assert.equal(doc.ok, false);
    assert.equal(doc.total, 20);
    assert.equal(doc.atHead, 17);
    const by = (suffix: string) => doc.instances.find((x) => x.target.endsWith(suffix))!;
    assert.equal(by("/fleet_ahead").code, "EMIGRAKIT_INSTANCE_AHEAD");
    assert.equal(by("/gone").code, "EMIGRAKIT_DB_UNREACHABLE");
    assert.equal(by("/fleet_failing").result, "failed");
    assert.equal(by("/fleet_failing").code, "EMIGRAKIT_DEPLOY_FAILED");
    assert.equal(by(`/${new URL(fleet.older).pathname.slice(1)}`).scripts, 11);
    assert.equal(by("/fleet_0").result, "deployed");
    for (const url of fleet.healthy) assert.deepEqual(await versionOf(url), [HEAD], url);
    assert.deepEqual(await versionOf(fleet.failing), [V0_2_0]);
    assert.deepEqual(await q(fleet.failing, "SELECT id, label FROM core.tag"), failingBefore);
    assert.deepEqual(await q(fleet.failing, "SELECT to_regclass('public.migrakit_deploy_history') AS t"), [
      { t: null },
    ]);
    assert.deepEqual(await versionOf(fleet.ahead), ["fedcba987654"]);

    // Fixed, then run again: only the instance still behind is deployed; the table says so, exit 1 for the rest.
    await q(fleet.failing, "DROP TABLE core.tag");
    const again = cli(["deploy", "--targets", file, "--yes", "--allow-unreleased"], repo.dir, env());
    assert.equal(again.status, 1, again.all);
    noSecrets(again.all);
    assert.match(again.stdout, /^instance\s+from → to\s+scripts\s+seconds\s+result$/m);
    assert.match(again.stdout, /\/fleet_failing\s+v0\.2\.0 → v0\.4\.0\s+9\s+[\d.]+\s+deployed$/m);
    assert.match(again.stdout, /\/fleet_1\s+.*\s+0\s+[\d.]+\s+up to date$/m);
    assert.match(again.stderr, /EMIGRAKIT_FLEET_NOT_AT_HEAD: 2 of 20 instance\(s\) are not at head/);
    assert.deepEqual(await versionOf(fleet.failing), [HEAD]);
    assert.equal(
      (
        (await q(fleet.serviceUrl, "SELECT count(*)::int AS n FROM public.migrakit_deploy_history")) as { n: number }[]
      )[0]!.n,
      1,
    );

    // Shards: the same list split three ways covers every instance exactly once.
    const seen: string[] = [];
    for (const i of [1, 2, 3]) {
      const s = cli(["status", "--targets", file, "--shard", `${i}/3`, "--json"], repo.dir, env());
      seen.push(...(JSON.parse(s.stdout) as { instances: Row[] }).instances.map((x) => x.target));
    }
    assert.equal(seen.length, 20);
    assert.equal(new Set(seen).size, 20);
  });

  test("stdin and a registry database as the list; bad lists and options are usage errors", async () => {
    const healthy = fleet.healthy.slice(0, 3);
    const viaStdin = runCli(["status", "--targets", "-", "--json"], {
      cwd: repo.dir,
      env: env(),
      input: healthy.join("\n") + "\n",
      timeoutMs: 120_000,
    });
    assert.equal(viaStdin.status, 0, viaStdin.stdout + viaStdin.stderr);
    assert.equal((JSON.parse(viaStdin.stdout) as { instances: Row[] }).instances.length, 3);

    await q(pgA.adminUrl, "CREATE TABLE IF NOT EXISTS registry (url text)");
    await withClient(pgA.adminUrl, (c) => c.query("INSERT INTO registry SELECT unnest($1::text[])", [healthy]));
    const viaSql = cli(
      ["status", "--targets-from-sql", pgA.adminUrl, "select url from registry", "--json"],
      repo.dir,
      env(),
    );
    assert.equal(viaSql.status, 0, viaSql.all);
    assert.equal((JSON.parse(viaSql.stdout) as { instances: Row[] }).instances.length, 3);
    noSecrets(viaSql.all);
    const badSql = cli(["status", "--targets-from-sql", pgA.adminUrl, "select nope from registry"], repo.dir, env());
    assert.equal(badSql.status, 2, badSql.all);
    assert.match(badSql.stderr, /EMIGRAKIT_TARGETS_INVALID/);

    // On a terminal (a real pty, not CI), a progress line per instance; piped, none.
    writeFileSync(join(work, "two.txt"), healthy.slice(0, 2).join("\n") + "\n");
    const command = [process.execPath, MIGRAKIT_BIN, "deploy", "--targets", join(work, "two.txt"), "--yes"]
      .map((a) => `'${a}'`)
      .join(" ");
    const pty = spawnSync("script", ["-qec", command, "/dev/null"], {
      cwd: repo.dir,
      env: ownFolders({ ...process.env, ...env(), CI: "", GITHUB_ACTIONS: "" }, env()),
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(pty.status, 0, pty.stdout + pty.stderr);
    assert.match(pty.stdout, /\[1\/2\] postgres@127\.0\.0\.1:\d+\/fleet_\d+: up to date/);
    assert.match(pty.stdout, /\[2\/2\] /);
    noSecrets(pty.stdout);
    const piped = cli(["deploy", "--targets", join(work, "two.txt"), "--yes"], repo.dir, env());
    assert.equal(piped.status, 0, piped.all);
    assert.doesNotMatch(piped.all, /\[1\/2\]/);

    const missing = cli(["deploy", "--targets", join(work, "nope.txt"), "--yes"], repo.dir, env());
    assert.equal(missing.status, 2, missing.all);
    assert.match(missing.stderr, /EMIGRAKIT_TARGETS_INVALID: .*no such file/);
    writeFileSync(join(work, "svc.txt"), "no_such_service\n");
    const svc = cli(["status", "--targets", join(work, "svc.txt")], repo.dir, env());
    assert.equal(svc.status, 2, svc.all);
    assert.match(svc.stderr, /EMIGRAKIT_PG_SERVICE_UNKNOWN/);
    const shard = cli(["status", "--targets", join(work, "targets.txt"), "--shard", "4/3"], repo.dir, env());
    assert.equal(shard.status, 2, shard.all);
    assert.match(shard.stderr, /EMIGRAKIT_FLEET_OPTION_INVALID/);
  });
});
