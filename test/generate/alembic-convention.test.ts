// convention "alembic" (an app's repo, test/fixtures/alembic-app: a root-level alembic/ folder, alembic.ini
// with a dated file_template, a custom type): generate and the hook name new scripts by the ini's
// file_template, write no `vX.X.X.` header and no `_migration`, refresh only a script HEAD does not have yet;
// branch labels, depends_on and merge revisions pass the check; release-prepare renames nothing and says so.
// What migrakit writes, plain alembic accepts: `upgrade head`, `check`, `downgrade -1`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { createScratchDatabase } from "../../src/db/scratch.js";
import { testPythons } from "../helpers/python.js";
import { cliOnServer, fixtureRepo, serverForFile, type FixtureRepo } from "../check/dynamic-helpers.js";

const server = serverForFile();
const { pg } = server;
const VERSIONS = "alembic/versions";
const MODELS = "app/models.py";
const INITIAL = "20240101_1a2b3c4d5e6f_initial.py";

const cli = cliOnServer(server);

const scripts = (dir: string) =>
  readdirSync(join(dir, VERSIONS))
    .filter((n) => n.endsWith(".py"))
    .sort();
const added = (dir: string) => scripts(dir).filter((n) => n !== INITIAL);

/** The fixture's dated template (`%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s`) for today's local date. */
function datedName(rev: string, slug: string): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}_${rev}_${slug}.py`;
}

/** Plain alembic through the repo's own alembic.ini and env.py, on `url` (the ini's own URL is no database). */
function alembic(python: string, repo: FixtureRepo, url: string, command: string) {
  const code =
    `from alembic.config import Config; from alembic import command; c = Config("alembic.ini"); ` +
    `c.set_main_option("sqlalchemy.url", ${JSON.stringify(url.replace("postgresql://", "postgresql+psycopg2://"))}); ${command}`;
  const r = spawnSync(python, ["-c", code], { cwd: repo.dir, encoding: "utf8" });
  return { status: r.status, all: r.stdout + r.stderr };
}

async function plainAlembicAccepts(python: string, repo: FixtureRepo): Promise<void> {
  const db = await createScratchDatabase(pg.adminUrl);
  try {
    for (const command of ['command.upgrade(c, "head")', "command.check(c)", 'command.downgrade(c, "-1")']) {
      const r = alembic(python, repo, db.url, command);
      assert.equal(r.status, 0, `${command}\n${r.all}`);
    }
  } finally {
    await db.drop();
  }
}

for (const { name, python } of testPythons()) {
  test(`convention alembic (${name} stack): generate names the script by file_template, no header or _migration; refreshes only what HEAD lacks`, async () => {
    const repo = fixtureRepo("alembic-app");
    try {
      repo.edit(
        MODELS,
        "    title = Column(String(200), nullable=False)",
        "    title = Column(String(200), nullable=False)\n    body = Column(String(2000))",
      );
      const first = cli(repo.dir, python, ["generate", "-m", "Add post.body"]);
      assert.equal(first.status, 0, first.all);
      const [file] = added(repo.dir);
      const rev = /^\d{8}_([0-9a-f]{12})_add_post_body\.py$/.exec(file ?? "")?.[1];
      assert.ok(rev, `named by the ini's file_template: ${file}`);
      assert.equal(file, datedName(rev, "add_post_body"));
      const text = repo.read(`${VERSIONS}/${file}`);
      assert.doesNotMatch(text, /vX\.X\.X/, "no lamin header");
      assert.match(text, /^"""Add post\.body/, "the template's docstring with the message");
      assert.match(text, /batch_op\.add_column\(sa\.Column\('body'/);
      assert.equal(repo.read("app/__init__.py"), '"""A small web app\'s models (SQLAlchemy declarative)."""\n');

      // Not committed yet: a further edit refreshes that very script instead of stacking a second one.
      repo.edit(
        MODELS,
        "    body = Column(String(2000))",
        "    body = Column(String(2000))\n    slug = Column(String(80))",
      );
      const refreshed = cli(repo.dir, python, ["generate"]);
      assert.equal(refreshed.status, 0, refreshed.all);
      assert.deepEqual(added(repo.dir), [file]);
      assert.match(repo.read(`${VERSIONS}/${file}`), /batch_op\.add_column\(sa\.Column\('slug'/);
      const check = cli(repo.dir, python, ["check"]);
      assert.equal(check.status, 0, check.all);
      await plainAlembicAccepts(python, repo);

      // Committed, it is history: the next change is a new script on top of it, its slug from what changes.
      repo.commit("post body and slug");
      repo.edit(MODELS, "    slug = Column(String(80))", "    slug = Column(String(80))\n    views = Column(Integer)");
      const next = cli(repo.dir, python, ["generate"]);
      assert.equal(next.status, 0, next.all);
      const second = added(repo.dir).filter((n) => n !== file);
      assert.equal(second.length, 1, added(repo.dir).join(", "));
      assert.match(second[0]!, /^\d{8}_[0-9a-f]{12}_add_column_post_views\.py$/);
      assert.match(repo.read(`${VERSIONS}/${second[0]}`), new RegExp(`down_revision[^\\n]*["']${rev}["']`));
      assert.equal(cli(repo.dir, python, ["check"]).status, 0);
      await plainAlembicAccepts(python, repo);
    } finally {
      repo.cleanup();
    }
  });
}

