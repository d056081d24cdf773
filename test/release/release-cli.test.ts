// The `release` bin's contract: semantic-release's own failures are EMIGRAKIT_RELEASE_FAILED with
// semantic-release's code and a fix line that works when followed; --json is one document on stdout.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { catalogue } from "../../src/errors/index.js";
import { makeReleaseRepo, runRelease } from "./release-repo.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FAILED_EXIT = catalogue.EMIGRAKIT_RELEASE_FAILED!.exit;

test("no git remote: EMIGRAKIT_RELEASE_FAILED (ENOREPOURL) without a stack trace; following its fix releases", (t) => {
  const repo = makeReleaseRepo();
  t.after(() => repo.cleanupAll());
  repo.git("remote", "remove", "origin");
  const r = runRelease(repo);
  assert.equal(r.status, FAILED_EXIT, r.stdout + r.stderr);
  assert.match(r.stderr, /error EMIGRAKIT_RELEASE_FAILED: semantic-release failed \(ENOREPOURL\)/);
  assert.match(r.stderr, /fix: Add a git remote \(`git remote add origin URL`\) or pass `--repository-url URL`/);
  assert.doesNotMatch(r.stdout + r.stderr, /^\s+at \S/m, "no JavaScript stack frames");
  const json = runRelease(repo, ["--json"]);
  assert.equal(json.status, FAILED_EXIT);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.ok, false);
  assert.equal(doc.errors[0].code, "EMIGRAKIT_RELEASE_FAILED");
  assert.match(doc.errors[0].message, /ENOREPOURL/);
  // The fix, as written: add the remote, run again.
  repo.git("remote", "add", "origin", repo.remote);
  const again = runRelease(repo, ["--json"]);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout), {
    ok: true,
    dryRun: false,
    released: { version: "1.0.0", gitTag: "v1.0.0", channel: null },
  });
});

test("a remote given as a bare path: EMIGRAKIT_RELEASE_FAILED (ERR_INVALID_URL) whose fix, a file:// URL, releases", (t) => {
  const repo = makeReleaseRepo();
  t.after(() => repo.cleanupAll());
  const path = repo.remote.replace(/^file:\/\//, "");
  repo.git("remote", "set-url", "origin", path);
  const r = runRelease(repo);
  assert.equal(r.status, FAILED_EXIT, r.stdout + r.stderr);
  assert.match(r.stderr, /error EMIGRAKIT_RELEASE_FAILED: semantic-release failed \(ERR_INVALID_URL\)/);
  assert.match(
    r.stderr,
    /fix: Give the remote as a URL, e\.g\. `git remote set-url origin file:\/\/\/abs\/path\/repo\.git`/,
  );
  repo.git("remote", "set-url", "origin", `file://${path}`);
  const again = runRelease(repo, ["--json"]);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).released.version, "1.0.0");
});

test("a remote that cannot be reached: EMIGRAKIT_RELEASE_FAILED with the first line of git's complaint, no stack", (t) => {
  const repo = makeReleaseRepo();
  t.after(() => repo.cleanupAll());
  repo.git("remote", "set-url", "origin", "file:///nonexistent/migrakit-remote.git");
  const r = runRelease(repo);
  assert.equal(r.status, FAILED_EXIT, r.stdout + r.stderr);
  assert.match(r.stderr, /error EMIGRAKIT_RELEASE_FAILED: semantic-release failed \((EGITNOPERMISSION|no code)\)/);
  assert.match(r.stderr, /fix: /);
  assert.doesNotMatch(r.stdout + r.stderr, /^\s+at \S/m, "no JavaScript stack frames");
});

test("the default configuration logs migrakit's plugin by name where the repo has migrakit installed", (t) => {
  const repo = makeReleaseRepo();
  t.after(() => repo.cleanupAll());
  mkdirSync(repo.path("node_modules"));
  symlinkSync(ROOT, repo.path("node_modules/migrakit"));
  writeFileSync(repo.path(".gitignore"), "node_modules/\n");
  repo.commitAll("chore: ignore node_modules");
  const r = runRelease(repo, ["--dry-run"]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Loaded plugin "verifyConditions" from "migrakit\/release"/);
  assert.ok(!r.stdout.includes(`${ROOT}dist/release-plugins`), "no absolute path to the plugin");
});
