// `migrakit check` end to end on the seed-style fixture (10 tables in schema core, 15 scripts, two of them
// unreleased), with real Python (both pinned stacks), real alembic and a real embedded Postgres.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { testPythons } from "../helpers/python.js";
import { check, fixtureRepo, serverForFile } from "./dynamic-helpers.js";

const NEWEST = "lnschema_seed/migrations/versions/2023-02-21-a7c3e9f1b2d4-vx_x_x.py";
const RENAME = "lnschema_seed/migrations/versions/2023-02-20-d6e7f8091a2b-vx_x_x.py";

const { pg, cache } = serverForFile();

for (const { name, python } of testPythons()) {
  describe(`check on the seed-style fixture (${name} stack)`, () => {
    test("a clean repo passes: replay baseline, upgrade, models match, round trip; warm runs clone the template, then answer from the result cache", () => {
      const repo = fixtureRepo("seed-style");
      repo.git("tag", "v0.4.0"); // its release: "released scripts never change" has a tag to compare with
      try {
        const home = cache();
        const cold = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: home });
        assert.equal(cold.status, 0, cold.all);
        assert.match(cold.stderr, /lnschema_seed: baseline: replay\n/);
        // Passing, with the safety lint's warnings on the fixture's unreleased scripts (a table rename, two
        // plain CREATE INDEX on existing tables, a foreign key without NOT VALID: docs/lint.md).
        assert.match(cold.stderr, /\n0 errors, 4 warnings\n/);
        assert.deepEqual([...new Set([...cold.stderr.matchAll(/warning (EMIGRAKIT_\w+)/g)].map((m) => m[1]))].sort(), [
          "EMIGRAKIT_LINT_DATA",
          "EMIGRAKIT_LINT_LOCK",
          "EMIGRAKIT_LINT_RENAME",
        ]);

        repo.write(
          "lnschema_seed/_core.py",
          repo.read("lnschema_seed/_core.py") + "\n# a comment changes the inputs, not the schema\n",
        );
        const warm = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: home });
        assert.equal(warm.status, 0, warm.all);
        assert.match(warm.stderr, /baseline: replay, from cache/);

        const cached = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: home });
        assert.equal(cached.status, 0, cached.all);
        assert.match(cached.stderr, /answered from the cache/);

        // --no-cache (here through its environment switch) and CI always run for real.
        for (const env of [{ MIGRAKIT_NO_CACHE: "1" }, { CI: "true" }]) {
          const real = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: home, env });
          assert.equal(real.status, 0, real.all);
          assert.doesNotMatch(real.stderr, /answered from the cache/);
          assert.match(real.stderr, /baseline: replay/);
        }
      } finally {
        repo.cleanup();
      }
    });

    test("ORM ahead of the scripts: the exact op.* lines to paste, the script they belong in, and a GitHub annotation", () => {
      const repo = fixtureRepo("seed-style");
      try {
        repo.edit(
          "lnschema_seed/_core.py",
          "    name: str = Field(index=True, unique=True)\n",
          "    name: str = Field(index=True, unique=True)\n    description: Optional[str] = None\n",
        );
        const r = check(repo.dir, {
          python,
          databaseUrl: pg.adminUrl,
          cacheHome: cache(),
          env: { GITHUB_ACTIONS: "true" },
        });
        assert.equal(r.status, 1, r.all);
        assert.match(
          r.stderr,
          new RegExp(`${NEWEST}:10: error EMIGRAKIT_MODELS_MISMATCH: .*add_column core\\.tag\\.description`),
        );
        assert.ok(
          r.stderr.includes(
            "    op.add_column('tag', sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=True), schema='core')",
          ),
          r.stderr,
        );
        assert.ok(r.stderr.includes("    op.drop_column('tag', 'description', schema='core')"), r.stderr);
        assert.match(r.stderr, /needs `import sqlmodel`/);
        assert.match(
          r.stdout,
          new RegExp(`^::error file=${NEWEST},line=10,title=EMIGRAKIT_MODELS_MISMATCH::.*op.add_column\\('tag'`, "m"),
        );
      } finally {
        repo.cleanup();
      }
    });

    test("a broken unreleased script: the upgrade failure names the script and the database error", () => {
      const repo = fixtureRepo("seed-style");
      try {
        repo.edit(
          NEWEST,
          'op.create_index(op.f("ix_core_file_hash"), "file", ["hash"]',
          'op.create_index(op.f("ix_core_file_hash"), "file", ["hsah"]',
        );
        const r = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: cache() });
        assert.equal(r.status, 1, r.all);
        assert.match(
          r.stderr,
          new RegExp(
            `${NEWEST}:\\d+: error EMIGRAKIT_UPGRADE_FAILED: upgrade\\(\\) of ${NEWEST} failed on the replay baseline: .*"hsah" does not exist`,
          ),
        );
        assert.match(r.stderr, /SQL: CREATE INDEX ix_core_file_hash ON core\.file \(hsah\)/);
      } finally {
        repo.cleanup();
      }
    });

    test("a downgrade that does not undo its upgrade fails the round trip", () => {
      const repo = fixtureRepo("seed-style");
      try {
        repo.edit(
          RENAME,
          '    op.execute("ALTER INDEX core.ix_core_file_run_id RENAME TO ix_core_dobject_run_id")\n',
          "",
        );
        const r = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: cache() });
        assert.equal(r.status, 1, r.all);
        assert.match(r.stderr, new RegExp(`${RENAME}:\\d+: error EMIGRAKIT_DOWNGRADE_INCOMPLETE`));
        assert.match(r.stderr, /ix_core_dobject_run_id/);
        assert.doesNotMatch(r.stderr, /EMIGRAKIT_MODELS_MISMATCH/);
      } finally {
        repo.cleanup();
      }
    });

    test("a `pass` downgrade is a warning, an error with requireDowngrade", () => {
      const repo = fixtureRepo("seed-style");
      try {
        repo.edit(NEWEST, /def downgrade\(\) -> None:\n[\s\S]*$/, "def downgrade() -> None:\n    pass\n");
        const warn = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: cache() });
        assert.equal(warn.status, 0, warn.all);
        assert.match(warn.stderr, new RegExp(`${NEWEST}:\\d+: warning EMIGRAKIT_DOWNGRADE_EMPTY`));
        repo.write("migrakit.config.json", JSON.stringify({ requireDowngrade: true }));
        const strict = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: cache() });
        assert.equal(strict.status, 1, strict.all);
        assert.match(strict.stderr, /error EMIGRAKIT_DOWNGRADE_EMPTY/);
      } finally {
        repo.cleanup();
      }
    });
  });
}
