// Issue 16 item 13: `migrakit rebase` right after `git merge main`, with git's conflict markers in __init__.py.
// A conflict over _migration is what rebase is for: it resolves it and re-parents. Any other conflict is refused
// before a single file is written. Real git merges of the example package; real alembic and Postgres for the check.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { runCli } from "../helpers/cli.js";
import { scriptText } from "../helpers/schema-repo.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { pruneTemplates } from "../../src/db/templates.js";
import { REPO_ROOT, testPythons } from "../helpers/python.js";

const PKG = "lnschema_demo";
const VERSIONS = `${PKG}/migrations/versions`;
const HEAD = "dd2b4a9499f2";
const MAIN = "aaaaaaaaaaa1";
const BRANCH = "bbbbbbbbbbb2";
let pg: TestPostgres;
let work: string;
before(async () => {
  pg = await startTestPostgres();
  work = mkdtempSync(join(tmpdir(), "migrakit-rebase-"));
});
after(async () => {
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** main adds one script, the branch another, both set _migration; `git merge main` on the branch conflicts. */
function mergedWithConflict(
  name: string,
  extra?: { main: string; branch: string },
): { dir: string; git: (...a: string[]) => string } {
  const dir = join(work, name);
  cpSync(join(REPO_ROOT, "examples", "schema-repo"), dir, { recursive: true });
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "T",
    GIT_AUTHOR_EMAIL: "t@e",
    GIT_COMMITTER_NAME: "T",
    GIT_COMMITTER_EMAIL: "t@e",
  };
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, encoding: "utf8", env });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "schema at 0.2.0");
  git("tag", "v0.2.0");
  const init = join(dir, PKG, "__init__.py");
  const setMigration = (rev: string, docstring?: string) => {
    let text = readFileSync(init, "utf8").replace(/_migration = "[^"]*"/, `_migration = "${rev}"`);
    if (docstring) text = text.replace(/^""".*"""$/m, `"""${docstring}"""`);
    writeFileSync(init, text);
  };
  git("checkout", "-qb", "feature");
  writeFileSync(
    join(dir, VERSIONS, `2023-03-02-${BRANCH}-vx_x_x.py`),
    scriptText({ revision: BRANCH, down: HEAD, upgrade: 'op.execute("SELECT 2")' }),
  );
  setMigration(BRANCH, extra?.branch);
  git("add", "-A");
  git("commit", "-qm", "feat: branch script");
  git("checkout", "-q", "main");
  writeFileSync(
    join(dir, VERSIONS, `2023-03-01-${MAIN}-vx_x_x.py`),
    scriptText({ revision: MAIN, down: HEAD, upgrade: 'op.execute("SELECT 1")' }),
  );
  setMigration(MAIN, extra?.main);
  git("add", "-A");
  git("commit", "-qm", "feat: main script");
  git("checkout", "-q", "feature");
  const merge = spawnSync("git", ["merge", "-q", "main"], { cwd: dir, env, encoding: "utf8" });
  assert.notEqual(merge.status, 0, "the merge conflicts");
  assert.match(readFileSync(init, "utf8"), /^<<<<<<< /m);
  return { dir, git };
}

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === ".git") continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash("sha256").update(readFileSync(p)).digest("hex"));
    }
  };
  walk(dir);
  return out;
}

test("rebase resolves the _migration conflict of a merge, re-parents the branch's script and checks", () => {
  const { dir } = mergedWithConflict("resolvable");
  const python = testPythons()[0]!.python;
  const r = runCli(["rebase"], {
    cwd: dir,
    env: {
      MIGRAKIT_DATABASE_URL: pg.adminUrl,
      MIGRAKIT_PYTHON: python,
      CI: "true",
      XDG_CACHE_HOME: join(work, "cache"),
    },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const init = readFileSync(join(dir, PKG, "__init__.py"), "utf8");
  assert.doesNotMatch(init, /^(<<<<<<<|=======|>>>>>>>)/m);
  assert.match(init, new RegExp(`^_migration = "${BRANCH}"$`, "m"));
  assert.match(init, /^__version__ = "0\.2\.0"$/m);
  assert.match(init, /^from \._core import/m, "the rest of the file is kept");
  const script = readFileSync(join(dir, VERSIONS, `2023-03-02-${BRANCH}-vx_x_x.py`), "utf8");
  assert.match(script, new RegExp(`^down_revision = "${MAIN}"$`, "m"));
  assert.equal(runCli(["check", "--static"], { cwd: dir }).status, 0);
});

test("rebase refuses a conflict over other lines of __init__.py before writing anything", () => {
  const { dir } = mergedWithConflict("other-lines", { main: "Main's docstring.", branch: "The branch's docstring." });
  // The docstring sits right above the _migration lines only when git joins the hunks; make sure it conflicts.
  assert.match(readFileSync(join(dir, PKG, "__init__.py"), "utf8"), /<<<<<<< [^\n]*\n"""The branch's docstring\."""/);
  const before = snapshot(dir);
  const r = runCli(["rebase"], { cwd: dir });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(
    r.stderr,
    /EMIGRAKIT_REBASE_CONFLICT: lnschema_demo\/__init__\.py:\d+ .*\n {2}fix: Resolve the conflict/,
  );
  assert.doesNotMatch(r.stderr, /SyntaxError|\n\s+at /);
  assert.deepEqual(snapshot(dir), before, "nothing written");
});
