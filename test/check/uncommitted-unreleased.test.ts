// Under the alembic convention nothing is named unreleased: a script that no commit holds yet is still the
// developer's to change, so a local `check` upgrades, round-trips and lints it one by one. It used to count
// as released history (only generate and the hook asked git), so a broken downgrade passed until CI.
import { test } from "node:test";
import assert from "node:assert/strict";
import { testPythons } from "../helpers/python.js";
import { check, fixtureRepo, serverForFile } from "./dynamic-helpers.js";

const { pg, cache } = serverForFile();

const SCRIPT = "alembic/versions/20240201_2b3c4d5e6f70_nickname.py";

/** A second script whose downgrade forgets one of the two columns its upgrade adds (the ORM has both). */
function addNicknameScript(repo: ReturnType<typeof fixtureRepo>): void {
  repo.edit(
    "app/models.py",
    "    email = Column(LowerCaseString(200), nullable=False, unique=True)\n",
    "    email = Column(LowerCaseString(200), nullable=False, unique=True)\n" +
      "    nickname = Column(String(50), nullable=True)\n" +
      "    bio = Column(String(200), nullable=True)\n",
  );
  repo.write(
    SCRIPT,
    [
      '"""nickname',
      "",
      "Revision ID: 2b3c4d5e6f70",
      "Revises: 1a2b3c4d5e6f",
      "",
      '"""',
      "from alembic import op",
      "import sqlalchemy as sa",
      "",
      'revision = "2b3c4d5e6f70"',
      'down_revision = "1a2b3c4d5e6f"',
      "branch_labels = None",
      "depends_on = None",
      "",
      "",
      "def upgrade() -> None:",
      '    op.add_column("account", sa.Column("nickname", sa.String(length=50), nullable=True))',
      '    op.add_column("account", sa.Column("bio", sa.String(length=200), nullable=True))',
      "",
      "",
      "def downgrade() -> None:",
      '    op.drop_column("account", "nickname")',
      "",
    ].join("\n"),
  );
}

for (const { name, python } of testPythons()) {
  test(`${name}: convention alembic: an uncommitted script is round-tripped by a local check (its incomplete downgrade is found); once committed it is history`, () => {
    const repo = fixtureRepo("alembic-app");
    try {
      repo.write(
        "package.json",
        `${JSON.stringify({ migrakit: { packages: ["."], convention: "alembic" } }, null, 2)}\n`,
      );
      repo.commit("migrakit config");
      addNicknameScript(repo);
      const run = () =>
        check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: cache(), env: { MIGRAKIT_NO_CACHE: "1" } });
      const local = run();
      assert.equal(local.status, 1, local.all);
      assert.match(local.all, /EMIGRAKIT_DOWNGRADE_INCOMPLETE/);
      assert.match(local.all, /20240201_2b3c4d5e6f70_nickname\.py/);
      assert.match(local.all, /bio/, "the column the downgrade left behind is named");
      // Staged but not committed is still the developer's own.
      repo.git("add", "-A");
      assert.match(run().all, /EMIGRAKIT_DOWNGRADE_INCOMPLETE/);
      // Committed, the script may be deployed somewhere: it is replayed as history like the first one.
      repo.git("commit", "-q", "-m", "nickname");
      const committed = run();
      assert.equal(committed.status, 0, committed.all);
    } finally {
      repo.cleanup();
    }
  });
}
