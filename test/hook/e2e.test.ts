// End to end, as a user gets it: `npm pack`, the tarball installed, a git repo holding the example schema
// package and a venv (the package on sys.path as `pip install -e .` leaves it), husky's hook, then real
// `git commit`s. One install and one embedded Postgres for the file; every scenario has a repo of its own,
// set up to the state it starts from by writing and committing files directly (no replay of earlier
// scenarios), so one failure cannot cascade. CI=true runs use the Postgres by URL; the developer path (no CI)
// reaches the same server the way a developer's runs do, as the embedded server kept in its data folder.
import { after, before, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { withClient } from "../../src/db/connect.js";
import { createScratchDatabase } from "../../src/db/scratch.js";
import { pruneTemplates } from "../../src/db/templates.js";
import { generatedScriptText, type GeneratedScript } from "../helpers/generated-script.js";
import { installWithPostgres, userRepo, type Install, type UserRepo } from "../helpers/installed.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { REPO_ROOT } from "../helpers/python.js";

const PKG = "lnschema_demo";
const VERSIONS = `${PKG}/migrations/versions`;
const CORE = `${PKG}/_core.py`;
const INIT = `${PKG}/__init__.py`;
const RELEASE_HEAD = "dd2b4a9499f2";

let pg: TestPostgres;
let install: Install;

before(async () => {
  await installWithPostgres(startTestPostgres, (made) => {
    if (made.pg) pg = made.pg;
    if (made.install) install = made.install;
  });
});

after(async () => {
  // The baseline templates generate and check keep for warm runs are migrakit's to keep, not leftovers.
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
  install?.cleanup();
});

const ci = (): NodeJS.ProcessEnv => ({ CI: "true", MIGRAKIT_DATABASE_URL: pg.adminUrl });
// The developer path: no CI, the embedded server (this file's, in its data folder: migrakit finds it running
// and keeps it), the result cache on, the warm worker on (exiting soon after its last run).
const developer = (): NodeJS.ProcessEnv => ({
  CI: "",
  MIGRAKIT_DATABASE_URL: "",
  MIGRAKIT_POSTGRES_DIR: pg.dataDir,
  MIGRAKIT_NO_CACHE: "",
  MIGRAKIT_WORKER: "",
  MIGRAKIT_WORKER_IDLE: "5",
});

/** The example package at its 0.2.0 release (committed, tagged), in a repo of this test's own. */
function released(t: TestContext, env: NodeJS.ProcessEnv): UserRepo {
  const repo = userRepo(install, { source: join(REPO_ROOT, "examples/schema-repo"), env, tag: "v0.2.0" });
  t.after(() => repo.cleanup());
  return repo;
}

const renameVersionInOrm = (repo: UserRepo) => {
  repo.edit(
    CORE,
    '    version: str = Field(default="1", primary_key=True)',
    '    v: str = Field(default="1", primary_key=True)',
  );
  repo.edit(CORE, '"core.transform.version"', '"core.transform.v"');
};

/** A script as migrakit writes it (machine-owned), with `_migration` pointing at it. */
function writeGenerated(repo: UserRepo, s: GeneratedScript): string {
  const file = `${VERSIONS}/2023-03-01-${s.revision}-vx_x_x.py`;
  repo.write(file, generatedScriptText(s));
  repo.edit(INIT, `_migration = "${RELEASE_HEAD}"`, `_migration = "${s.revision}"`);
  return file;
}

const RENAME_REVISION = "a1b2c3d4e5f6";

/** After the release: the rename of transform.version to v, generated and committed (the seed's unreleased state). */
function renamed(t: TestContext, env: NodeJS.ProcessEnv): { repo: UserRepo; script: string } {
  const repo = released(t, env);
  renameVersionInOrm(repo);
  const script = writeGenerated(repo, {
    revision: RENAME_REVISION,
    down: RELEASE_HEAD,
    notes: ["migrakit: rename core.transform.version=v"],
    upgrade: ['op.alter_column("transform", column_name="version", new_column_name="v", schema="core")'],
    downgrade: ['op.alter_column("transform", column_name="v", new_column_name="version", schema="core")'],
  });
  repo.git("add", "-A");
  repo.git("commit", "-q", "--no-verify", "-m", "feat: rename transform.version to v");
  return { repo, script };
}

/**
 * Upgrade a scratch database to `fromRevision` with plain alembic (the repo's venv), run `insert`, upgrade
 * to head, and return what `select` reads: what an instance's rows become under the committed scripts.
 */
async function rowsAfterUpgrade(repo: UserRepo, fromRevision: string, insert: string, select: string) {
  const db = await createScratchDatabase(pg.adminUrl);
  try {
    const url = JSON.stringify(db.url.replace("postgresql://", "postgresql+psycopg2://"));
    const alembic = (rev: string) =>
      repo.sh(".venv/bin/python", [
        "-c",
        `from alembic.config import Config; from alembic import command; c = Config(); c.set_main_option("script_location", "${PKG}/migrations"); c.set_main_option("sqlalchemy.url", ${url}); command.upgrade(c, "${rev}")`,
      ]);
    // Plain alembic does not create the ORM's schema (migrakit's bridge does, like lamin's tooling did).
    await withClient(db.url, (c) => c.query("CREATE SCHEMA IF NOT EXISTS core"));
    alembic(fromRevision);
    await withClient(db.url, (c) => c.query(insert));
    alembic("head");
    return await withClient(db.url, async (c) => (await c.query(select)).rows);
  } finally {
    await db.drop();
  }
}

const scriptOf = (repo: UserRepo) => {
  const scripts = repo.unreleased(VERSIONS);
  assert.equal(scripts.length, 1, `one unreleased script: ${scripts.join(", ")}`);
  return `${VERSIONS}/${scripts[0]}`;
};

test("CI=true: renaming the primary-key column version → v commits the script and _migration; the rows keep their version as v", async (t) => {
  const repo = released(t, ci());
  renameVersionInOrm(repo);
  repo.git("add", CORE);
  const r = repo.commit("feat: rename transform.version to v");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const file = scriptOf(repo);
  assert.match(file, /\/\d{4}-\d{2}-\d{2}-[0-9a-f]{12}-vx_x_x\.py$/);
  const revision = file.split("-")[3]!;
  assert.deepEqual(repo.committedFiles().sort(), [CORE, INIT, file].sort(), "the ORM, the script and _migration");
  const text = repo.git("show", `HEAD:${file}`);
  assert.ok(text.startsWith('"""vX.X.X."""'), text);
  assert.match(text, new RegExp(`revision = "${revision}"`));
  assert.match(text, /down_revision = ['"]dd2b4a9499f2['"]/);
  assert.ok(
    text.includes('op.alter_column("transform", column_name="version", new_column_name="v", schema="core")'),
    text,
  );
  // A real rename: no column is dropped or added (a drop and an add would lose every transform's version).
  assert.doesNotMatch(text, /drop_column|add_column/, text);
  assert.ok(!text.includes("drop_constraint"), "the foreign key from run follows the column by itself");
  assert.match(repo.git("show", `HEAD:${INIT}`), new RegExp(`_migration = "${revision}"`));
  assert.equal(repo.git("status", "--porcelain"), "");
  const rows = await rowsAfterUpgrade(
    repo,
    RELEASE_HEAD,
    `INSERT INTO core."user" (id, email, handle) VALUES ('u1', 'a@b', 'a');
     INSERT INTO core.transform (id, version, created_by) VALUES ('t1', '7', 'u1'), ('t2', '1', 'u1');
     INSERT INTO core.run (id, transform_id, transform_version) VALUES ('r1', 't1', '7')`,
    `SELECT t.id, t.v, r.id AS run FROM core.transform t LEFT JOIN core.run r
       ON r.transform_id = t.id AND r.transform_version = t.v ORDER BY t.id`,
  );
  assert.deepEqual(rows, [
    { id: "t1", v: "7", run: "r1" },
    { id: "t2", v: "1", run: null },
  ]);
  const check = repo.migrakit(["check"]);
  assert.equal(check.status, 0, check.stdout + check.stderr);
});

test("developer path (no CI): a second ORM edit refreshes the same script; the embedded server is kept and an unchanged check is answered from the cache", (t) => {
  const { repo, script } = renamed(t, developer());
  const server = () => JSON.parse(repo.migrakit(["server", "status", "--json"]).stdout);
  const before = server();
  assert.equal(before.running, true);
  assert.equal(before.dataDir, pg.dataDir, "this file's server, reached through MIGRAKIT_POSTGRES_DIR");
  repo.edit(
    CORE,
    "    handle: str = Field(index=True, unique=True)\n",
    "    handle: str = Field(index=True, unique=True)\n    nick: Optional[str] = None\n",
  );
  repo.git("add", CORE);
  const r = repo.commit("feat: user nick");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(scriptOf(repo), script, "the same script, refreshed");
  const text = repo.git("show", `HEAD:${script}`);
  assert.ok(text.includes("op.add_column('user', sa.Column('nick'"), text);
  assert.ok(text.includes('new_column_name="v"'), "the rename stays");
  assert.match(text, /^import sqlmodel$/m, "the import the new AutoString column needs is added");
  assert.deepEqual(repo.committedFiles().sort(), [CORE, script].sort());
  const afterHook = server();
  assert.equal(afterHook.running, true, "the embedded server is kept for the next run");
  assert.equal(afterHook.pid, before.pid, "the same server");
  const first = repo.migrakit(["check"]);
  assert.equal(first.status, 0, first.stdout + first.stderr);
  assert.doesNotMatch(first.stderr, /answered from the cache/);
  const second = repo.migrakit(["check"]);
  assert.equal(second.status, 0, second.stdout + second.stderr);
  assert.match(second.stderr, /answered from the cache/);
  assert.equal(server().pid, before.pid);
});

test("CI=true: a hand-edited script is kept and the commit is blocked with the lines still missing", (t) => {
  const { repo, script } = renamed(t, ci());
  repo.edit(
    script,
    "def downgrade() -> None:\n",
    'def downgrade() -> None:\n    op.execute("UPDATE core.transform SET name = NULL")\n',
  );
  const edited = repo.read(script);
  repo.edit(
    CORE,
    "    handle: str = Field(index=True, unique=True)\n",
    "    handle: str = Field(index=True, unique=True)\n    age: Optional[int] = None\n",
  );
  repo.git("add", CORE, script);
  const head = repo.git("rev-parse", "HEAD");
  const r = repo.commit("feat: user age");
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /EMIGRAKIT_SCRIPT_EDITED/);
  assert.ok(
    r.stderr.includes("op.add_column('user', sa.Column('age', sa.Integer(), nullable=True), schema='core')"),
    r.stderr,
  );
  assert.equal(repo.read(script), edited, "the script is kept byte for byte");
  assert.equal(repo.git("rev-parse", "HEAD"), head, "nothing was committed");
});

test("CI=true: a partially staged ORM file: only the staged hunk is migrated, the unstaged hunk stays as it was", (t) => {
  const { repo, script } = renamed(t, ci());
  repo.edit(
    CORE,
    "    handle: str = Field(index=True, unique=True)\n",
    "    handle: str = Field(index=True, unique=True)\n    bio: Optional[str] = None\n",
  );
  repo.git("add", CORE);
  repo.edit(
    CORE,
    "    name: Optional[str] = Field(default=None, index=True)\n    transform_id",
    "    name: Optional[str] = Field(default=None, index=True)\n    note: Optional[str] = None\n    transform_id",
  );
  const worktree = repo.read(CORE);
  const unstagedDiff = repo.git("diff", "--", CORE);
  const r = repo.commit("feat: user bio");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(repo.read(CORE), worktree, "working tree file untouched");
  assert.equal(repo.git("diff", "--", CORE), unstagedDiff, "the unstaged hunk is still unstaged");
  const text = repo.git("show", `HEAD:${script}`);
  assert.ok(text.includes("'bio'") && !text.includes("'note'"), text);
});

test("a commit touching no ORM file starts no Python (a missing interpreter and database would fail it)", (t) => {
  const repo = released(t, {
    ...ci(),
    MIGRAKIT_PYTHON: "/nonexistent/python",
    MIGRAKIT_DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none",
  });
  repo.write("README.md", "# schema repo\n");
  repo.git("add", "README.md");
  const r = repo.commit("docs: readme");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stderr.trim(), "");
});

test("CI=true: renaming a released column and a table is a real rename: the rows inserted before the upgrade keep their values", async (t) => {
  const repo = released(t, ci());
  repo.edit(
    CORE,
    "    name: Optional[str] = Field(default=None, index=True)\n    created_by",
    "    title: Optional[str] = Field(default=None, index=True)\n    created_by",
  );
  repo.edit(CORE, "class Run(SQLModel, table=True):", "class Execution(SQLModel, table=True):");
  repo.edit(INIT, "from ._core import Run, Transform, User", "from ._core import Execution, Transform, User");
  repo.git("add", CORE, INIT);
  const r = repo.commit("feat: rename transform.name and run");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const text = repo.read(scriptOf(repo));
  assert.ok(
    text.includes('op.alter_column("transform", column_name="name", new_column_name="title", schema="core")'),
    text,
  );
  assert.ok(text.includes('op.rename_table("run", "execution", schema="core")'), text);
  // Not a drop and an add of either (which would lose every transform's name and every run).
  assert.doesNotMatch(text, /drop_column|add_column|drop_table|create_table/, text);
  const rows = await rowsAfterUpgrade(
    repo,
    RELEASE_HEAD,
    `INSERT INTO core."user" (id, email, handle) VALUES ('u1', 'a@b', 'a');
     INSERT INTO core.transform (id, version, name, created_by) VALUES ('t1', '1', 'nightly', 'u1'), ('t2', '1', NULL, 'u1');
     INSERT INTO core.run (id, name, transform_id, transform_version) VALUES ('r1', 'first', 't1', '1')`,
    `SELECT t.id, t.title, e.id AS execution, e.name AS execution_name FROM core.transform t
       LEFT JOIN core.execution e ON e.transform_id = t.id ORDER BY t.id`,
  );
  assert.deepEqual(rows, [
    { id: "t1", title: "nightly", execution: "r1", execution_name: "first" },
    { id: "t2", title: null, execution: null, execution_name: null },
  ]);
});

test("CI=true: an ambiguous rename is reported with the exact --rename options, not guessed; nothing is written", (t) => {
  const repo = released(t, ci());
  repo.edit(
    CORE,
    "    email: str = Field(index=True, unique=True)\n    handle: str = Field(index=True, unique=True)\n",
    "    contact: str = Field(index=True, unique=True)\n    alias: str = Field(index=True, unique=True)\n",
  );
  repo.git("add", CORE);
  const head = repo.git("rev-parse", "HEAD");
  const r = repo.commit("feat: ambiguous");
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /EMIGRAKIT_RENAME_AMBIGUOUS/);
  // Equally good candidates (same shape, no foreign key, names alike neither): only then does migrakit ask.
  assert.match(r.stderr, /--rename user\.email=contact/);
  assert.match(r.stderr, /--rename user\.handle=alias/);
  assert.deepEqual(repo.unreleased(VERSIONS), [], "no script written");
  assert.match(repo.read(INIT), /_migration = "dd2b4a9499f2"/);
  assert.equal(repo.git("rev-parse", "HEAD"), head);
});

