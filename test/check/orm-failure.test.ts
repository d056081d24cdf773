// Failures pointed at where they are: an ORM that fails to import is EMIGRAKIT_ORM_IMPORT_FAILED with the ORM's
// file, line and original exception (not "fix upgrade()" on a released script, nor "Table … is already defined"
// from a second import); a failing statement in a script is pointed at by its own line, and the detail keeps
// SQLAlchemy's and alembic's frames out. Real Python (both stacks), real alembic, a real Postgres.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { testPythons } from "../helpers/python.js";
import { runCli } from "../helpers/cli.js";
import { check, fixtureRepo, serverForFile } from "./dynamic-helpers.js";

const CORE = "lnschema_seed/_core.py";
const NEWEST = "lnschema_seed/migrations/versions/2023-02-21-a7c3e9f1b2d4-vx_x_x.py";
const { pg, cache } = serverForFile();

interface Doc {
  findings: { code: string; file?: string; line?: number; message: string; fix: string; detail?: string }[];
}

for (const { name, python } of testPythons()) {
  describe(`ORM and statement failures (${name} stack)`, () => {
    test("an ORM syntax error: EMIGRAKIT_ORM_IMPORT_FAILED at the ORM's file and line", () => {
      const repo = fixtureRepo("seed-style");
      repo.git("tag", "v0.4.0"); // its release: the released-scripts rule has a tag to compare with
      try {
        repo.edit(CORE, "class Storage(SQLModel, table=True):", "class Storage(SQLModel, table=True)");
        const line =
          repo
            .read(CORE)
            .split("\n")
            .findIndex((l) => l.startsWith("class Storage(")) + 1;
        const r = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: cache(), args: ["--json"] });
        assert.equal(r.status, 1, r.all);
        const [f] = (JSON.parse(r.stdout) as Doc).findings;
        assert.equal(f!.code, "EMIGRAKIT_ORM_IMPORT_FAILED", r.stdout);
        assert.equal(f!.file, CORE);
        assert.equal(f!.line, line);
        assert.match(f!.message, /SyntaxError/);
        assert.match(f!.fix, new RegExp(`^Fix ${CORE} line ${line} \\(\`python -c "import lnschema_seed"\``));
      } finally {
        repo.cleanup();
      }
    });

    test("a module that raises after defining tables: the original exception, in check and in generate, never 'already defined'", () => {
      const repo = fixtureRepo("seed-style");
      repo.git("tag", "v0.4.0"); // its release: the released-scripts rule has a tag to compare with
      try {
        repo.write(CORE, repo.read(CORE) + '\nraise RuntimeError("settings missing")\n');
        const line =
          repo
            .read(CORE)
            .split("\n")
            .findIndex((l) => l.startsWith("raise RuntimeError")) + 1;
        const r = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: cache(), args: ["--json"] });
        assert.equal(r.status, 1, r.all);
        const doc = JSON.parse(r.stdout) as Doc;
        assert.equal(doc.findings[0]!.code, "EMIGRAKIT_ORM_IMPORT_FAILED", r.stdout);
        assert.equal(doc.findings[0]!.line, line);
        assert.match(doc.findings[0]!.message, /RuntimeError: settings missing/);
        assert.doesNotMatch(r.all, /already defined/);
        const g = runCli(["generate"], {
          cwd: repo.dir,
          env: { MIGRAKIT_PYTHON: python, MIGRAKIT_DATABASE_URL: pg.adminUrl, XDG_CACHE_HOME: cache() },
          timeoutMs: 300_000,
        });
        assert.notEqual(g.status, 0);
        assert.match(g.stderr, /RuntimeError: settings missing/);
        assert.doesNotMatch(g.stdout + g.stderr, /already defined/);
      } finally {
        repo.cleanup();
      }
    });
  });
}

test("a failing statement: UPGRADE_FAILED at that statement's line, SQLAlchemy's frames left out of the detail", () => {
  const { python } = testPythons().find((p) => p.name === "current")!;
  const repo = fixtureRepo("seed-style");
  repo.git("tag", "v0.4.0"); // its release: the released-scripts rule has a tag to compare with
  try {
    repo.edit(
      NEWEST,
      'op.create_index(op.f("ix_core_dataset_file_id"), "dataset"',
      'op.create_index(op.f("ix_core_dataset_file_id"), "no_such_table"',
    );
    const line =
      repo
        .read(NEWEST)
        .split("\n")
        .findIndex((l) => l.includes('"no_such_table"')) + 1;
    const r = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: cache(), args: ["--json"] });
    assert.equal(r.status, 1, r.all);
    const [f] = (JSON.parse(r.stdout) as Doc).findings;
    assert.equal(f!.code, "EMIGRAKIT_UPGRADE_FAILED", r.stdout);
    assert.equal(f!.file, NEWEST);
    assert.equal(f!.line, line, "the statement's line, not def upgrade()");
    assert.match(f!.detail!, /no_such_table/);
    assert.doesNotMatch(f!.detail!, /site-packages|sqlalchemy[\\/]engine/);
    // The frame Python reported: the script's file and line, the function and the statement's own text.
    const at = `${NEWEST.split("/").pop()}:${line} in upgrade: op.create_index(op.f("ix_core_dataset_file_id"), "no_such_table"`;
    assert.ok(f!.detail!.includes(at), f!.detail);
  } finally {
    repo.cleanup();
  }
});
