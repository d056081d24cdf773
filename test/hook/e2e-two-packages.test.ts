// Two schema packages in one repo, through everything, as a user gets it (the packed tarball installed,
// husky's hook, real commits): lamin's core package and a schema module whose tables have foreign keys into
// core's (test/fixtures/lamin-pair, docs/repo-shapes.md). The hook on an ORM change in each and in both at
// once, the dynamic check and generate per package, a real release of both (release-prepare by hand, and
// semantic-release with migrakit's plugin), then status and deploy to a real instance, core first.
// One install and one embedded Postgres for the file; each scenario its own repo, set up by writing files.
import { after, before, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient } from "../../src/db/connect.js";
import { createScratchDatabase } from "../../src/db/scratch.js";
import { pruneTemplates } from "../../src/db/templates.js";
import { generatedScriptText, type GeneratedScript } from "../helpers/generated-script.js";
import { installWithPostgres, userRepo, type Install, type UserRepo } from "../helpers/installed.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { REPO_ROOT } from "../helpers/python.js";
import { cleanEnv } from "../release/release-repo.js";

const CORE = { name: "lnschema_core", head: "c0ffee000001" };
const MODULE = { name: "lnschema_bionty", head: "b10000000001" };
const versions = (p: { name: string }) => `${p.name}/migrations/versions`;
const orm = (p: { name: string }) => `${p.name}/_core.py`;
const init = (p: { name: string }) => `${p.name}/__init__.py`;

let pg: TestPostgres;
let install: Install;

before(async () => {
  await installWithPostgres(startTestPostgres, (made) => {
    if (made.pg) pg = made.pg;
    if (made.install) install = made.install;
  });
});

after(async () => {
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
  install?.cleanup();
});

/** The pair at its 0.1.0 release (both packages), committed and tagged, in a repo of this test's own. */
function pair(t: TestContext): UserRepo {
  const repo = userRepo(install, {
    source: join(REPO_ROOT, "test/fixtures/lamin-pair"),
    env: { CI: "true", MIGRAKIT_DATABASE_URL: pg.adminUrl },
    tag: "v0.1.0",
  });
  t.after(() => repo.cleanup());
  return repo;
}

const only = (repo: UserRepo, p: { name: string }) => {
  const scripts = repo.unreleased(versions(p));
  assert.equal(scripts.length, 1, `${p.name}: one unreleased script (${scripts.join(", ")})`);
  return `${versions(p)}/${scripts[0]}`;
};
const ok = (r: { status: number | null; stdout: string; stderr: string }, what: string) =>
  assert.equal(r.status, 0, `${what}:\n${r.stdout}${r.stderr}`);

const PROTEIN = `

class Protein(SQLModel, table=True):  # type: ignore
    __table_args__ = {"schema": "bionty"}
    id: str = Field(primary_key=True)
    name: str
    created_by: str = Field(foreign_key="core.user.id")
`;
const addEmail = (repo: UserRepo) =>
  repo.edit(
    orm(CORE),
    "    name: Optional[str] = None\n",
    "    name: Optional[str] = None\n    email: Optional[str] = None\n",
  );
const renameNote = (repo: UserRepo) =>
  repo.edit(orm(MODULE), "    note: Optional[str] = None\n", "    comment: Optional[str] = None\n");

