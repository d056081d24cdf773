// The lamin-era fixture: its first script alters tables `create_all` made, so its history cannot replay from
// empty. `auto` falls back to the release baseline: create_all of the package as tagged, stamped with the
// tag's _migration; the unreleased scripts after the tag are checked on top of it.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { testPythons } from "../helpers/python.js";
import { check, fixtureRepo, serverForFile, type FixtureRepo } from "./dynamic-helpers.js";

const { pg, cache } = serverForFile();

const SCRIPT = "lnschema_lamin/migrations/versions/2023-03-01-7d1e2f3a4b5c-vx_x_x.py";

/** After the v0.5.0 tag: a column in the ORM and the unreleased script that adds it. */
function addSizeColumn(repo: FixtureRepo): void {
  repo.edit(
    "lnschema_lamin/_core.py",
    "    source: Optional[str] = None\n",
    "    source: Optional[str] = None\n    size: Optional[int] = None\n",
  );
  repo.edit("lnschema_lamin/__init__.py", '_migration = "4e5f6a7b8c9d"', '_migration = "7d1e2f3a4b5c"');
  repo.write(
    SCRIPT,
    [
      '"""vX.X.X."""',
      "from alembic import op",
      "import sqlalchemy as sa  # noqa: F401",
      "import sqlmodel as sqm  # noqa: F401",
      "",
      'revision = "7d1e2f3a4b5c"',
      'down_revision = "4e5f6a7b8c9d"',
      "",
      "",
      "def upgrade() -> None:",
      '    op.add_column("dobject", sa.Column("size", sa.Integer(), nullable=True), schema="core")',
      "",
      "",
      "def downgrade() -> None:",
      '    op.drop_column("dobject", "size", schema="core")',
      "",
    ].join("\n"),
  );
}

for (const { name, python } of testPythons()) {
  describe(`check on the lamin-era fixture (${name} stack)`, () => {
    test("replay fails, so auto builds the baseline from the tagged tree (not the working tree) and the checks pass", () => {
      const repo = fixtureRepo("lamin-era");
      try {
        repo.git("tag", "v0.5.0");
        addSizeColumn(repo);
        repo.commit("add dobject.size");
        const home = cache();
        const r = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: home });
        assert.equal(r.status, 0, r.all);
        // Built from the working tree, the table would already have `size` and the script would fail.
        assert.match(
          r.stderr,
          /lnschema_lamin: baseline: release \(create_all at v0\.5\.0\); the history does not replay from empty \(lnschema_lamin\/migrations\/versions\/2022-07-21-0560ee3d73dc-jupynb\.py: .*"core\.dobject" does not exist\)/,
        );
        const warm = check(repo.dir, {
          python,
          databaseUrl: pg.adminUrl,
          cacheHome: home,
          env: { MIGRAKIT_NO_CACHE: "" },
          args: ["--json"],
        });
        assert.equal(warm.status, 0, warm.all);
        const doc = JSON.parse(warm.stdout) as {
          ok: boolean;
          baselines: Record<string, { kind: string; ref: string }>;
        };
        assert.equal(doc.ok, true);
        assert.equal(doc.baselines.lnschema_lamin?.kind, "release");
        assert.equal(doc.baselines.lnschema_lamin?.ref, "v0.5.0");
        // The result cache answers while HEAD and the tags stay (read from .git, no git process), and not
        // once HEAD has moved: a release baseline is chosen from them.
        const hit = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: home });
        assert.match(hit.stderr, /answered from the cache/);
        repo.git("commit", "-q", "--allow-empty", "-m", "HEAD moves");
        const moved = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: home });
        assert.equal(moved.status, 0, moved.all);
        assert.doesNotMatch(moved.stderr, /answered from the cache/);

        const replay = check(repo.dir, {
          python,
          databaseUrl: pg.adminUrl,
          cacheHome: cache(),
          env: { MIGRAKIT_NO_CACHE: "1" },
          args: [],
        });
        assert.equal(replay.status, 0, replay.all);
        repo.write("migrakit.config.json", JSON.stringify({ baseline: "replay" }));
        const forced = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: cache() });
        assert.equal(forced.status, 1, forced.all);
        assert.match(forced.stderr, /2022-07-21-0560ee3d73dc-jupynb\.py:\d+: error EMIGRAKIT_REPLAY_FAILED/);
      } finally {
        repo.cleanup();
      }
    });

    test("an ORM edit after the tag without a script is caught", () => {
      const repo = fixtureRepo("lamin-era");
      try {
        repo.git("tag", "v0.5.0");
        addSizeColumn(repo);
        repo.edit("lnschema_lamin/_core.py", "    root: str\n", "    root: str\n    region: Optional[str] = None\n");
        const r = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: cache() });
        assert.equal(r.status, 1, r.all);
        assert.match(
          r.stderr,
          new RegExp(`${SCRIPT}:10: error EMIGRAKIT_MODELS_MISMATCH: .*add_column core\\.storage\\.region`),
        );
        assert.ok(
          r.stderr.includes(
            "op.add_column('storage', sa.Column('region', sqlmodel.sql.sqltypes.AutoString(), nullable=True), schema='core')",
          ),
          r.stderr,
        );
      } finally {
        repo.cleanup();
      }
    });
  });
}