test("CI=true: two branches that each added a script: merging main into the branch rebases the branch's script", (t) => {
  const repo = released(t, ci());
  const start = repo.git("rev-parse", "HEAD").trim();
  // main: a column on user, its script as the hook would have written it.
  repo.edit(
    CORE,
    "    handle: str = Field(index=True, unique=True)\n",
    "    handle: str = Field(index=True, unique=True)\n    team: Optional[str] = None\n",
  );
  const mainScript = writeGenerated(repo, {
    revision: "aaaa00000001",
    down: RELEASE_HEAD,
    imports: ["import sqlmodel"],
    upgrade: [
      "op.add_column('user', sa.Column('team', sqlmodel.sql.sqltypes.AutoString(), nullable=True), schema='core')",
    ],
    downgrade: ["op.drop_column('user', 'team', schema='core')"],
  });
  repo.git("add", "-A");
  repo.git("commit", "-q", "--no-verify", "-m", "feat: team");
  // feature, from the release: a column on transform, its own script on the same parent.
  repo.git("checkout", "-q", "-b", "feature", start);
  repo.edit(
    CORE,
    "    name: Optional[str] = Field(default=None, index=True)\n    created_by",
    "    name: Optional[str] = Field(default=None, index=True)\n    kind: Optional[str] = None\n    created_by",
  );
  const branchScript = writeGenerated(repo, {
    revision: "bbbb00000002",
    down: RELEASE_HEAD,
    imports: ["import sqlmodel"],
    upgrade: [
      "op.add_column('transform', sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=True), schema='core')",
    ],
    downgrade: ["op.drop_column('transform', 'kind', schema='core')"],
  });
  repo.git("add", "-A");
  repo.git("commit", "-q", "--no-verify", "-m", "feat: transform kind");
  // _migration conflicts (both branches set it): take main's; the hook re-parents and sets it again.
  const merged = repo.sh("git", ["merge", "--no-ff", "--no-commit", "main"], { ok: false });
  if (merged.status !== 0) {
    repo.git("checkout", "--theirs", "--", INIT);
    repo.git("add", INIT);
  }
  const r = repo.commit("merge main");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /rebased/);
  const branchText = repo.read(branchScript);
  assert.match(branchText, /down_revision = ['"]aaaa00000001['"]/);
  assert.match(branchText, /'kind'/);
  assert.ok(!branchText.includes("'team'"), "main's column is main's script's business");
  assert.equal(repo.git("show", `HEAD:${mainScript}`), repo.read(mainScript), "main's script is unchanged");
  assert.match(repo.read(INIT), /_migration = "bbbb00000002"/);
  const check = repo.migrakit(["check"]);
  assert.equal(check.status, 0, check.stdout + check.stderr);
});