test("the hook: an ORM change in the module writes the module's script only, one in core core's only, one in both refreshes both; check passes", (t) => {
  const repo = pair(t);
  repo.edit(orm(MODULE), "    note: Optional[str] = None\n", `    note: Optional[str] = None\n${PROTEIN}`);
  repo.git("add", orm(MODULE));
  ok(repo.commit("feat(bionty): protein"), "module commit");
  const moduleScript = only(repo, MODULE);
  assert.deepEqual(repo.unreleased(versions(CORE)), [], "core gets no script");
  assert.deepEqual(repo.committedFiles().sort(), [orm(MODULE), init(MODULE), moduleScript].sort());
  const moduleText = repo.read(moduleScript);
  assert.match(moduleText, /create_table\(\s*['"]protein['"]/);
  assert.match(moduleText, /\['core\.user\.id'\]|\["core\.user\.id"\]/);
  assert.doesNotMatch(moduleText, /['"]user['"]/, "core's table is never the module's to migrate");

  addEmail(repo);
  repo.git("add", orm(CORE));
  ok(repo.commit("feat(core): user email"), "core commit");
  const coreScript = only(repo, CORE);
  assert.deepEqual(repo.committedFiles().sort(), [orm(CORE), init(CORE), coreScript].sort());
  assert.match(repo.read(coreScript), /add_column\(\s*['"]user['"], sa\.Column\(['"]email['"]/);
  assert.match(repo.read(coreScript), /down_revision = ['"]c0ffee000001['"]/);
  assert.equal(repo.read(moduleScript), moduleText, "the module's script is untouched");

  // One commit touching both packages: each package's script refreshed for its own change.
  repo.edit(
    orm(CORE),
    "    email: Optional[str] = None\n",
    "    email: Optional[str] = None\n    team: Optional[str] = None\n",
  );
  renameNote(repo);
  repo.git("add", orm(CORE), orm(MODULE));
  ok(repo.commit("feat: user team, gene comment"), "commit touching both");
  assert.equal(only(repo, CORE), coreScript);
  assert.equal(only(repo, MODULE), moduleScript);
  assert.deepEqual(repo.committedFiles().sort(), [orm(CORE), orm(MODULE), coreScript, moduleScript].sort());
  const core = repo.read(coreScript);
  assert.match(core, /['"]email['"]/);
  assert.match(core, /['"]team['"]/);
  const module = repo.read(moduleScript);
  assert.match(module, /create_table\(\s*['"]protein['"]/);
  assert.match(module, /column_name=['"]note['"], new_column_name=['"]comment['"]/, module);
  assert.doesNotMatch(module, /drop_column|add_column/, "a rename, not a drop and an add");
  assert.equal(repo.git("status", "--porcelain"), "");
  ok(repo.migrakit(["check"]), "check of both packages");
});

test("generate and the dynamic check per package: an ORM ahead of its scripts fails the check in its package; generate --package writes each", (t) => {
  const repo = pair(t);
  addEmail(repo);
  repo.edit(
    orm(MODULE),
    "    note: Optional[str] = None\n",
    "    note: Optional[str] = None\n    length: Optional[int] = None\n",
  );
  const failing = repo.migrakit(["check"]);
  assert.equal(failing.status, 1, failing.stdout + failing.stderr);
  const out = failing.stdout + failing.stderr;
  assert.match(out, /EMIGRAKIT_MODELS_MISMATCH/);
  assert.match(out, /lnschema_core/);
  assert.match(out, /lnschema_bionty/);
  assert.match(out, /add_column\('user', sa\.Column\('email'/);
  assert.match(out, /add_column\('gene', sa\.Column\('length'/);

  const several = repo.migrakit(["generate"]);
  assert.equal(several.status, 2, several.stdout + several.stderr);
  assert.match(several.stderr, /EMIGRAKIT_SEVERAL_PACKAGES/);
  assert.match(several.stderr, /--package/);

  ok(repo.migrakit(["generate", "--package", MODULE.name]), "generate the module");
  const moduleText = repo.read(only(repo, MODULE));
  assert.match(moduleText, /add_column\(\s*['"]gene['"], sa\.Column\(['"]length['"]/);
  assert.doesNotMatch(moduleText, /['"]email['"]|['"]user['"]/, "core's change is core's");
  assert.deepEqual(repo.unreleased(versions(CORE)), []);
  ok(repo.migrakit(["generate", "--package", CORE.name]), "generate core");
  assert.match(repo.read(only(repo, CORE)), /add_column\(\s*['"]user['"], sa\.Column\(['"]email['"]/);
  assert.match(repo.read(init(CORE)), new RegExp(`_migration = "${only(repo, CORE).split("-")[3]}"`));
  ok(repo.migrakit(["check"]), "check after generate");
});

const CORE_EMAIL: GeneratedScript = {
  revision: "c0ffee000002",
  down: CORE.head,
  imports: ["import sqlmodel"],
  upgrade: [
    "op.add_column('user', sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=True), schema='core')",
  ],
  downgrade: ["op.drop_column('user', 'email', schema='core')"],
};
const MODULE_COMMENT: GeneratedScript = {
  revision: "b10000000002",
  down: MODULE.head,
  notes: ["migrakit: rename bionty.gene.note=comment"],
  upgrade: ['op.alter_column("gene", column_name="note", new_column_name="comment", schema="bionty")'],
  downgrade: ['op.alter_column("gene", column_name="comment", new_column_name="note", schema="bionty")'],
};

/** After the release: an unreleased script in each package (as the hook writes them), committed. */
function withUnreleased(repo: UserRepo): void {
  addEmail(repo);
  renameNote(repo);
  for (const [p, s] of [
    [CORE, CORE_EMAIL],
    [MODULE, MODULE_COMMENT],
  ] as const) {
    repo.write(`${versions(p)}/2023-03-10-${s.revision}-vx_x_x.py`, generatedScriptText(s));
    repo.edit(init(p), `_migration = "${p.head}"`, `_migration = "${s.revision}"`);
  }
  repo.git("add", "-A");
  repo.git("commit", "-q", "--no-verify", "-m", "feat: user email, gene comment");
}

const releasedFile = (p: { name: string }, s: GeneratedScript, slug: string) =>
  `${versions(p)}/2023-03-10-${s.revision}-${slug}.py`;

test("release-prepare by hand releases both packages in one step; the static check passes after it", (t) => {
  const repo = pair(t);
  withUnreleased(repo);
  ok(repo.migrakit(["release-prepare", "--version", "0.2.0"]), "release-prepare");
  for (const [p, s] of [
    [CORE, CORE_EMAIL],
    [MODULE, MODULE_COMMENT],
  ] as const) {
    assert.deepEqual(repo.unreleased(versions(p)), [], `${p.name}: no vx_x_x script left`);
    assert.equal(repo.read(releasedFile(p, s, "v0_2_0")).split("\n")[0], '"""v0.2.0."""');
    assert.match(repo.read(init(p)), /__version__ = "0\.2\.0"/);
  }
  ok(repo.migrakit(["check", "--static"]), "check --static");
});

test("semantic-release releases both packages; status and deploy bring a real instance to head, core first, rows kept", async (t) => {
  const repo = pair(t);
  const remote = mkdtempSync(join(tmpdir(), "migrakit-remote-"));
  t.after(() => rmSync(remote, { recursive: true, force: true }));
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", remote]);
  repo.git("remote", "add", "origin", `file://${remote}`);
  repo.git("push", "-q", "origin", "main", "--tags");
  repo.git("branch", "-q", "--set-upstream-to=origin/main");

  // The instance, deployed to 0.1.0 from empty (core first: the module's tables point into core's).
  const db = await createScratchDatabase(pg.adminUrl);
  t.after(() => db.drop());
  const deploy = (p: { name: string }) => repo.migrakit(["deploy", "--db", db.url, "--yes", "--package", p.name]);
  const status = (p: { name: string }) => repo.migrakit(["status", "--db", db.url, "--package", p.name, "--json"]);
  ok(deploy(CORE), "deploy core 0.1.0");
  ok(deploy(MODULE), "deploy the module 0.1.0");
  await withClient(db.url, (c) =>
    c.query(
      `INSERT INTO core."user" (id, handle) VALUES ('u1', 'me'); INSERT INTO bionty.gene (id, symbol, created_by, note) VALUES ('g1', 'TP53', 'u1', 'kept')`,
    ),
  );

  withUnreleased(repo);
  repo.git("push", "-q", "origin", "main");
  const release = spawnSync(join(repo.dir, "node_modules/.bin/release"), ["--no-ci"], {
    cwd: repo.dir,
    env: cleanEnv({ MIGRAKIT_DATABASE_URL: pg.adminUrl, XDG_CACHE_HOME: repo.env.XDG_CACHE_HOME }),
    encoding: "utf8",
    timeout: 300_000,
  });
  ok(release, "semantic-release");
  assert.deepEqual(repo.git("tag", "--list").split("\n").filter(Boolean).sort(), ["v0.1.0", "v0.2.0"]);
  assert.equal(repo.git("status", "--porcelain"), "", "everything the release changed is committed");
  const message = repo.git("log", "-1", "--format=%B");
  assert.match(message, /^chore\(release\): 0\.2\.0/);
  assert.match(message, /### Database migrations/);
  for (const [p, s] of [
    [CORE, CORE_EMAIL],
    [MODULE, MODULE_COMMENT],
  ] as const) {
    const file = releasedFile(p, s, "v0_2_0");
    assert.equal(repo.read(file).split("\n")[0], '"""v0.2.0."""', file);
    assert.match(repo.read(init(p)), /__version__ = "0\.2\.0"/);
    assert.ok(message.includes(`2023-03-10-${s.revision}-v0_2_0.py`), `${p.name}'s script in the notes:\n${message}`);
  }
  assert.equal(
    repo.git("ls-remote", `file://${remote}`, "refs/heads/main").split("\t")[0],
    repo.git("rev-parse", "HEAD").trim(),
    "the release commit is pushed",
  );

  for (const [p, s] of [
    [CORE, CORE_EMAIL],
    [MODULE, MODULE_COMMENT],
  ] as const) {
    const behind = status(p);
    assert.equal(behind.status, 1, behind.stdout + behind.stderr);
    assert.ok(behind.stdout.includes(s.revision), `${p.name}: the pending script\n${behind.stdout}`);
  }
  ok(deploy(CORE), "deploy core 0.2.0");
  ok(deploy(MODULE), "deploy the module 0.2.0");
  for (const p of [CORE, MODULE]) ok(status(p), `${p.name} at head`);
  const rows = await withClient(
    db.url,
    async (c) =>
      (await c.query(`SELECT g.comment, u.email FROM bionty.gene g JOIN core."user" u ON u.id = g.created_by`)).rows,
  );
  assert.deepEqual(rows, [{ comment: "kept", email: null }]);
  ok(repo.migrakit(["check"]), "check after the release");
});
