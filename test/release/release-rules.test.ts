// Release-step rules of issue 17: a script already named for the version being released is accepted by that
// release (and only by it); a new script named for a tagged version is refused; a tagged version with commits
// since its tag is not released a second time, while a re-run on the tagged commit stays a no-op.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { catalogue } from "../../src/errors/index.js";
import { runCli } from "../helpers/cli.js";
import {
  makeReleaseRepo,
  PKG,
  RELEASED,
  runPrepare,
  runRelease,
  SEED_INIT,
  SEED_SCRIPT,
  VERSIONS,
  type ReleaseRepo,
} from "./release-repo.js";

const exitOf = (code: string) => catalogue[code as keyof typeof catalogue]!.exit;
const named = (slug: string) => `${VERSIONS}/2023-02-16-dd2b4a9499f2-${slug}.py`;
const initAt = (migration: string, version = "0.26.2") =>
  SEED_INIT.replace("dd2b4a9499f2", migration).replace('"0.26.2"', `"${version}"`);

/** Released 0.26.2 (tagged), then the seed's script added under `slug` with `header`, committed as a feature. */
function releasedThenAdded(slug: string, header: string): ReleaseRepo {
  const repo = makeReleaseRepo({ scripts: [RELEASED], init: initAt("8280855a5064") });
  repo.git("tag", "v0.26.2");
  repo.git("push", "-q", "origin", "v0.26.2");
  repo.write(named(slug), scriptText(header));
  repo.write(`${PKG}/__init__.py`, initAt("dd2b4a9499f2"));
  repo.commitAll("feat: rename transform.version to v");
  return repo;
}

function scriptText(header: string): string {
  return `"""${header}"""\nfrom alembic import op\n\nrevision = "${SEED_SCRIPT.revision}"\ndown_revision = "${RELEASED.revision}"\n\n\ndef upgrade() -> None:\n    ${SEED_SCRIPT.upgrade}\n\n\ndef downgrade() -> None:\n    ${SEED_SCRIPT.downgrade}\n`;
}

test("a script named for the version being released: release-prepare of exactly that version accepts it", (t) => {
  const repo = releasedThenAdded("v0_33_0", "v0.33.0.");
  t.after(() => repo.cleanupAll());
  const ahead = runCli(["check", "--static", "--json"], { cwd: repo.dir });
  assert.equal(ahead.status, exitOf("EMIGRAKIT_RELEASED_AHEAD"));
  assert.equal(JSON.parse(ahead.stdout).findings[0].code, "EMIGRAKIT_RELEASED_AHEAD");
  assert.match(
    JSON.parse(ahead.stdout).findings[0].fix,
    /^Release 0\.33\.0 \(`npx migrakit release-prepare --version 0\.33\.0`/,
  );
  // Releasing an older version than the name is still refused …
  const older = runPrepare(repo, ["--version", "0.32.0"]);
  assert.equal(older.status, exitOf("EMIGRAKIT_RELEASED_AHEAD"), older.stdout + older.stderr);
  assert.match(older.stderr, /EMIGRAKIT_RELEASED_AHEAD/);
  // … and exactly that version is accepted: __version__ follows, the script keeps its name and header.
  const exact = runPrepare(repo, ["--version", "0.33.0"]);
  assert.equal(exact.status, 0, exact.stdout + exact.stderr);
  assert.match(repo.read(`${PKG}/__init__.py`), /__version__ = "0\.33\.0"/);
  assert.ok(existsSync(repo.path(named("v0_33_0"))));
  assert.equal(runCli(["check", "--static"], { cwd: repo.dir }).status, 0);
});

test("named for the release but headed otherwise: refused, the header is checked", (t) => {
  const repo = releasedThenAdded("v0_33_0", "vX.X.X.");
  t.after(() => repo.cleanupAll());
  const r = runPrepare(repo, ["--version", "0.33.0"]);
  assert.notEqual(r.status, 0, r.stdout);
});

test("semantic-release accepts a script named for the version it computes (0.27.0 for a feat)", (t) => {
  const repo = releasedThenAdded("v0_27_0", "v0.27.0.");
  t.after(() => repo.cleanupAll());
  const r = runRelease(repo);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(repo.git("tag", "--list").split("\n").includes("v0.27.0"));
  assert.match(repo.read(`${PKG}/__init__.py`), /__version__ = "0\.27\.0"/);
});

test("a new script named for an already tagged version: EMIGRAKIT_RELEASED_ADDED; following its fix passes", (t) => {
  const repo = releasedThenAdded("v0_26_2", "v0.26.2.");
  t.after(() => repo.cleanupAll());
  const check = runCli(["check", "--static"], { cwd: repo.dir });
  assert.equal(check.status, exitOf("EMIGRAKIT_RELEASED_ADDED"), check.stderr);
  assert.match(
    check.stderr,
    /EMIGRAKIT_RELEASED_ADDED: .*v0_26_2\.py" is named for version 0\.26\.2, but it was added after that version was released \(v0\.26\.2/,
  );
  const prepare = runPrepare(repo, ["--version", "0.27.0"]);
  assert.equal(prepare.status, exitOf("EMIGRAKIT_RELEASED_ADDED"), prepare.stdout + prepare.stderr);
  // The fix: the `git mv` it prints, and the unreleased header.
  const mv = /`(git mv [^`]+)`/.exec(check.stderr)![1]!.split(" ");
  repo.git(...mv.slice(1));
  repo.write(named("vx_x_x"), scriptText("vX.X.X."));
  const after = runCli(["check", "--static"], { cwd: repo.dir });
  assert.equal(after.status, 0, after.stderr);
});

test("a tagged version with commits since: EMIGRAKIT_RELEASE_TAG_EXISTS; on the tagged commit a re-run is a no-op", (t) => {
  const repo = makeReleaseRepo();
  t.after(() => repo.cleanupAll());
  assert.equal(runPrepare(repo, ["--version", "1.0.0"]).status, 0);
  repo.commitAll("chore(release): 1.0.0");
  repo.git("tag", "v1.0.0");
  const again = runPrepare(repo, ["--version", "1.0.0"]);
  assert.equal(again.status, 0, again.stdout + again.stderr);
  assert.equal(repo.git("status", "--porcelain"), "", "the re-run on the tagged tree changes nothing");
  repo.write("README.md", "more\n");
  repo.commitAll("fix: later work");
  const second = runPrepare(repo, ["--version", "1.0.0", "--json"]);
  assert.equal(second.status, exitOf("EMIGRAKIT_RELEASE_TAG_EXISTS"), second.stdout + second.stderr);
  const doc = JSON.parse(second.stdout);
  assert.equal(doc.errors[0].code, "EMIGRAKIT_RELEASE_TAG_EXISTS");
  assert.match(doc.errors[0].message, /1\.0\.0 is already released \(tag v1\.0\.0\), and HEAD has 1 commit\(s\) since/);
  // Its fix: a version with no tag yet.
  assert.equal(runPrepare(repo, ["--version", "1.0.1"]).status, 0);
});
