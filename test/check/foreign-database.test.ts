// docs/spec.md §3b: check, generate, the hook and rebase run only on scratch databases migrakit created, even
// when the repo's env.py builds its own engine. A "developer database" with rows sits on the same server;
// env.py points at it (by a settings module reading an environment variable, or by a hard-coded URL); after
// every command its dump is byte-identical. An engine the redirect cannot reach aborts with its own code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { withClient } from "../../src/db/connect.js";
import { runCli } from "../helpers/cli.js";
import { developerDatabase as makeDeveloperDatabase, dump } from "../helpers/developer-database.js";
import { testPythons } from "../helpers/python.js";
import { fixtureRepo, serverForFile, type FixtureRepo } from "./dynamic-helpers.js";

const { pg, cache } = serverForFile();
const python = testPythons()[0]!.python;
const PKG = "lnschema_seed";
const ENV = `${PKG}/migrations/env.py`;
const CORE = `${PKG}/_core.py`;
const VERSIONS = `${PKG}/migrations/versions`;

/** A database the developer made by hand, with a table of the ORM's and rows in it. */
const developerDatabase = (name: string) =>
  makeDeveloperDatabase(
    pg.adminUrl,
    name,
    `CREATE SCHEMA core; CREATE TABLE core."user" (id varchar PRIMARY KEY, email varchar, handle varchar, name varchar);
     INSERT INTO core."user" VALUES ('u1', 'me@example.com', 'me', 'Me'), ('u2', 'you@example.com', 'you', NULL)`,
  );

/** env.py's run_migrations_online builds its own engine from `engineLine` and ignores the handed connection. */
function ownEngine(repo: FixtureRepo, engineLine: string): void {
  repo.edit(
    ENV,
    /def run_migrations_online\(\) -> None:[\s\S]*?\n\n\n/,
    `def run_migrations_online() -> None:\n    from sqlalchemy import create_engine\n    ${engineLine}\n` +
      `    with engine.connect() as connection:\n        context.configure(connection=connection, **options)\n` +
      `        with context.begin_transaction():\n            context.run_migrations()\n\n\n`,
  );
}

/** The one unreleased script (its path relative to the repo). */
function unreleased(repo: FixtureRepo): string {
  const names = readdirSync(join(repo.dir, VERSIONS)).filter((n) => n.endsWith("-vx_x_x.py"));
  assert.equal(names.length, 1, names.join(", "));
  return `${VERSIONS}/${names[0]}`;
}

function cli(repo: FixtureRepo, args: string[], env: NodeJS.ProcessEnv, cacheHome: string) {
  const r = runCli(args, {
    cwd: repo.dir,
    env: {
      MIGRAKIT_PYTHON: python,
      MIGRAKIT_DATABASE_URL: pg.adminUrl,
      XDG_CACHE_HOME: cacheHome,
      CI: "",
      MIGRAKIT_NO_CACHE: "1",
      ...env,
    },
    timeoutMs: 300_000,
  });
  return { ...r, all: r.stdout + r.stderr };
}

