// End to end, as a user gets it: `npm pack`, the tarball installed into a fresh git repo holding the example
// schema package and a venv (the package pip-installed in editable mode, as the seed asks), husky's hook,
// then real `git commit`s. One tarball, one Postgres and one repo for the file; the scenarios run in order.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { withClient } from "../../src/db/connect.js";
import { pruneTemplates } from "../../src/db/templates.js";
import { createScratchDatabase } from "../../src/db/scratch.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const VENV_SITE = execFileSync(
  join(ROOT, ".venvs/current/bin/python"),
  ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
  { encoding: "utf8" },
).trim();
const PKG = "lnschema_demo";
const VERSIONS = `${PKG}/migrations/versions`;

let pg: TestPostgres;
let dir: string;
let work: string;
let env: NodeJS.ProcessEnv;

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; ok?: boolean } = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? dir, env: opts.env ?? env, encoding: "utf8", timeout: 600_000 });
  if (opts.ok !== false && r.status !== 0)
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}
const git = (...args: string[]) => sh("git", args).stdout;
const commit = (msg: string, extraEnv: NodeJS.ProcessEnv = {}) =>
  sh("git", ["commit", "-m", msg], { ok: false, env: { ...env, ...extraEnv } });
const read = (rel: string) => readFileSync(join(dir, rel), "utf8");
const edit = (rel: string, from: string, to: string) => {
  const text = read(rel);
  assert.ok(text.includes(from), `${rel} contains ${from}`);
  writeFileSync(join(dir, rel), text.replace(from, to));
};
const unreleased = () => readdirSync(join(dir, VERSIONS)).filter((f) => f.endsWith("-vx_x_x.py"));
const committedFiles = () => git("show", "--name-only", "--format=", "HEAD").split("\n").filter(Boolean);
const CORE = `${PKG}/_core.py`;

before(async () => {
  pg = await startTestPostgres();
  work = mkdtempSync(join(tmpdir(), "migrakit-e2e-"));
  dir = join(work, "repo");
  env = {
    ...process.env,
    MIGRAKIT_DATABASE_URL: pg.adminUrl,
    MIGRAKIT_PYTHON: "",
    VIRTUAL_ENV: "",
    CI: "true",
    GITHUB_ACTIONS: "",
    GIT_AUTHOR_NAME: "Dev",
    GIT_AUTHOR_EMAIL: "dev@example.com",
    GIT_COMMITTER_NAME: "Dev",
    GIT_COMMITTER_EMAIL: "dev@example.com",
  };
  delete env.HUSKY;
  delete env.MIGRAKIT_SKIP;
  sh("npm", ["pack", "--ignore-scripts", "--pack-destination", work], { cwd: ROOT });
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"))!;
  cpSync(join(ROOT, "examples/schema-repo"), dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "schema-repo", private: true }, null, 2));
  writeFileSync(join(dir, ".gitignore"), "node_modules/\n.venv/\n*.egg-info/\n__pycache__/\n");
  git("init", "-q", "-b", "main");
  sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", join(work, tarball)]);
  // The venv: the pinned test stack through a .pth, the schema package installed editable (offline).
  sh("python3", ["-m", "venv", ".venv"]);
  const site = sh(".venv/bin/python", [
    "-c",
    "import sysconfig; print(sysconfig.get_paths()['purelib'])",
  ]).stdout.trim();
  writeFileSync(join(site, "migrakit-test-stack.pth"), VENV_SITE + "\n");
  // `pip install -e .` in setuptools' path mode (what it writes when it cannot build an editable wheel
  // offline): a .pth putting the working tree on sys.path, so `import lnschema_demo` finds the working tree.
  writeFileSync(join(site, "__editable__.lnschema_demo-0.2.0.pth"), dir + "\n");
  sh("npx", ["--no-install", "husky"]);
  cpSync(join(dir, "node_modules/migrakit/hooks/pre-commit"), join(dir, ".husky/pre-commit"));
  git("add", "-A");
  git("commit", "-q", "--no-verify", "-m", "chore: schema repo at 0.2.0");
  git("tag", "v0.2.0");
});

