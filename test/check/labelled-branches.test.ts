// alembic's multi-branch setup in an app's repo (convention alembic): two heads, each with its own
// `branch_labels` (`default`, `audit`), the audit branch `depends_on` the default one. Real alembic accepts the
// fixture (`upgrade heads`, `downgrade base`); migrakit's static and dynamic check accept it too, and
// `generate` asks which branch a change goes on (`--head`). Two heads without labels stay an unmerged branch,
// and the fix it names (`alembic merge` of the heads) is followed here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withClient } from "../../src/db/connect.js";
import { runCli } from "../helpers/cli.js";
import { testPythons } from "../helpers/python.js";
import { fixtureRepo, serverForFile, type FixtureRepo } from "./dynamic-helpers.js";

const { pg, cache } = serverForFile();

function cli(dir: string, python: string, args: string[]) {
  const r = runCli(args, {
    cwd: dir,
    env: {
      MIGRAKIT_PYTHON: python,
      MIGRAKIT_DATABASE_URL: pg.adminUrl,
      XDG_CACHE_HOME: cache(),
      CI: "",
      MIGRAKIT_NO_CACHE: "1",
    },
    timeoutMs: 300_000,
  });
  return { ...r, all: r.stdout + r.stderr };
}

function branchesRepo(): FixtureRepo {
  const repo = fixtureRepo("alembic-branches");
  repo.write("package.json", `${JSON.stringify({ migrakit: { packages: ["."], convention: "alembic" } }, null, 2)}\n`);
  repo.commit("migrakit config");
  return repo;
}

