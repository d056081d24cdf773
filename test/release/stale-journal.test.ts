// Issue 16 item 1: a journal left by an interrupted release is replayed only over files that still hold exactly
// its before- or after-text; otherwise release-prepare refuses (EMIGRAKIT_RELEASE_JOURNAL_STALE) without touching
// anything, and `check` reports the pending journal (EMIGRAKIT_RELEASE_PENDING) instead of a duplicate revision.
// Issue 10 item 5: the shipped bins read no fault switch; crashes are injected by the test-only entry.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/python.js";
import { makeReleaseRepo, PKG, runPrepare, seedFile, VERSIONS, type ReleaseRepo } from "./release-repo.js";

const journal = (repo: ReleaseRepo) => join(repo.dir, ".git", "migrakit-release.json");
const releasedAs = (v: string) => `${VERSIONS}/2023-02-16-dd2b4a9499f2-v${v.replace(/\./g, "_")}.py`;

function killedAt(n: number): ReleaseRepo {
  const repo = makeReleaseRepo();
  const killed = runPrepare(repo, ["--version", "1.0.0"], {}, `kill:${n}`);
  assert.equal(killed.signal, "SIGKILL", killed.stderr);
  assert.ok(existsSync(journal(repo)));
  return repo;
}

test("stale journal: committed work after a clean-up is never reverted; the refusal names the file, and its fix works", (t) => {
  const repo = killedAt(5);
  t.after(() => repo.cleanupAll());
  repo.git("checkout", "--", ".");
  repo.git("clean", "-fdq");
  const init = `${PKG}/__init__.py`;
  repo.write(init, repo.read(init) + "EXTRA = 1  # committed after the crash\n");
  repo.commitAll("feat: extra");
  const before = repo.snapshot();
  const r = runPrepare(repo, ["--version", "1.1.0"]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /EMIGRAKIT_RELEASE_JOURNAL_STALE: .*lnschema_core\/__init__\.py changed since/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.deepEqual(repo.snapshot(), before, "nothing touched");
  assert.ok(existsSync(journal(repo)), "the journal is kept until the user discards it");
  // The check reports the pending journal as such, with the same way out.
  const check = runCli(["check", "--static", "--json"], { cwd: repo.dir });
  // Errors only: the fixture's 0.26.2 has no tag, which the released-unchanged rule reports as a warning.
  const findings = (
    JSON.parse(check.stdout) as { findings: { code: string; fix: string; severity: string }[] }
  ).findings.filter((f) => f.severity === "error");
  assert.equal(check.status, 1);
  assert.deepEqual(
    findings.map((f) => f.code),
    ["EMIGRAKIT_RELEASE_PENDING"],
  );
  assert.match(findings[0]!.fix, /rm '.*migrakit-release\.json'/);
  // Following the fix: discard the journal, release again; the committed line survives.
  const fix = /rm '([^']+)'/.exec(r.stderr)![1]!;
  rmSync(fix);
  const again = runPrepare(repo, ["--version", "1.1.0"]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(repo.read(init), /EXTRA = 1 {2}# committed after the crash/);
  assert.match(repo.read(init), /__version__ = "1\.1\.0"/);
  assert.ok(existsSync(repo.path(releasedAs("1.1.0"))));
});

test("stale journal: an edit of the renamed script after the crash is not overwritten by 'finishing' the release", (t) => {
  // Kill right after the renamed script was written (the old name still exists).
  let repo: ReleaseRepo | undefined;
  for (let n = 2; n < 10 && !repo; n++) {
    const candidate = killedAt(n);
    if (existsSync(candidate.path(releasedAs("1.0.0"))) && existsSync(candidate.path(seedFile))) repo = candidate;
    else candidate.cleanupAll();
  }
  assert.ok(repo, "some kill point leaves both names");
  t.after(() => repo!.cleanupAll());
  const target = releasedAs("1.0.0");
  repo.write(
    target,
    repo.read(target).replace("def downgrade", "# a data fix written after the crash\n\n\ndef downgrade"),
  );
  const before = repo.snapshot();
  // Today's check would call this a duplicate revision and advise deleting "the copy": it names the journal.
  const check = runCli(["check", "--static", "--json"], { cwd: repo.dir });
  const codes = (JSON.parse(check.stdout) as { findings: { code: string }[] }).findings.map((f) => f.code);
  assert.ok(codes.includes("EMIGRAKIT_RELEASE_PENDING"), codes.join());
  assert.ok(!codes.includes("EMIGRAKIT_DUPLICATE_REVISION"), codes.join());
  const r = runPrepare(repo, ["--version", "1.0.0"]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`EMIGRAKIT_RELEASE_JOURNAL_STALE: .*${target.replace(/[.]/g, "\\.")} changed since`),
  );
  assert.deepEqual(repo.snapshot(), before, "the edit is kept, nothing else touched");
});

test("a pending journal over untouched files: check says how to finish it, and following that finishes it", (t) => {
  const repo = killedAt(3);
  t.after(() => repo.cleanupAll());
  const check = runCli(["check", "--static", "--json"], { cwd: repo.dir });
  assert.equal(check.status, 1, check.stderr);
  const findings = (
    JSON.parse(check.stdout) as { findings: { code: string; fix: string; severity: string }[] }
  ).findings.filter((f) => f.severity === "error");
  assert.deepEqual(
    findings.map((f) => f.code),
    ["EMIGRAKIT_RELEASE_PENDING"],
  );
  assert.match(findings[0]!.fix, /npx migrakit release-prepare --version 1\.0\.0/);
  const r = runPrepare(repo, ["--version", "1.0.0"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /interrupted release of 1\.0\.0 was finished/);
  assert.equal(runCli(["check", "--static"], { cwd: repo.dir }).status, 0);
});

test("the shipped bins read no fault switch: MIGRAKIT_TEST_FAULT in the environment changes nothing", (t) => {
  const repo = makeReleaseRepo();
  t.after(() => repo.cleanupAll());
  const r = runPrepare(repo, ["--version", "1.0.0"], { MIGRAKIT_TEST_FAULT: "kill:1" });
  assert.equal(r.signal, null);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(repo.path(releasedAs("1.0.0"))));
  const shipped: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|js)$/.test(name)) shipped.push(p);
    }
  };
  for (const dir of ["src", "release-plugins", "bin"]) walk(join(REPO_ROOT, dir));
  const readers = shipped.filter((p) => readFileSync(p, "utf8").includes("MIGRAKIT_TEST_FAULT"));
  assert.deepEqual(readers, []);
});