test("convention alembic: the pre-commit hook writes and stages the script named by file_template", () => {
  const python = testPythons()[0]!.python;
  const repo = fixtureRepo("alembic-app");
  try {
    repo.edit(
      MODELS,
      "    title = Column(String(200), nullable=False)",
      "    title = Column(String(200), nullable=False)\n    body = Column(String(2000))",
    );
    repo.git("add", MODELS);
    const hook = cli(repo.dir, python, ["hook", "pre-commit"]);
    assert.equal(hook.status, 0, hook.all);
    const staged = repo.git("diff", "--cached", "--name-only").trim().split("\n");
    const script = staged.find((p) => p.startsWith(`${VERSIONS}/`));
    assert.match(script ?? "", /^alembic\/versions\/\d{8}_[0-9a-f]{12}_add_column_post_body\.py$/, staged.join(", "));
    assert.deepEqual(staged.sort(), [MODELS, script].sort(), "only the script beside the edit: no __init__.py");
    assert.doesNotMatch(repo.read(script!), /vX\.X\.X/);
  } finally {
    repo.cleanup();
  }
});

test("convention alembic: branch labels, depends_on and a merge revision pass the check", () => {
  const python = testPythons()[0]!.python;
  const repo = fixtureRepo("alembic-app");
  try {
    const script = (rev: string, down: string, body: string, extra = "") =>
      `"""${rev}"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "${rev}"\ndown_revision = ${down}\n${extra}\n\ndef upgrade() -> None:\n    ${body}\n\n\ndef downgrade() -> None:\n    pass\n`;
    repo.edit(
      MODELS,
      "    title = Column(String(200), nullable=False)",
      "    title = Column(String(200), nullable=False)\n    body = Column(String(2000))\n    views = Column(Integer)",
    );
    repo.write(
      `${VERSIONS}/20240102_aaaaaaaaaaaa_body.py`,
      script(
        "aaaaaaaaaaaa",
        '"1a2b3c4d5e6f"',
        'op.add_column("post", sa.Column("body", sa.String(2000)))',
        'branch_labels = ("content",)\ndepends_on = None',
      ),
    );
    repo.write(
      `${VERSIONS}/20240102_bbbbbbbbbbbb_views.py`,
      script(
        "bbbbbbbbbbbb",
        '"1a2b3c4d5e6f"',
        'op.add_column("post", sa.Column("views", sa.Integer()))',
        'branch_labels = None\ndepends_on = "aaaaaaaaaaaa"',
      ),
    );
    repo.write(
      `${VERSIONS}/20240103_cccccccccccc_merge.py`,
      script("cccccccccccc", '("aaaaaaaaaaaa", "bbbbbbbbbbbb")', "pass", "branch_labels = None\ndepends_on = None"),
    );
    repo.commit("two branches, merged");
    const checked = cli(repo.dir, python, ["check"]);
    assert.equal(checked.status, 0, checked.all);
    assert.match(checked.all, /baseline: replay/);
    // The merged history is really run: a model the merge does not reach is a mismatch, not a silent pass.
    repo.edit(MODELS, "    views = Column(Integer)", "    views = Column(Integer)\n    likes = Column(Integer)");
    const drift = cli(repo.dir, python, ["check"]);
    assert.equal(drift.status, 1, drift.all);
    assert.match(drift.all, /likes/);
  } finally {
    repo.cleanup();
  }
});

test("convention alembic: release-prepare renames nothing, says so, and bumps the version where the repo keeps one", () => {
  const python = testPythons()[0]!.python;
  const repo = fixtureRepo("alembic-app");
  try {
    repo.write("pyproject.toml", '[project]\nname = "app"\nversion = "0.3.0"\n');
    repo.commit("pyproject");
    const before = scripts(repo.dir);
    const r = cli(repo.dir, python, ["release-prepare", "--version", "0.4.0"]);
    assert.equal(r.status, 0, r.all);
    assert.match(r.all, /convention alembic, the scripts keep their names/);
    assert.deepEqual(scripts(repo.dir), before);
    assert.equal(repo.read("pyproject.toml"), '[project]\nname = "app"\nversion = "0.4.0"\n');
  } finally {
    repo.cleanup();
  }
});

test("convention alembic: a file_template alembic could not format stops generate with EMIGRAKIT_FILE_TEMPLATE_INVALID, writing nothing", () => {
  const python = testPythons()[0]!.python;
  const repo = fixtureRepo("alembic-app");
  try {
    repo.edit("alembic.ini", /^file_template = .*$/m, "file_template = %%(rev)s_%%(branch)s");
    repo.edit(
      MODELS,
      "    title = Column(String(200), nullable=False)",
      "    title = Column(String(200), nullable=False)\n    body = Column(String(2000))",
    );
    const r = cli(repo.dir, python, ["generate"]);
    assert.equal(r.status, 2, r.all);
    assert.match(r.all, /EMIGRAKIT_FILE_TEMPLATE_INVALID/);
    assert.match(r.all, /%\(branch\) is not a token alembic knows/);
    assert.deepEqual(added(repo.dir), []);
  } finally {
    repo.cleanup();
  }
});