test("env.py connecting by settings + environment variable: check, generate, the hook and rebase leave the developer database as it was", async () => {
  const dev = await developerDatabase("developer_settings");
  const repo = fixtureRepo("seed-style");
  const cacheHome = cache();
  const env = { SEED_DATABASE_URL: dev.replace("postgresql://", "postgresql+psycopg2://") };
  try {
    repo.write(
      `${PKG}/settings.py`,
      'import os\n\nDATABASE_URL = os.environ.get("SEED_DATABASE_URL", "postgresql://localhost/seed")\n',
    );
    ownEngine(
      repo,
      "from lnschema_seed.settings import DATABASE_URL\n    engine = create_engine(DATABASE_URL, poolclass=pool.NullPool)",
    );
    // Released, so that generate writes a script of its own (the fixture's unreleased ones are hand-written).
    const released = cli(repo, ["release-prepare", "--version", "0.5.0"], env, cacheHome);
    assert.equal(released.status, 0, released.all);
    repo.commit("env.py connects by itself; 0.5.0");
    const before = await dump(dev);

    const checked = cli(repo, ["check"], env, cacheHome);
    assert.equal(checked.status, 0, checked.all);
    assert.equal(await dump(dev), before, "check");

    repo.edit(
      CORE,
      "    name: Optional[str] = None\n\n\nclass Storage",
      "    name: Optional[str] = None\n    team: Optional[str] = None\n\n\nclass Storage",
    );
    const generated = cli(repo, ["generate"], env, cacheHome);
    assert.equal(generated.status, 0, generated.all);
    assert.match(repo.read(unreleased(repo)), /team/);
    assert.equal(await dump(dev), before, "generate");

    repo.edit(
      CORE,
      "    team: Optional[str] = None\n",
      "    team: Optional[str] = None\n    bio: Optional[str] = None\n",
    );
    repo.git("add", "-A");
    const hooked = cli(repo, ["hook", "pre-commit"], env, cacheHome);
    assert.equal(hooked.status, 0, hooked.all);
    assert.match(repo.read(unreleased(repo)), /bio/);
    assert.equal(await dump(dev), before, "the hook");

    // Two heads, as after merging main into a branch: rebase re-parents the branch's script and checks.
    repo.commit("team and bio");
    repo.write(
      `${PKG}/migrations/versions/2023-02-22-e1e2e3e4e5e6-vx_x_x.py`,
      `"""vX.X.X."""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "e1e2e3e4e5e6"\ndown_revision = "a7c3e9f1b2d4"\n\n\n` +
        `def upgrade() -> None:\n    op.add_column("tag", sa.Column("color", sa.String(), nullable=True), schema="core")\n\n\n` +
        `def downgrade() -> None:\n    op.drop_column("tag", "color", schema="core")\n`,
    );
    repo.edit(
      CORE,
      "    name: str = Field(index=True, unique=True)\n\n\nclass DatasetTag",
      "    name: str = Field(index=True, unique=True)\n    color: Optional[str] = None\n\n\nclass DatasetTag",
    );
    const rebased = cli(repo, ["rebase", "--onto", "HEAD"], env, cacheHome);
    assert.doesNotMatch(rebased.all, /EMIGRAKIT_ENV_FOREIGN_DATABASE|Traceback/, rebased.all);
    assert.match(rebased.all, /re-parented/, rebased.all);
    assert.equal(await dump(dev), before, "rebase");
  } finally {
    repo.cleanup();
    await withClient(pg.adminUrl, (c) => c.query("DROP DATABASE developer_settings WITH (FORCE)"));
  }
});

test("env.py with a hard-coded URL: check runs on the scratch database and the developer database is unchanged", async () => {
  const dev = await developerDatabase("developer_hardcoded");
  const repo = fixtureRepo("seed-style");
  try {
    ownEngine(
      repo,
      `engine = create_engine("${dev.replace("postgresql://", "postgresql+psycopg2://")}", poolclass=pool.NullPool)`,
    );
    repo.commit("hard-coded URL");
    const before = await dump(dev);
    const checked = cli(repo, ["check"], {}, cache());
    assert.equal(checked.status, 0, checked.all);
    assert.equal(await dump(dev), before);
  } finally {
    repo.cleanup();
    await withClient(pg.adminUrl, (c) => c.query("DROP DATABASE developer_hardcoded WITH (FORCE)"));
  }
});

test("an engine the redirect cannot reach (creator=): EMIGRAKIT_ENV_FOREIGN_DATABASE, exit 2, nothing run there, no password", async () => {
  const dev = await developerDatabase("developer_creator");
  const repo = fixtureRepo("seed-style");
  try {
    const u = new URL(dev);
    ownEngine(
      repo,
      `import psycopg2\n    engine = create_engine("postgresql+psycopg2://", poolclass=pool.NullPool, creator=lambda: psycopg2.connect(` +
        `host="${u.hostname}", port=${u.port}, user="${decodeURIComponent(u.username)}", password="${decodeURIComponent(u.password)}", dbname="developer_creator"))`,
    );
    repo.commit("creator");
    const before = await dump(dev);
    const checked = cli(repo, ["check"], {}, cache());
    assert.equal(checked.status, 2, checked.all);
    assert.match(checked.stderr, /EMIGRAKIT_ENV_FOREIGN_DATABASE/);
    assert.match(checked.stderr, /database 'developer_creator'/);
    assert.match(checked.stderr, /config\.attributes\.get\("connection"\)/);
    if (u.password) assert.ok(!checked.all.includes(decodeURIComponent(u.password)), "the password is not printed");
    assert.doesNotMatch(checked.all, /Traceback/);
    assert.equal(await dump(dev), before);
  } finally {
    repo.cleanup();
    await withClient(pg.adminUrl, (c) => c.query("DROP DATABASE developer_creator WITH (FORCE)"));
  }
});