after(async () => {
  // The baseline templates generate and check keep for warm runs are migrakit's to keep, not leftovers.
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("renaming the primary-key column version → v: the commit holds the script and _migration, check passes", () => {
  edit(
    CORE,
    '    version: str = Field(default="1", primary_key=True)',
    '    v: str = Field(default="1", primary_key=True)',
  );
  edit(CORE, '"core.transform.version"', '"core.transform.v"');
  git("add", CORE);
  const r = commit("feat: rename transform.version to v");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const [script] = unreleased();
  assert.ok(script, "a vx_x_x script");
  assert.match(script!, /^\d{4}-\d{2}-\d{2}-[0-9a-f]{12}-vx_x_x\.py$/);
  const revision = script!.split("-")[3]!;
  assert.ok(committedFiles().includes(`${VERSIONS}/${script}`), "the script is in the commit");
  assert.ok(committedFiles().includes(`${PKG}/__init__.py`), "the _migration change is in the commit");
  const text = git("show", `HEAD:${VERSIONS}/${script}`);
  assert.ok(text.startsWith('"""vX.X.X."""'), text);
  assert.match(text, new RegExp(`revision = "${revision}"`));
  assert.match(text, /down_revision = ['"]dd2b4a9499f2['"]/);
  assert.ok(
    text.includes('op.alter_column("transform", column_name="version", new_column_name="v", schema="core")'),
    text,
  );
  assert.ok(!text.includes("drop_constraint"), "the foreign key from run follows the column by itself");
  assert.match(git("show", `HEAD:${PKG}/__init__.py`), new RegExp(`_migration = "${revision}"`));
  assert.equal(git("status", "--porcelain"), "");
  const check = sh("npx", ["--no-install", "migrakit", "check"], { ok: false });
  assert.equal(check.status, 0, check.stdout + check.stderr);
});

test("a second ORM edit before the release refreshes the same script instead of stacking one", () => {
  edit(
    CORE,
    "    handle: str = Field(index=True, unique=True)\n",
    "    handle: str = Field(index=True, unique=True)\n    nick: Optional[str] = None\n",
  );
  git("add", CORE);
  const r = commit("feat: user nick");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(unreleased().length, 1);
  const text = read(`${VERSIONS}/${unreleased()[0]}`);
  assert.ok(text.includes("op.add_column('user', sa.Column('nick'"), text);
  assert.ok(text.includes('new_column_name="v"'), "the rename stays");
  assert.match(text, /^import sqlmodel$/m);
});

test("a hand-edited script is kept and the commit is blocked with the lines still missing", () => {
  const file = `${VERSIONS}/${unreleased()[0]}`;
  edit(
    file,
    "def downgrade() -> None:\n",
    'def downgrade() -> None:\n    op.execute("UPDATE core.user SET nick = NULL")\n',
  );
  const edited = read(file);
  edit(CORE, "    nick: Optional[str] = None\n", "    nick: Optional[str] = None\n    age: Optional[int] = None\n");
  git("add", CORE, file);
  const r = commit("feat: user age");
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /EMIGRAKIT_SCRIPT_EDITED/);
  assert.ok(
    r.stderr.includes("op.add_column('user', sa.Column('age', sa.Integer(), nullable=True), schema='core')"),
    r.stderr,
  );
  assert.equal(read(file), edited, "the script is kept byte for byte");
  git("reset", "-q", "--hard", "HEAD");
});

test("a partially staged ORM file: only the staged hunk is migrated, the unstaged hunk stays as it was", () => {
  edit(CORE, "    nick: Optional[str] = None\n", "    nick: Optional[str] = None\n    bio: Optional[str] = None\n");
  git("add", CORE);
  edit(
    CORE,
    "    name: Optional[str] = Field(default=None, index=True)\n    transform_id",
    "    name: Optional[str] = Field(default=None, index=True)\n    note: Optional[str] = None\n    transform_id",
  );
  const before = read(CORE);
  const unstagedDiff = git("diff", "--", CORE);
  const r = commit("feat: user bio");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(read(CORE), before, "working tree file untouched");
  assert.equal(git("diff", "--", CORE), unstagedDiff, "the unstaged hunk is still unstaged");
  const text = git("show", `HEAD:${VERSIONS}/${unreleased()[0]}`);
  assert.ok(text.includes("'bio'") && !text.includes("'note'"), text);
  git("checkout", "--", CORE);
});

test("a commit touching no ORM file starts no Python (a missing interpreter and database would fail it)", () => {
  writeFileSync(join(dir, "README.md"), "# schema repo\n");
  git("add", "README.md");
  const r = commit("docs: readme", {
    MIGRAKIT_PYTHON: "/nonexistent/python",
    MIGRAKIT_DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none",
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stderr.trim(), "");
});

/** Upgrade a fresh database to `from` with alembic, insert a row, upgrade to head; return the table's rows. */
async function dataSurvives(fromRevision: string, insert: string, select: string): Promise<unknown[]> {
  const db = await createScratchDatabase(pg.adminUrl);
  try {
    const alembic = (rev: string) =>
      sh(".venv/bin/python", [
        "-c",
        `from alembic.config import Config; from alembic import command; c = Config(); c.set_main_option("script_location", "${PKG}/migrations"); c.set_main_option("sqlalchemy.url", ${JSON.stringify(db.url.replace("postgresql://", "postgresql+psycopg2://"))}); command.upgrade(c, "${rev}")`,
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

test("renaming a column and a table keeps the rows inserted before the upgrade", async () => {
  // transform.name exists in release 0.2.0, so renaming it is a real column rename (a column added since
  // the release, such as bio, would just be added under its new name).
  edit(
    CORE,
    "    name: Optional[str] = Field(default=None, index=True)\n    created_by",
    "    title: Optional[str] = Field(default=None, index=True)\n    created_by",
  );
  edit(CORE, "class Run(SQLModel, table=True):", "class Execution(SQLModel, table=True):");
  edit(
    `${PKG}/__init__.py`,
    "from ._core import Run, Transform, User",
    "from ._core import Execution, Transform, User",
  );
  git("add", CORE, `${PKG}/__init__.py`);
  const r = commit("feat: rename bio and run");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const text = read(`${VERSIONS}/${unreleased()[0]}`);
  // A real rename, not a drop and an add (which would lose every transform's name).
  assert.ok(
    text.includes('op.alter_column("transform", column_name="name", new_column_name="title", schema="core")'),
    text,
  );
  assert.doesNotMatch(text, /drop_column\('transform', 'name'/, text);
  assert.ok(text.includes('op.rename_table("run", "execution", schema="core")'), text);
  const rows = await dataSurvives(
    "dd2b4a9499f2",
    `INSERT INTO core."user" (id, email, handle) VALUES ('u1', 'a@b', 'a'); INSERT INTO core.transform (id, version, created_by) VALUES ('t1', '1', 'u1'); INSERT INTO core.run (id, transform_id, transform_version) VALUES ('r1', 't1', '1')`,
    `SELECT e.id, t.v FROM core.execution e JOIN core.transform t ON t.id = e.transform_id AND t.v = e.transform_version`,
  );
  assert.deepEqual(rows, [{ id: "r1", v: "1" }]);
  // The renamed column keeps its rows: a transform's name before the upgrade is its title after it.
  const titles = await dataSurvives(
    "dd2b4a9499f2",
    `INSERT INTO core."user" (id, email, handle) VALUES ('u1', 'a@b', 'a'); INSERT INTO core.transform (id, version, name, created_by) VALUES ('t1', '1', 'nightly', 'u1'), ('t2', '1', NULL, 'u1')`,
    `SELECT id, title FROM core.transform ORDER BY id`,
  );
  assert.deepEqual(titles, [
    { id: "t1", title: "nightly" },
    { id: "t2", title: null },
  ]);
});

test("an ambiguous rename is reported with the exact --rename options, not guessed", () => {
  edit(
    CORE,
    "    email: str = Field(index=True, unique=True)\n    handle: str = Field(index=True, unique=True)\n",
    "    contact: str = Field(index=True, unique=True)\n    alias: str = Field(index=True, unique=True)\n",
  );
  git("add", CORE);
  const before = read(`${VERSIONS}/${unreleased()[0]}`);
  const r = commit("feat: ambiguous");
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /EMIGRAKIT_RENAME_AMBIGUOUS/);
  // Equally good candidates (same shape, no foreign key, names alike neither): only then does migrakit ask.
  assert.match(r.stderr, /--rename user\.email=contact/);
  assert.match(r.stderr, /--rename user\.handle=alias/);
  assert.equal(read(`${VERSIONS}/${unreleased()[0]}`), before);
  git("reset", "-q", "--hard", "HEAD");
});

test("two branches that each added a script: merging main into the branch rebases the branch's script", () => {
  // Release what is there, so that each branch starts a script of its own.
  sh("npx", ["--no-install", "migrakit", "release-prepare", "--version", "0.3.0"]);
  git("add", "-A", PKG);
  git("commit", "-q", "--no-verify", "-m", "chore(release): 0.3.0");
  git("checkout", "-q", "-b", "feature");
  git("checkout", "-q", "main");
  edit(
    CORE,
    "    handle: str = Field(index=True, unique=True)\n",
    "    handle: str = Field(index=True, unique=True)\n    team: Optional[str] = None\n",
  );
  git("add", CORE);
  assert.equal(commit("feat: team").status, 0);
  const mainScript = unreleased()[0]!;
  git("checkout", "-q", "feature");
  edit(
    CORE,
    "    title: Optional[str] = Field(default=None, index=True)\n    created_by",
    "    title: Optional[str] = Field(default=None, index=True)\n    kind: Optional[str] = None\n    created_by",
  );
  git("add", CORE);
  assert.equal(commit("feat: transform kind").status, 0);
  const branchScript = unreleased()[0]!;
  assert.notEqual(branchScript, mainScript);
  // _migration conflicts (both branches set it): take main's; the hook re-parents and sets it again.
  const merged = sh("git", ["merge", "--no-ff", "--no-commit", "main"], { ok: false });
  if (merged.status !== 0) {
    git("checkout", "--theirs", "--", `${PKG}/__init__.py`);
    git("add", `${PKG}/__init__.py`);
  }
  const r = commit("merge main");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /rebased/);
  const branchText = read(`${VERSIONS}/${branchScript}`);
  assert.match(branchText, new RegExp(`down_revision = ['"]${mainScript.split("-")[3]}['"]`));
  assert.ok(!branchText.includes("'team'"), "main's column is main's script's business");
  assert.match(read(`${PKG}/__init__.py`), new RegExp(`_migration = "${branchScript.split("-")[3]}"`));
  const check = sh("npx", ["--no-install", "migrakit", "check"], { ok: false });
  assert.equal(check.status, 0, check.stdout + check.stderr);
});
