// Issue 16, the release baseline's last two refusals, each reached the way a user reaches it and its fix
// followed through the real CLI (copy of examples/schema-repo, real git, real alembic, embedded Postgres):
// - EMIGRAKIT_RELEASE_REVISION_UNKNOWN: a release tagged by hand while its script was still unreleased
//   (`vx_x_x`, release-prepare never ran), whose script was later regenerated under a new revision. The static
//   rule lets an unreleased script change, and the release's own scripts stamp the tag's `_migration`, so only
//   the dynamic check sees that no script of the chain defines that revision any more.
// - EMIGRAKIT_NO_RELEASE inside git: `baseline: "release"` in a shallow clone (actions/checkout's default),
//   which has neither the tags nor a commit without unreleased scripts (fix: fetch them); and a full clone whose
//   every commit holds unreleased work (fix: the replay baseline).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addUnreleasedScript, exampleRepo, type ExampleRepo } from "../helpers/example-repo.js";
import { testPythons } from "../helpers/python.js";
import { check, serverForFile } from "../check/dynamic-helpers.js";

const { pg, cache } = serverForFile();
const python = testPythons()[0]!.python;

const run = (dir: string) => check(dir, { python, databaseUrl: pg.adminUrl, cacheHome: cache(), args: ["--no-cache"] });

const setConfig = (repo: ExampleRepo, config: object) =>
  repo.write("package.json", JSON.stringify({ name: "schema-repo", private: true, migrakit: config }, null, 2));

/** The fix line of `code` in the text output. */
function fixOf(out: string, code: string): string {
  const at = out.indexOf(code);
  assert.ok(at >= 0, out);
  const fix = /fix: (.*)/.exec(out.slice(at));
  assert.ok(fix, out);
  return fix[1]!;
}

test("EMIGRAKIT_RELEASE_REVISION_UNKNOWN: the tag's _migration names an unreleased script regenerated since; the fix (replay) passes", (t) => {
  const repo = exampleRepo();
  t.after(() => repo.cleanup());
  setConfig(repo, { baseline: "release" });
  // 0.3.0 tagged by hand while its (data) script was still vx_x_x.
  const first = addUnreleasedScript(repo, "a1a1a1a1a1a1", 'op.execute("UPDATE core.user SET handle = handle")');
  const init = `${repo.pkg}/__init__.py`;
  repo.write(init, repo.read(init).replace('__version__ = "0.2.0"', '__version__ = "0.3.0"'));
  repo.git("add", "-A");
  repo.git("commit", "-qm", "feat: note table");
  repo.git("tag", "v0.3.0");
  // Then the unreleased script is thrown away and written again: a new revision, the same parent.
  unlinkSync(join(repo.dir, first));
  addUnreleasedScript(repo, "b2b2b2b2b2b2", 'op.execute("UPDATE core.user SET handle = trim(handle)")');
  repo.write(init, repo.read(init).replace('_migration = "a1a1a1a1a1a1"', '_migration = "b2b2b2b2b2b2"'));
  repo.git("add", "-A");
  repo.git("commit", "-qm", "fix: note table regenerated");

  const r = run(repo.dir);
  assert.equal(r.status, 1, r.all);
  assert.match(r.all, /EMIGRAKIT_RELEASE_REVISION_UNKNOWN/, r.all);
  assert.match(r.all, /v0\.3\.0/);
  assert.match(r.all, /a1a1a1a1a1a1/);
  const fix = fixOf(r.all, "EMIGRAKIT_RELEASE_REVISION_UNKNOWN");
  assert.match(fix, /"baseline": "replay"/, fix);

  // Followed: the check starts from a replay of the history instead of the release, and passes.
  setConfig(repo, { baseline: "replay" });
  const fixed = run(repo.dir);
  assert.equal(fixed.status, 0, fixed.all);
  assert.doesNotMatch(fixed.all, /EMIGRAKIT_RELEASE_REVISION_UNKNOWN/);
});

test('EMIGRAKIT_NO_RELEASE in git: baseline "release" in a shallow clone says to fetch the tags, and that works', (t) => {
  const origin = exampleRepo();
  t.after(() => origin.cleanup());
  setConfig(origin, { baseline: "release" });
  addUnreleasedScript(origin, "c3c3c3c3c3c3", 'op.execute("SELECT 1")');
  origin.git("add", "-A");
  origin.git("commit", "-qm", "feat: unreleased work");
  const parent = mkdtempSync(join(tmpdir(), "migrakit-shallow-"));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  const dir = join(parent, "clone");
  execFileSync("git", ["clone", "-q", "--depth", "1", `file://${origin.dir}`, dir], { stdio: "ignore" });

  const r = run(dir);
  assert.equal(r.status, 1, r.all);
  assert.match(r.all, /EMIGRAKIT_NO_RELEASE/, r.all);
  assert.match(r.all, /shallow/, r.all);
  const fix = fixOf(r.all, "EMIGRAKIT_NO_RELEASE");
  const command = /`(git fetch [^`]+)`/.exec(fix);
  assert.ok(command, fix);

  // Followed as printed: the tag of 0.2.0 arrives and the release baseline is built from it.
  execFileSync("sh", ["-c", command[1]!], { cwd: dir, stdio: "ignore" });
  const fixed = run(dir);
  assert.equal(fixed.status, 0, fixed.all);
  assert.match(fixed.all, /v0\.2\.0/, fixed.all);
});

test("EMIGRAKIT_NO_RELEASE in git: a full clone whose every commit holds unreleased work, no tag; the fix (replay) passes", (t) => {
  const repo = exampleRepo();
  t.after(() => repo.cleanup());
  // The package came into git with its unreleased script already there: no commit is a release.
  repo.git("tag", "-d", "v0.2.0");
  addUnreleasedScript(repo, "d4d4d4d4d4d4", 'op.execute("UPDATE core.user SET handle = handle")');
  setConfig(repo, { baseline: "release" });
  repo.git("add", "-A");
  repo.git("commit", "-q", "--amend", "-m", "feat: the package, with work in progress");

  const r = run(repo.dir);
  assert.equal(r.status, 1, r.all);
  assert.match(r.all, /EMIGRAKIT_NO_RELEASE/, r.all);
  assert.doesNotMatch(/EMIGRAKIT_NO_RELEASE: .*/.exec(r.all)![0], /shallow/);
  const fix = fixOf(r.all, "EMIGRAKIT_NO_RELEASE");
  assert.match(fix, /"replay"/, fix);
  assert.doesNotMatch(fix, /git fetch/, "nothing to fetch in a full clone");

  setConfig(repo, { baseline: "replay" });
  const fixed = run(repo.dir);
  assert.equal(fixed.status, 0, fixed.all);
});
