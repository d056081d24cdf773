// `status` and `deploy` of an app's history that branched and merged again into one head (convention alembic,
// test/fixtures/alembic-app plus two branches and their merge): the pending scripts are what the head has
// below it and the instance does not, parents first; deploy applies them through the real bridge and leaves
// the head's one row in the version table, which plain alembic (`current`, `heads`) agrees with. Labelled
// branches (several heads) are still refused with EMIGRAKIT_HISTORY_NOT_LINEAR, and its fix works.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { withClient } from "../../src/db/connect.js";
import { createScratchDatabase } from "../../src/db/scratch.js";
import { testPythons } from "../helpers/python.js";
import { cliOnServer, fixtureRepo, serverForFile, type FixtureRepo } from "../check/dynamic-helpers.js";

const server = serverForFile();
const cli = cliOnServer(server);
const VERSIONS = "alembic/versions";
const ROOT = "1a2b3c4d5e6f";
const TAGS = "aaaaaaaaaaaa"; // one side: a new table
const VIEWS = "bbbbbbbbbbbb"; // the other side: a column on post
const MERGE = "cccccccccccc";
const INDEX = "dddddddddddd"; // after TAGS, without a transaction

/** Plain alembic through the repo's own alembic.ini and env.py on `url`; returns its output. */
function alembic(python: string, repo: FixtureRepo, url: string, command: string): string {
  const code =
    `from alembic.config import Config; from alembic import command; c = Config("alembic.ini"); ` +
    `c.set_main_option("sqlalchemy.url", ${JSON.stringify(url.replace("postgresql://", "postgresql+psycopg2://"))}); ${command}`;
  const r = spawnSync(python, ["-c", code], { cwd: repo.dir, encoding: "utf8" });
  assert.equal(r.status, 0, `${command}\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

/**
 * alembic-app with two branches off its first script and a merge of them, committed. With `concurrently`, the
 * tags side goes on with a script declared to run without a transaction before the merge. (A plain CREATE
 * INDEX: the fixture's own env.py opens its own connection and transaction, so CONCURRENTLY could not run
 * there whatever migrakit does; what is tested here is how deploy cuts the history into runs.)
 */
function mergedRepo(o: { concurrently?: boolean } = {}): FixtureRepo {
  const repo = fixtureRepo("alembic-app");
  const script = (rev: string, down: string, up: string, down_: string, extra = "") =>
    `"""${rev}"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "${rev}"\ndown_revision = ${down}\nbranch_labels = None\ndepends_on = None\n${extra}\n\ndef upgrade() -> None:\n    ${up}\n\n\ndef downgrade() -> None:\n    ${down_}\n`;
  repo.write(
    `${VERSIONS}/20240102_${TAGS}_tags.py`,
    script(
      TAGS,
      `"${ROOT}"`,
      'op.create_table("tag", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(50)))',
      'op.drop_table("tag")',
    ),
  );
  repo.write(
    `${VERSIONS}/20240102_${VIEWS}_views.py`,
    script(
      VIEWS,
      `"${ROOT}"`,
      'op.add_column("post", sa.Column("views", sa.Integer()))',
      'op.drop_column("post", "views")',
    ),
  );
  if (o.concurrently)
    repo.write(
      `${VERSIONS}/20240102_${INDEX}_tag_index.py`,
      script(
        INDEX,
        `"${TAGS}"`,
        'op.create_index("ix_tag_name", "tag", ["name"])',
        'op.drop_index("ix_tag_name", table_name="tag")',
        "migrakit_transaction = False\n",
      ),
    );
  // The models as the merge leaves them (what check and check --against compare the scripts with).
  repo.edit(
    "app/models.py",
    "    title = Column(String(200), nullable=False)",
    `    title = Column(String(200), nullable=False)\n    views = Column(Integer)\n\n\nclass Tag(Base):\n    __tablename__ = "tag"\n    id = Column(Integer, primary_key=True)\n    name = Column(String(50)${o.concurrently ? ", index=True" : ""})`,
  );
  const sides = `("${o.concurrently ? INDEX : TAGS}", "${VIEWS}")`;
  repo.write(`${VERSIONS}/20240103_${MERGE}_merge.py`, script(MERGE, sides, "pass", "pass"));
  repo.commit("two branches, merged");
  return repo;
}

const versionRows = (url: string) =>
  withClient(url, async (c) => (await c.query("SELECT version_num FROM alembic_version ORDER BY 1")).rows).then(
    (rows) => rows.map((r) => r.version_num as string),
  );

const columnsOf = (url: string, table: string) =>
  withClient(url, async (c) =>
    (
      await c.query("SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY 1", [table])
    ).rows.map((r) => r.column_name as string),
  );

/** An instance at `revision` (plain alembic), with an account and a post that a deploy must keep. */
async function instanceAt(python: string, repo: FixtureRepo, revision: string) {
  const db = await createScratchDatabase(server.pg.adminUrl);
  alembic(python, repo, db.url, `command.upgrade(c, "${revision}")`);
  await withClient(db.url, async (c) => {
    await c.query("INSERT INTO account (id, email) VALUES (1, 'a@example.com')");
    await c.query("INSERT INTO post (id, account_id, title) VALUES (1, 1, 'kept')");
  });
  return db;
}

function statusJson(repo: FixtureRepo, python: string, url: string) {
  const r = cli(repo.dir, python, ["status", "--db", url, "--json"]);
  return {
    r,
    json: JSON.parse(r.stdout) as { state: string; pending: { revision: string }[]; package: { head: string } },
  };
}

for (const { name, python } of testPythons()) {
  test(`merged history (${name} stack): an instance at the root is behind by both sides and the merge; deploy brings it to the head's one row, rows kept`, async () => {
    const repo = mergedRepo();
    const db = await instanceAt(python, repo, ROOT);
    try {
      const { r, json } = statusJson(repo, python, db.url);
      assert.equal(r.status, 1, r.all);
      assert.equal(json.state, "behind");
      assert.equal(json.package.head, MERGE);
      // Parents before children, the sides in a stable order, the merge last.
      assert.deepEqual(
        json.pending.map((p) => p.revision),
        [TAGS, VIEWS, MERGE],
      );
      const deployed = cli(repo.dir, python, ["deploy", "--db", db.url, "--yes"]);
      assert.equal(deployed.status, 0, deployed.all);
      assert.deepEqual(await versionRows(db.url), [MERGE]);
      assert.deepEqual(await columnsOf(db.url, "tag"), ["id", "name"]);
      assert.ok((await columnsOf(db.url, "post")).includes("views"));
      const kept = await withClient(db.url, async (c) => (await c.query("SELECT title FROM post")).rows);
      assert.deepEqual(kept, [{ title: "kept" }]);
      // Plain alembic agrees: the database is at the one head.
      assert.match(alembic(python, repo, db.url, "command.current(c)"), new RegExp(`${MERGE} \\(head\\)`));
      const after = statusJson(repo, python, db.url);
      assert.equal(after.r.status, 0, after.r.all);
      assert.equal(after.json.state, "up_to_date");
      assert.deepEqual(after.json.pending, []);
    } finally {
      await db.drop();
      repo.cleanup();
    }
  });

  test(`merged history (${name} stack): an instance on one side of the merge is behind by the other side and the merge, and deploy applies just those`, async () => {
    const repo = mergedRepo();
    const db = await instanceAt(python, repo, TAGS);
    try {
      await withClient(db.url, (c) => c.query("INSERT INTO tag (id, name) VALUES (1, 'kept')"));
      const { r, json } = statusJson(repo, python, db.url);
      assert.equal(r.status, 1, r.all);
      assert.equal(json.state, "behind");
      assert.deepEqual(
        json.pending.map((p) => p.revision),
        [VIEWS, MERGE],
      );
      const text = cli(repo.dir, python, ["status", "--db", db.url]);
      assert.match(text.all, /2 script\(s\) to deploy/);
      assert.match(text.all, new RegExp(`${VIEWS} .*_views\\.py`));
      assert.doesNotMatch(text.all, new RegExp(`${TAGS} .*_tags\\.py`));
      // --sql: alembic's offline SQL from the instance's revision, the other side and the merge only.
      const sql = cli(repo.dir, python, ["deploy", "--db", db.url, "--sql"]);
      assert.equal(sql.status, 0, sql.all);
      assert.match(sql.stdout, new RegExp(`Running upgrade ${ROOT} -> ${VIEWS}`));
      assert.match(sql.stdout, /ALTER TABLE post ADD COLUMN views INTEGER/);
      assert.match(sql.stdout, new RegExp(`Running upgrade ${TAGS}, ${VIEWS} -> ${MERGE}`));
      assert.doesNotMatch(sql.stdout, new RegExp(`-> ${TAGS}`));
      assert.deepEqual(await versionRows(db.url), [TAGS], "--sql changed nothing");
      const deployed = cli(repo.dir, python, ["deploy", "--db", db.url, "--yes", "--json"]);
      assert.equal(deployed.status, 0, deployed.all);
      assert.deepEqual(await versionRows(db.url), [MERGE]);
      // The deploy history names the scripts applied and records a hash for every script below the head.
      const [row] = await withClient(
        db.url,
        async (c) =>
          (await c.query("SELECT from_revision, revision, scripts, checksums FROM migrakit_deploy_history")).rows,
      );
      assert.equal(row.from_revision, TAGS);
      assert.equal(row.revision, MERGE);
      assert.deepEqual(
        String(row.scripts)
          .split(/[\s,]+/)
          .filter(Boolean),
        [VIEWS, MERGE],
      );
      assert.deepEqual(Object.keys(JSON.parse(row.checksums)).sort(), [ROOT, TAGS, VIEWS, MERGE]);
      assert.ok((await columnsOf(db.url, "post")).includes("views"));
      const tags = await withClient(db.url, async (c) => (await c.query("SELECT name FROM tag")).rows);
      assert.deepEqual(tags, [{ name: "kept" }]);
      assert.match(alembic(python, repo, db.url, "command.current(c)"), new RegExp(`${MERGE} \\(head\\)`));
      assert.match(alembic(python, repo, db.url, "command.heads(c)"), new RegExp(`^${MERGE} \\(head\\)`, "m"));
    } finally {
      await db.drop();
      repo.cleanup();
    }
  });
}

test("labelled branches (several heads) are still refused with EMIGRAKIT_HISTORY_NOT_LINEAR, and its fix (`alembic upgrade heads`) works", async () => {
  const python = testPythons()[0]!.python;
  const repo = fixtureRepo("alembic-branches");
  const db = await createScratchDatabase(server.pg.adminUrl);
  try {
    const r = cli(repo.dir, python, ["status", "--db", db.url]);
    assert.equal(r.status, 1, r.all);
    assert.match(r.all, /EMIGRAKIT_HISTORY_NOT_LINEAR/);
    assert.match(r.all, /alembic upgrade heads/);
    alembic(python, repo, db.url, 'command.upgrade(c, "heads")');
    // The audit head depends on the default head, so alembic keeps only the audit head's row.
    assert.deepEqual(await versionRows(db.url), ["0b0b0b0b0b02"]);
    assert.match(alembic(python, repo, db.url, "command.current(c)"), /0b0b0b0b0b02 .*\(head\)/);
  } finally {
    await db.drop();
    repo.cleanup();
  }
});

test("merged history: a script without a transaction on one side runs alone, every other script in a transaction, each once", async () => {
  const python = testPythons()[0]!.python;
  const repo = mergedRepo({ concurrently: true });
  const db = await instanceAt(python, repo, ROOT);
  try {
    const deployed = cli(repo.dir, python, ["deploy", "--db", db.url, "--yes"]);
    assert.equal(deployed.status, 0, deployed.all);
    assert.deepEqual(await versionRows(db.url), [MERGE]);
    const runs = await withClient(
      db.url,
      async (c) => (await c.query("SELECT scripts, mode FROM migrakit_deploy_history ORDER BY id")).rows,
    );
    const scripts = runs.map((r) =>
      String(r.scripts)
        .split(/[\s,]+/)
        .filter(Boolean),
    );
    // Upgrading a run to its last script alone would leave a script of the other side to a later run (or
    // run it in the autocommit one): each run holds exactly its scripts.
    // alembic's own order of the upgrade (the one deploy cuts into runs), from the repo's script directory.
    const order = alembic(
      python,
      repo,
      db.url,
      `from alembic.script import ScriptDirectory; print("order", *[s.revision.revision for s in ScriptDirectory.from_config(c)._upgrade_revs("head", ("${ROOT}",))])`,
    )
      .split("\n")
      .find((l) => l.startsWith("order "))!
      .split(" ")
      .slice(1);
    assert.deepEqual(order.slice().sort(), [TAGS, VIEWS, MERGE, INDEX].sort());
    assert.deepEqual(scripts.flat(), order, JSON.stringify(runs));
    const alone = runs.findIndex((r) => r.mode === "no transaction");
    assert.deepEqual(scripts[alone], [INDEX], JSON.stringify(runs));
    assert.equal(runs.filter((r) => r.mode === "no transaction").length, 1, JSON.stringify(runs));
    const valid = await withClient(
      db.url,
      async (c) =>
        (
          await c.query(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'ix_tag_name'",
          )
        ).rows,
    );
    assert.deepEqual(valid, [{ indisvalid: true }]);
  } finally {
    await db.drop();
    repo.cleanup();
  }
});

test("merged history: check --against upgrades a copy of an instance on one side of the merge to the head and finds it matches the models", async () => {
  const python = testPythons()[0]!.python;
  const repo = mergedRepo();
  const db = await instanceAt(python, repo, TAGS);
  try {
    const against = cli(repo.dir, python, ["check", "--against", db.url]);
    assert.equal(against.status, 0, against.all);
    assert.match(against.all, /2 script\(s\)/);
    assert.deepEqual(await versionRows(db.url), [TAGS], "the instance itself is only read");
  } finally {
    await db.drop();
    repo.cleanup();
  }
});