/** Plain alembic (the user's own tool) on a fresh database of the test server; the database is dropped after. */
async function withAlembic<T>(
  repo: FixtureRepo,
  python: string,
  name: string,
  fn: (alembic: (...args: string[]) => string) => T,
): Promise<T> {
  await withClient(pg.adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(pg.adminUrl);
  url.pathname = `/${name}`;
  const ini = join(repo.dir, "alembic-test.ini");
  writeFileSync(
    ini,
    repo.read("alembic.ini").replace(/^sqlalchemy\.url = .*$/m, `sqlalchemy.url = ${url.href.replaceAll("%", "%%")}`),
  );
  try {
    return fn((...args) =>
      execFileSync(python, ["-m", "alembic", "-c", ini, ...args], { cwd: repo.dir, encoding: "utf8", stdio: "pipe" }),
    );
  } finally {
    rmSync(ini, { force: true });
    await withClient(pg.adminUrl, (c) => c.query(`DROP DATABASE "${name}"`));
  }
}

const versions = (repo: FixtureRepo) =>
  readdirSync(join(repo.dir, "alembic", "versions")).filter((f) => f.endsWith(".py"));

for (const { name, python } of testPythons()) {
  test(`${name}: two labelled branches with a depends_on: real alembic upgrades heads and back; migrakit's static and dynamic check pass`, async () => {
    const repo = branchesRepo();
    try {
      await withAlembic(repo, python, `branches_${name}`, (alembic) => {
        alembic("upgrade", "heads");
        const current = alembic("current");
        assert.match(current, /0a0a0a0a0a02/);
        assert.match(current, /0b0b0b0b0b02/);
        alembic("downgrade", "base");
        assert.doesNotMatch(alembic("current"), /0a0a|0b0b/);
      });
      const quick = cli(repo.dir, python, ["check", "--static"]);
      assert.equal(quick.status, 0, quick.all);
      const checked = cli(repo.dir, python, ["check"]);
      assert.equal(checked.status, 0, checked.all);
      assert.match(checked.all, /0 errors/);
      assert.doesNotMatch(checked.all, /error EMIGRAKIT_/);
      // deploy/status follow one chain: said with a fix that works (alembic itself), not "run check --static".
      const status = cli(repo.dir, python, ["status", "--db", pg.adminUrl]);
      assert.equal(status.status, 1, status.all);
      assert.match(status.all, /EMIGRAKIT_HISTORY_NOT_LINEAR/);
      assert.match(status.all, /alembic upgrade heads/);
      assert.doesNotMatch(status.all, /check --static/);
      // Several labelled heads are on purpose: rebase moves nothing between branches.
      const listed = versions(repo).map((f) => repo.read(`alembic/versions/${f}`));
      const rebase = cli(repo.dir, python, ["rebase"]);
      assert.equal(rebase.status, 0, rebase.all);
      assert.match(rebase.all, /labelled branches .*nothing to rebase/);
      assert.deepEqual(
        versions(repo).map((f) => repo.read(`alembic/versions/${f}`)),
        listed,
      );
    } finally {
      repo.cleanup();
    }
  });
}

test("an uncommitted script on one branch is round-tripped alone: its incomplete downgrade is found, the other branch untouched", () => {
  const python = testPythons()[0]!.python;
  const repo = branchesRepo();
  try {
    repo.edit(
      "app/models.py",
      "    action = Column(String(50), nullable=False)\n",
      "    action = Column(String(50), nullable=False)\n    note = Column(String(200), nullable=True)\n",
    );
    repo.write(
      "alembic/versions/0b0b0b0b0b03_audit_note.py",
      [
        '"""audit note"""',
        "from alembic import op",
        "import sqlalchemy as sa",
        "",
        'revision = "0b0b0b0b0b03"',
        'down_revision = "0b0b0b0b0b02"',
        "branch_labels = None",
        "depends_on = None",
        "",
        "",
        "def upgrade() -> None:",
        '    op.add_column("audit_event", sa.Column("note", sa.String(length=200), nullable=True))',
        '    op.create_index("ix_audit_event_action", "audit_event", ["action"])',
        "",
        "",
        "def downgrade() -> None:",
        '    op.drop_column("audit_event", "note")',
        "",
      ].join("\n"),
    );
    repo.edit(
      "app/models.py",
      "    action = Column(String(50), nullable=False)\n",
      "    action = Column(String(50), nullable=False, index=True)\n",
    );
    const checked = cli(repo.dir, python, ["check"]);
    assert.equal(checked.status, 1, checked.all);
    assert.match(checked.all, /EMIGRAKIT_DOWNGRADE_INCOMPLETE/);
    assert.match(checked.all, /0b0b0b0b0b03_audit_note\.py/);
    assert.match(checked.all, /ix_audit_event_action/);
  } finally {
    repo.cleanup();
  }
});

test("generate with two labelled heads: refused with `--head`, then the new script goes on the named branch and checks", async () => {
  const python = testPythons()[0]!.python;
  const repo = branchesRepo();
  try {
    repo.edit(
      "app/models.py",
      "    title = Column(String(200), nullable=False)\n",
      "    title = Column(String(200), nullable=False)\n    body = Column(String(2000), nullable=True)\n",
    );
    const refused = cli(repo.dir, python, ["generate"]);
    assert.equal(refused.status, 1, refused.all);
    assert.match(refused.all, /EMIGRAKIT_GENERATE_BRANCH/);
    assert.match(refused.all, /default \(0a0a0a0a0a02\)/);
    assert.match(refused.all, /migrakit generate --head default/);
    const unknown = cli(repo.dir, python, ["generate", "--head", "billing"]);
    assert.match(unknown.all, /No head of \. is named billing/);
    const before = versions(repo);
    const written = cli(repo.dir, python, ["generate", "--head", "default"]);
    assert.equal(written.status, 0, written.all);
    const added = versions(repo).filter((f) => !before.includes(f));
    assert.equal(added.length, 1, written.all);
    const text = repo.read(`alembic/versions/${added[0]}`);
    assert.match(text, /down_revision[^=]*= '0a0a0a0a0a02'|down_revision[^=]*= "0a0a0a0a0a02"/);
    assert.match(text, /add_column\(\s*["']post["']/);
    assert.doesNotMatch(text, /create_table/, "the other branch's tables are not new");
    const checked = cli(repo.dir, python, ["check"]);
    assert.equal(checked.status, 0, checked.all);
    await withAlembic(repo, python, "branches_generated", (alembic) => {
      alembic("upgrade", "heads");
      alembic("check");
      alembic("downgrade", "default@-1");
    });
  } finally {
    repo.cleanup();
  }
});

test("two heads without branch labels stay an unmerged branch; `alembic merge` of the heads, as the fix says, makes it one history", () => {
  const python = testPythons()[0]!.python;
  const repo = branchesRepo();
  try {
    repo.edit("alembic/versions/0a0a0a0a0a02_post.py", '= ("default",)', "= None");
    repo.edit("alembic/versions/0b0b0b0b0b01_audit.py", '= ("audit",)', "= None");
    const refused = cli(repo.dir, python, ["check", "--static"]);
    assert.equal(refused.status, 1, refused.all);
    assert.match(refused.all, /EMIGRAKIT_MULTIPLE_HEADS/);
    // The heads by name: `alembic merge heads` would leave out 0a0a0a0a0a02, which the audit branch depends_on.
    const command = /`(alembic merge -m "merge" 0a0a0a0a0a02 0b0b0b0b0b02)`/.exec(refused.all);
    assert.ok(command, refused.all);
    assert.doesNotMatch(refused.all, /migrakit rebase/);
    execFileSync(python, ["-m", "alembic", "merge", "-m", "merge", "0a0a0a0a0a02", "0b0b0b0b0b02"], {
      cwd: repo.dir,
      stdio: "pipe",
    });
    const merged = cli(repo.dir, python, ["check"]);
    assert.equal(merged.status, 0, merged.all);
  } finally {
    repo.cleanup();
  }
});

test("the pre-commit hook with two labelled heads: refused with the fix, then `generateHead` in the config puts the script on that branch", () => {
  const python = testPythons()[0]!.python;
  const repo = branchesRepo();
  try {
    repo.edit(
      "app/models.py",
      "    action = Column(String(50), nullable=False)\n",
      "    action = Column(String(50), nullable=False)\n    detail = Column(String(500), nullable=True)\n",
    );
    repo.git("add", "app/models.py");
    const refused = cli(repo.dir, python, ["hook", "pre-commit"]);
    assert.equal(refused.status, 1, refused.all);
    assert.match(refused.all, /EMIGRAKIT_GENERATE_BRANCH/);
    assert.match(refused.all, /generateHead/);
    // The fix: the branch in the config (the hook takes no options).
    repo.write(
      "package.json",
      `${JSON.stringify({ migrakit: { packages: ["."], convention: "alembic", generateHead: "audit" } }, null, 2)}\n`,
    );
    repo.git("add", "package.json");
    const hook = cli(repo.dir, python, ["hook", "pre-commit"]);
    assert.equal(hook.status, 0, hook.all);
    const staged = repo.git("diff", "--cached", "--name-only").trim().split("\n");
    const script = staged.find((p) => p.startsWith("alembic/versions/"));
    assert.ok(script, staged.join(", "));
    const text = repo.read(script);
    assert.match(text, /down_revision[^=]*= ["']0b0b0b0b0b02["']/);
    assert.match(text, /add_column\(\s*["']audit_event["']/);
    assert.doesNotMatch(text, /create_table/);
  } finally {
    repo.cleanup();
  }
});
