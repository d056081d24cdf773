// Issue 16 item 6, the exact reproduction: an instance at 0.2.0 (with rows) gets the unreleased rename of
// Transform.version to v with --allow-unreleased; `generate` then refreshes that same script (same revision,
// new text) after a second ORM change. status and deploy must report the applied script as changed, not "up to
// date"; and the release's checkout (v0.2.0), meeting the instance ahead, must not advise installing 0.2.0,
// which is the version installed. Real git, real alembic, real Postgres, the real CLI.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { withClient } from "../../src/db/connect.js";
import { withDatabase } from "../../src/db/url.js";
import { pruneTemplates } from "../../src/db/templates.js";
import { runCli } from "../helpers/cli.js";
import { exampleRepo, type ExampleRepo } from "../helpers/example-repo.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { testPythons } from "../helpers/python.js";
import { tempCache } from "../check/dynamic-helpers.js";

const PYTHON = testPythons()[0]!.python;
let pg: TestPostgres;
let repo: ExampleRepo;
let cache: string;
before(async () => {
  pg = await startTestPostgres();
  repo = exampleRepo();
  cache = tempCache();
  await withClient(pg.adminUrl, (c) => c.query("CREATE DATABASE inst"));
});
after(async () => {
  repo?.cleanup();
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
});

const cli = (args: string[]) => {
  const r = runCli(args, {
    cwd: repo.dir,
    env: { MIGRAKIT_PYTHON: PYTHON, MIGRAKIT_DATABASE_URL: pg.adminUrl, XDG_CACHE_HOME: cache, CI: "" },
    timeoutMs: 300_000,
  });
  return { ...r, all: r.stdout + r.stderr };
};
const unreleased = () =>
  readdirSync(join(repo.dir, repo.pkg, "migrations", "versions")).filter((f) => f.endsWith("-vx_x_x.py"));
const core = () => `${repo.pkg}/_core.py`;

test("16.6: an applied unreleased script refreshed by generate is reported changed; the release checkout does not advise the installed version", async () => {
  const inst = withDatabase(pg.adminUrl, "inst");
  const first = cli(["deploy", "--db", inst, "--yes"]);
  assert.equal(first.status, 0, first.all);
  await withClient(inst, async (c) => {
    await c.query("INSERT INTO core.user (id, email, handle) VALUES ('u1', 'a@b.c', 'ann')");
    await c.query("INSERT INTO core.transform (id, version, name, created_by) VALUES ('t1', '2', 'nb', 'u1')");
  });

  // The unreleased rename, generated and committed.
  repo.write(
    core(),
    repo
      .read(core())
      .replace(
        '    version: str = Field(default="1", primary_key=True)',
        '    v: str = Field(default="1", primary_key=True)',
      )
      .replace('"core.transform.version"', '"core.transform.v"'),
  );
  const gen = cli(["generate"]);
  assert.equal(gen.status, 0, gen.all);
  const [script] = unreleased();
  assert.ok(script, gen.all);
  repo.git("add", "-A");
  repo.git("commit", "-qm", "feat: rename transform.version to v");

  const refused = cli(["deploy", "--db", inst, "--yes"]);
  assert.equal(refused.status, 2, refused.all);
  assert.match(refused.all, /EMIGRAKIT_UNRELEASED_REFUSED/);
  const deployed = cli(["deploy", "--db", inst, "--yes", "--allow-unreleased"]);
  assert.equal(deployed.status, 0, deployed.all);
  assert.equal(cli(["status", "--db", inst]).status, 0);

  // A second ORM change: generate refreshes the same unreleased script (same file, same revision).
  repo.write(
    core(),
    repo
      .read(core())
      .replace(
        '    v: str = Field(default="1", primary_key=True)\n',
        '    v: str = Field(default="1", primary_key=True)\n    note: Optional[str] = Field(default=None)\n',
      ),
  );
  const regen = cli(["generate"]);
  assert.equal(regen.status, 0, regen.all);
  assert.deepEqual(unreleased(), [script], regen.all);
  repo.git("add", "-A");
  repo.git("commit", "-qm", "feat: transform note");

  const status = cli(["status", "--db", inst]);
  assert.equal(status.status, 1, status.all);
  assert.match(status.all, /EMIGRAKIT_APPLIED_SCRIPT_CHANGED/, status.all);
  assert.ok(status.all.includes(script!), status.all);
  const again = cli(["deploy", "--db", inst, "--yes", "--allow-unreleased"]);
  assert.equal(again.status, 1, again.all);
  assert.match(again.all, /EMIGRAKIT_APPLIED_SCRIPT_CHANGED/, again.all);

  // The release's checkout meets the instance ahead of it.
  repo.git("checkout", "-q", "v0.2.0");
  const ahead = cli(["status", "--db", inst]);
  assert.equal(ahead.status, 3, ahead.all);
  assert.match(ahead.all, /EMIGRAKIT_INSTANCE_AHEAD/, ahead.all);
  assert.doesNotMatch(ahead.all, /pip install "?lnschema_demo==0\.2\.0/, ahead.all);
  assert.match(ahead.all, /unreleased/, ahead.all);
  // Followed: the printed git log finds the commit of the unreleased work; from there the instance is known
  // and, its script as deployed, up to date.
  const log = /(git log [^)]+)\)/.exec(ahead.all.slice(ahead.all.indexOf("fix:")))?.[1];
  assert.ok(log, ahead.all);
  const commits = execSync(log, { cwd: repo.dir, encoding: "utf8" }).trim().split("\n");
  assert.match(commits.at(-1)!, /feat: rename transform\.version to v/, commits.join("\n"));
  repo.git("checkout", "-q", commits.at(-1)!.split(" ")[0]!);
  const known = cli(["status", "--db", inst]);
  assert.equal(known.status, 0, known.all);
});
