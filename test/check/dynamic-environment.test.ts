// What the machine lacks is an environment error (exit 3) that says how to fix it, never a finding and
// never a password.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ownDatabases, startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { testPythons } from "../helpers/python.js";
import { check, fixtureRepo, tempCache } from "./dynamic-helpers.js";

let pg: TestPostgres;
let bare: string;
const cacheHome = tempCache();

before(async () => {
  pg = await startTestPostgres();
  // A real interpreter without alembic, SQLAlchemy or a driver: a venv with nothing installed.
  bare = mkdtempSync(join(tmpdir(), "migrakit-bare-venv-"));
  execFileSync("python3", ["-m", "venv", "--without-pip", bare]);
});

after(async () => {
  const left = await ownDatabases(pg.adminUrl);
  await pg.stop();
  rmSync(bare, { recursive: true, force: true });
  rmSync(cacheHome, { recursive: true, force: true });
  assert.deepEqual(left, []);
});

test("missing alembic and driver: exit 3 with the pip command, before any database is touched", () => {
  const repo = fixtureRepo("seed-style");
  try {
    const r = check(repo.dir, { python: join(bare, "bin", "python"), databaseUrl: pg.adminUrl, cacheHome });
    assert.equal(r.status, 3, r.all);
    assert.match(r.stderr, /EMIGRAKIT_PYTHON_PACKAGE_MISSING/);
    assert.match(r.stderr, /alembic/);
    assert.match(r.stderr, /pip install/);
    assert.doesNotMatch(r.all, /Traceback/);
  } finally {
    repo.cleanup();
  }
});

test("an unreachable database URL: exit 3, and the password is not printed", () => {
  const repo = fixtureRepo("seed-style");
  try {
    const python = testPythons()[0]!.python;
    const r = check(repo.dir, {
      python,
      databaseUrl: "postgresql://someone:s3cr3t-pw@127.0.0.1:1/postgres",
      cacheHome,
    });
    assert.equal(r.status, 3, r.all);
    assert.match(r.stderr, /EMIGRAKIT_DB_UNREACHABLE/);
    assert.doesNotMatch(r.all, /s3cr3t-pw/);
    assert.doesNotMatch(r.all, /Traceback|at .*\.js:\d+/);
  } finally {
    repo.cleanup();
  }
});
