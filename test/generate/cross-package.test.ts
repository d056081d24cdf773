// A lamin schema module whose tables have foreign keys into another package's (core.user): the other
// package's tables stay in the metadata, exist in the baseline, and never appear in the module's scripts —
// in one repo (test/fixtures/lamin-pair) and with the base package installed from elsewhere. What migrakit
// writes, plain alembic accepts: `upgrade head`, `check`, `downgrade -1`, with the rows of a renamed column kept.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient } from "../../src/db/connect.js";
import { createScratchDatabase } from "../../src/db/scratch.js";
import { testPythons } from "../helpers/python.js";
import { cliOnServer, fixtureRepo, serverForFile, type FixtureRepo } from "../check/dynamic-helpers.js";

const server = serverForFile();
const { pg } = server;
const MODULE = "lnschema_bionty";
const VERSIONS = `${MODULE}/migrations/versions`;
const ORM = `${MODULE}/_core.py`;

const cli = cliOnServer(server);

const unreleased = (dir: string) => readdirSync(join(dir, VERSIONS)).filter((n) => n.endsWith("-vx_x_x.py"));

const PROTEIN = `

class Protein(SQLModel, table=True):  # type: ignore
    __table_args__ = {"schema": "bionty"}
    id: str = Field(primary_key=True)
    name: str
    created_by: str = Field(foreign_key="core.user.id")
`;

/** Plain alembic (no migrakit) on `pkg`'s scripts: the command and its exit status and output. */
function alembic(python: string, dir: string, pkg: string, url: string, command: string, env: NodeJS.ProcessEnv = {}) {
  const code =
    `import sys; from alembic.config import Config; from alembic import command; c = Config(); ` +
    `c.set_main_option("script_location", "${pkg}/migrations"); c.set_main_option("sqlalchemy.url", ${JSON.stringify(url.replace("postgresql://", "postgresql+psycopg2://"))}); ` +
    `${command}`;
  const r = spawnSync(python, ["-c", code], { cwd: dir, env: { ...process.env, ...env }, encoding: "utf8" });
  return { status: r.status, all: r.stdout + r.stderr };
}

for (const { name, python } of testPythons()) {
  test(`core + module in one repo (${name} stack): check, generate and the hook pass; plain alembic accepts the module's scripts`, async () => {
    const repo = fixtureRepo("lamin-pair");
    try {
      const first = cli(repo.dir, python, ["check"]);
      assert.equal(first.status, 0, first.all);

      // A column and a table with a foreign key into core: the script holds them, and nothing of core's.
      repo.edit(
        ORM,
        "    note: Optional[str] = None\n",
        `    note: Optional[str] = None\n    length: Optional[int] = None\n${PROTEIN}`,
      );
      const generated = cli(repo.dir, python, ["generate", "--package", MODULE]);
      assert.equal(generated.status, 0, generated.all);
      const [script] = unreleased(repo.dir);
      const text = repo.read(`${VERSIONS}/${script}`);
      assert.match(text, /create_table\(\s*['"]protein['"]/);
      assert.match(text, /add_column\(\s*['"]gene['"]/);
      assert.match(text, /\['core\.user\.id'\]|\["core\.user\.id"\]/);
      assert.doesNotMatch(text, /create_table\(\s*['"]user['"]|drop_table\(\s*['"]user['"]/);
      const checked = cli(repo.dir, python, ["check"]);
      assert.equal(checked.status, 0, checked.all);
      repo.commit("feat: protein, gene.length");

      // The hook, on a staged rename: the column keeps its rows.
      repo.edit(ORM, "    note: Optional[str] = None\n", "    comment: Optional[str] = None\n");
      repo.git("add", ORM);
      const hooked = cli(repo.dir, python, ["hook", "pre-commit"]);
      assert.equal(hooked.status, 0, hooked.all);
      const renamed = repo.read(`${VERSIONS}/${script}`);
      assert.match(renamed, /new_column_name=['"]comment['"]/, renamed);
      assert.doesNotMatch(renamed, /['"]user['"]/);

      await plainAlembicAccepts(python, repo);
    } finally {
      repo.cleanup();
    }
  });
}

async function plainAlembicAccepts(python: string, repo: FixtureRepo): Promise<void> {
  const db = await createScratchDatabase(pg.adminUrl);
  try {
    // Plain alembic does not create the ORM's schemas (migrakit's bridge does, as lamin's tooling did).
    await withClient(db.url, (c) => c.query("CREATE SCHEMA core; CREATE SCHEMA bionty"));
    const run = (pkg: string, command: string) => {
      const r = alembic(python, repo.dir, pkg, db.url, command);
      assert.equal(r.status, 0, `${pkg}: ${command}\n${r.all}`);
      return r;
    };
    run("lnschema_core", 'command.upgrade(c, "head")');
    run(MODULE, 'command.upgrade(c, "b10000000001")');
    await withClient(db.url, (c) =>
      c.query(
        `INSERT INTO core."user" (id, handle) VALUES ('u1', 'me'); INSERT INTO bionty.gene (id, symbol, created_by, note) VALUES ('g1', 'TP53', 'u1', 'kept')`,
      ),
    );
    run(MODULE, 'command.upgrade(c, "head")');
    const rows = await withClient(db.url, async (c) => (await c.query("SELECT comment FROM bionty.gene")).rows);
    assert.deepEqual(rows, [{ comment: "kept" }]);
    run(MODULE, "command.check(c)");
    run(MODULE, 'command.downgrade(c, "-1")');
    const left = await withClient(
      db.url,
      async (c) => (await c.query(`SELECT to_regclass('bionty.protein') AS p, to_regclass('core.user') AS u`)).rows[0],
    );
    assert.deepEqual(left, { p: null, u: 'core."user"' });
  } finally {
    await db.drop();
  }
}

test("the module with its base package installed from elsewhere (not in the repo): check and generate pass", () => {
  const repo = fixtureRepo("lamin-pair");
  const site = mkdtempSync(join(tmpdir(), "migrakit-site-"));
  const python = testPythons()[0]!.python;
  try {
    cpSync(join(repo.dir, "lnschema_core"), join(site, "lnschema_core"), { recursive: true });
    rmSync(join(repo.dir, "lnschema_core"), { recursive: true });
    repo.commit("core comes from elsewhere");
    const env = { PYTHONPATH: site };
    const checked = cli(repo.dir, python, ["check"], env);
    assert.equal(checked.status, 0, checked.all);
    repo.edit(ORM, "    note: Optional[str] = None\n", `    note: Optional[str] = None\n${PROTEIN}`);
    const generated = cli(repo.dir, python, ["generate"], env);
    assert.equal(generated.status, 0, generated.all);
    const text = repo.read(`${VERSIONS}/${unreleased(repo.dir)[0]}`);
    assert.match(text, /create_table\(\s*['"]protein['"]/);
    assert.doesNotMatch(text, /create_table\(\s*['"]user['"]/);
    const again = cli(repo.dir, python, ["check"], env);
    assert.equal(again.status, 0, again.all);
  } finally {
    repo.cleanup();
    rmSync(site, { recursive: true, force: true });
  }
});
