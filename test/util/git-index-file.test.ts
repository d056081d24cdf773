// src/util/git-index-file.ts against git's own answer (`git ls-files -s`), for the index versions git writes
// (2, 3 with extended flags, 4 with compressed names), intent-to-add entries, long and non-ASCII names, an
// unmerged path; and the layouts it does not read (a split index, a sparse folder over the one asked for) are null.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gitIn } from "../helpers/git.js";
import { indexEntriesUnder } from "../../src/util/git-index-file.js";

function repo() {
  const dir = mkdtempSync(join(tmpdir(), "migrakit-index-"));
  const git = gitIn(dir);
  git("init", "-q", "-b", "main");
  const write = (rel: string, text: string) => {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  return { dir, git, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What git lists under `prefix`, as `mode oid stage\tpath` lines. */
function gitsAnswer(git: (...a: string[]) => string, prefix: string): string[] {
  return git("-c", "core.quotepath=off", "ls-files", "-s", "-z", "--", prefix).split("\0").filter(Boolean).sort();
}

function ours(dir: string, prefix: string): string[] | null {
  const entries = indexEntriesUnder(join(dir, ".git"), prefix, 20);
  return entries && [...entries].map(([path, e]) => `${e.mode} ${e.oid} ${e.stage}\t${path}`).sort();
}

test("every index version git writes, as git lists it", (t) => {
  const r = repo();
  t.after(r.cleanup);
  for (let i = 0; i < 40; i++) r.write(`pkg/versions/s${i}.py`, `x = ${i}\n`);
  r.write(`pkg/versions/ünïcode ${"n".repeat(200)}.py`, "y\n");
  r.write("pkg/versions/run.sh", "#!/bin/sh\n");
  r.write("pkg/versionsX/outside.py", "z\n");
  r.write("pkg/a.py", "a\n");
  r.git("add", "-A");
  r.git("update-index", "--chmod=+x", "pkg/versions/run.sh");
  r.git("commit", "-qm", "init");
  r.write("pkg/versions/later.py", "later\n");
  r.git("add", "--intent-to-add", "pkg/versions/later.py");
  for (const version of ["2", "3", "4"]) {
    r.git("update-index", "--index-version", version);
    const listed = ours(r.dir, "pkg/versions/");
    assert.deepEqual(listed, gitsAnswer(r.git, "pkg/versions/"), `index version ${version}`);
    assert.equal(listed!.length, 43);
    const later = indexEntriesUnder(join(r.dir, ".git"), "pkg/versions/", 20)!.get("pkg/versions/later.py");
    assert.equal(later?.intentToAdd, true);
  }
});

test("an unmerged path has its stages; a split index or a sparse folder is not read", (t) => {
  const r = repo();
  t.after(r.cleanup);
  r.write("pkg/versions/a.py", "base\n");
  r.write("other/b.py", "b\n");
  r.git("add", "-A");
  r.git("commit", "-qm", "base");
  r.git("checkout", "-qb", "side");
  r.write("pkg/versions/a.py", "side\n");
  r.git("commit", "-qam", "side");
  r.git("checkout", "-q", "main");
  r.write("pkg/versions/a.py", "main\n");
  r.git("commit", "-qam", "main");
  assert.throws(() => r.git("merge", "-q", "side"));
  // One entry per path: an unmerged one is seen as such (a stage other than 0), which is all its reader needs.
  assert.equal(gitsAnswer(r.git, "pkg/versions/").length, 3);
  const unmerged = indexEntriesUnder(join(r.dir, ".git"), "pkg/versions/", 20)!;
  assert.deepEqual([...unmerged.keys()], ["pkg/versions/a.py"]);
  assert.notEqual(unmerged.get("pkg/versions/a.py")!.stage, 0);
  r.git("merge", "--abort");

  r.git("update-index", "--split-index");
  assert.equal(ours(r.dir, "pkg/versions/"), null, "split index");
  r.git("update-index", "--no-split-index");
  rmSync(join(r.dir, ".git"), { recursive: true, force: true });
  assert.equal(ours(r.dir, "pkg/versions/"), null, "no index at all");
});

test("a sparse index with the folder outside the sparse checkout is not read", (t) => {
  const r = repo();
  t.after(r.cleanup);
  r.write("pkg/versions/a.py", "a\n");
  r.write("keep/b.py", "b\n");
  r.git("add", "-A");
  r.git("commit", "-qm", "init");
  r.git("sparse-checkout", "init", "--cone", "--sparse-index");
  r.git("sparse-checkout", "set", "keep");
  assert.equal(ours(r.dir, "pkg/versions/"), null);
  assert.deepEqual(ours(r.dir, "keep/"), gitsAnswer(r.git, "keep/"));
});
