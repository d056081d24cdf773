// refsFingerprint (src/util/git-refs.ts), the result cache's "tags and HEAD" read without a git process, against
// git's own answer (`git show-ref --tags --head`): through a history of ref changes, every change of git's
// answer changes the fingerprint; what it cannot read (GIT_DIR pointing elsewhere, a symbolic ref beyond HEAD)
// is null, so that git is asked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gitIn } from "../helpers/git.js";
import { refsFingerprint } from "../../src/util/git-refs.js";

function repo() {
  const dir = mkdtempSync(join(tmpdir(), "migrakit-refs-"));
  const git = gitIn(dir);
  git("init", "-q", "-b", "main");
  return { dir, git, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const showRef = (git: (...a: string[]) => string) => {
  try {
    return git("show-ref", "--tags", "--head");
  } catch {
    return ""; // no ref at all yet: show-ref exits 1
  }
};

test("each change of HEAD or of a tag that git's show-ref tells changes the fingerprint", (t) => {
  const r = repo();
  t.after(r.cleanup);
  const commit = (msg: string) => {
    writeFileSync(join(r.dir, "f.txt"), msg);
    r.git("add", "f.txt");
    r.git("commit", "-qm", msg);
  };
  const steps: [string, () => void][] = [
    ["first commit", () => commit("one")],
    ["a lightweight tag", () => r.git("tag", "v0.1.0")],
    ["another commit on main", () => commit("two")],
    ["an annotated tag", () => r.git("tag", "-a", "-m", "release", "v0.2.0")],
    ["a tag with a slash", () => r.git("tag", "release/v0.3.0")],
    ["the tags packed", () => r.git("pack-refs", "--all")],
    ["a packed tag moved (now loose)", () => r.git("tag", "-f", "v0.1.0", "HEAD")],
    ["a commit after packing", () => commit("three")],
    ["a branch checked out", () => r.git("checkout", "-qb", "side", "v0.2.0")],
    ["HEAD detached", () => r.git("checkout", "-q", "--detach", "main")],
    ["a packed tag deleted", () => r.git("tag", "-d", "v0.2.0")],
    ["back on main", () => r.git("checkout", "-q", "main")],
    ["a loose tag deleted", () => r.git("tag", "-d", "v0.1.0")],
  ];
  let git = showRef(r.git);
  let ours = refsFingerprint(r.dir, {});
  assert.notEqual(ours, null);
  for (const [what, step] of steps) {
    step();
    const nextGit = showRef(r.git);
    const nextOurs = refsFingerprint(r.dir, {});
    assert.notEqual(nextOurs, null, what);
    if (nextGit !== git) assert.notEqual(nextOurs, ours, `${what}: git's answer changed, the fingerprint did not`);
    git = nextGit;
    ours = nextOurs;
  }
  // Nothing changed: the same fingerprint (a hit stays a hit).
  assert.equal(refsFingerprint(r.dir, {}), ours);
});

test("a linked work tree has its own HEAD; what is not read here is null, so git is asked", (t) => {
  const r = repo();
  t.after(r.cleanup);
  writeFileSync(join(r.dir, "f.txt"), "x");
  r.git("add", "f.txt");
  r.git("commit", "-qm", "x");
  r.git("tag", "v1.0.0");
  const linked = join(r.dir, "..", `${r.dir.split("/").pop()}-linked`);
  t.after(() => rmSync(linked, { recursive: true, force: true }));
  r.git("worktree", "add", "-q", "-b", "other", linked);
  const main = refsFingerprint(r.dir, {});
  const other = refsFingerprint(linked, {});
  assert.ok(main && other);
  assert.notEqual(main, other);
  // A tag made in the linked tree is the main tree's too (refs are shared).
  gitIn(linked)("tag", "v1.1.0");
  assert.notEqual(refsFingerprint(r.dir, {}), main);

  assert.equal(refsFingerprint(r.dir, { GIT_DIR: join(r.dir, ".git") }), null);
  r.git("symbolic-ref", "refs/heads/alias", "refs/heads/main");
  r.git("symbolic-ref", "HEAD", "refs/heads/alias");
  assert.equal(refsFingerprint(r.dir, {}), null);
});
