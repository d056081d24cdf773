// The hook's kept snapshot (src/hook/snapshot.ts) in real git repositories: run after run it holds exactly
// what a fresh `checkout-index` of the index gives — changed, deleted, added, re-moded and symlinked entries,
// with anything else written into it removed and the work tree's unstaged changes never in it — while the
// files it did not have to export keep their inode (what the parse memo knows them by). A locked or unmerged
// index gets a temporary folder instead.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  existsSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportIndex } from "../../src/hook/git-index.js";
import { openSnapshot } from "../../src/hook/snapshot.js";
import { planSnapshot, type ManifestEntry } from "../../src/hook/snapshot-plan.js";
import { tryFileLock } from "../../src/db/lock.js";
import { gitIn } from "../helpers/git.js";

function repo() {
  const dir = mkdtempSync(join(tmpdir(), "migrakit-snapshot-repo-"));
  const git = gitIn(dir);
  git("init", "-q");
  const write = (p: string, text: string) => {
    mkdirSync(join(dir, p, ".."), { recursive: true });
    writeFileSync(join(dir, p), text);
  };
  write("pkg/__init__.py", "_migration = 'aaaa'\n");
  write("pkg/models.py", "A = 1\n");
  write("pkg/kept.py", "K = 1\n");
  write("pkg/sub/helpers.py", "B = 2\n");
  write("pkg/run.sh", "#!/bin/sh\n");
  chmodSync(join(dir, "pkg/run.sh"), 0o755);
  symlinkSync("models.py", join(dir, "pkg/alias.py"));
  write("other/ignored.py", "not exported\n");
  git("add", "-A");
  git("commit", "-q", "-m", "start");
  return { dir, git, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every entry below `root`: its kind, its executable bit, its bytes or link target. */
function contents(root: string, rel = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(root, rel)).sort()) {
    const p = rel ? `${rel}/${name}` : name;
    const s = lstatSync(join(root, p));
    if (s.isDirectory()) Object.assign(out, contents(root, p));
    else if (s.isSymbolicLink()) out[p] = `link ${readlinkSync(join(root, p))}`;
    else out[p] = `${s.mode & 0o111 ? "exec" : "file"} ${readFileSync(join(root, p), "utf8")}`;
  }
  return out;
}

/** What a fresh export of the index under `pkg` holds. */
async function fresh(dir: string): Promise<Record<string, string>> {
  const dest = mkdtempSync(join(tmpdir(), "migrakit-snapshot-fresh-"));
  try {
    await exportIndex({ cwd: dir, env: process.env }, ["pkg"], dest);
    return contents(dest);
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
}

const ino = (p: string) => statSync(p).ino;

/** A repo and a cache folder of its own (both removed after the test), and openSnapshot's arguments for them. */
function keptSetUp(t: TestContext) {
  const r = repo();
  const cacheDir = mkdtempSync(join(tmpdir(), "migrakit-snapshot-cache-"));
  t.after(() => {
    r.cleanup();
    rmSync(cacheDir, { recursive: true, force: true });
  });
  return { r, w: { cwd: r.dir, env: process.env }, o: { cacheDir, gitDir: join(r.dir, ".git") } };
}

test("a kept snapshot holds what a fresh export holds, run after run; untouched files keep their inode; strays, deleted entries and unstaged changes are not in it", async (t) => {
  const { r, w, o } = keptSetUp(t);

  const first = await openSnapshot(w, ["pkg"], o);
  assert.equal(first.kept, true);
  assert.deepEqual(contents(first.dir), await fresh(r.dir));
  await first.release();

  // Right after the first run every file's identity is too recent to trust: each is hashed, found to be its
  // blob, and kept.
  const helpers = join(first.dir, "pkg/sub/helpers.py");
  const before = ino(helpers);
  const again = await openSnapshot(w, ["pkg"], o);
  assert.equal(again.dir, first.dir);
  assert.equal(ino(helpers), before, "kept, not exported again");
  // This run writes a file into the snapshot (as the hook writes the new script) and says so.
  writeFileSync(join(again.dir, "pkg/__init__.py"), "_migration = 'bbbb'\n");
  again.wrote(["pkg/__init__.py"]);
  await again.release();

  // The index changes in every way an entry can; the work tree has unstaged changes on top; and the snapshot
  // gets what a run of Python could leave behind, plus an edit of a kept file that keeps its size and mtime.
  r.write("pkg/models.py", "A = 9\n");
  r.git("add", "pkg/models.py");
  r.write("pkg/models.py", "A = 1234 unstaged\n");
  r.git("rm", "-q", "--cached", "pkg/sub/helpers.py");
  r.write("pkg/new.py", "C = 3\n");
  r.git("add", "pkg/new.py");
  r.git("update-index", "--chmod=-x", "pkg/run.sh");
  r.git("rm", "-q", "--cached", "pkg/alias.py");
  rmSync(join(r.dir, "pkg/alias.py"));
  symlinkSync("new.py", join(r.dir, "pkg/alias.py"));
  r.git("add", "pkg/alias.py");
  mkdirSync(join(first.dir, "pkg/__pycache__"), { recursive: true });
  writeFileSync(join(first.dir, "pkg/__pycache__/models.cpython-312.pyc"), "stale");
  writeFileSync(join(first.dir, "pkg/stray.py"), "X = 1\n");
  const kept = join(first.dir, "pkg/kept.py");
  const stamp = statSync(kept);
  writeFileSync(kept, "K = 2\n");
  utimesSync(kept, stamp.atime, stamp.mtime);

  const third = await openSnapshot(w, ["pkg"], o);
  const want = await fresh(r.dir);
  assert.deepEqual(contents(third.dir), want);
  assert.equal(want["pkg/models.py"], "file A = 9\n", "the staged content, not the work tree's");
  assert.equal(want["pkg/run.sh"], "file #!/bin/sh\n");
  assert.equal(existsSync(join(third.dir, "other")), false, "only the folders asked for");
  await third.release();

  // Nothing changed since: everything stays.
  const settledIno = ino(join(third.dir, "pkg/new.py"));
  const fourth = await openSnapshot(w, ["pkg"], o);
  assert.equal(ino(join(fourth.dir, "pkg/new.py")), settledIno);
  assert.deepEqual(contents(fourth.dir), want);
  await fourth.release();
});

test("a snapshot another run holds, or no cache folder: a temporary export, removed on release; an unmerged index is refused as by the plain export", async (t) => {
  const { r, w, o } = keptSetUp(t);

  const none = await openSnapshot(w, ["pkg"], { cacheDir: undefined, gitDir: o.gitDir });
  assert.equal(none.kept, false);
  assert.deepEqual(contents(none.dir), await fresh(r.dir));
  await none.release();
  assert.equal(existsSync(none.dir), false);

  const held = await openSnapshot(w, ["pkg"], o);
  assert.equal(held.kept, true);
  const other = await openSnapshot(w, ["pkg"], o);
  assert.equal(other.kept, false, "the folder is in use: this run gets its own");
  assert.notEqual(other.dir, held.dir);
  assert.deepEqual(contents(other.dir), await fresh(r.dir));
  await other.release();
  assert.equal(existsSync(other.dir), false);
  await held.release();

  // A merge conflict in the package: three stages of one path.
  const base = r.git("rev-parse", "HEAD").trim();
  r.git("checkout", "-q", "-b", "side");
  r.write("pkg/models.py", "A = 'side'\n");
  r.git("commit", "-q", "-am", "side");
  r.git("checkout", "-q", base);
  r.write("pkg/models.py", "A = 'main'\n");
  r.git("commit", "-q", "-am", "main");
  assert.throws(() => r.git("merge", "-q", "side"));
  // The plain export refuses it (git refuses to commit it before any hook runs): so does this one.
  const plain = mkdtempSync(join(tmpdir(), "migrakit-snapshot-plain-"));
  t.after(() => rmSync(plain, { recursive: true, force: true }));
  await assert.rejects(exportIndex(w, ["pkg"], plain), /unmerged/);
  await assert.rejects(openSnapshot(w, ["pkg"], o), /unmerged/);
});

test("tryFileLock: a second taker gets nothing until the first releases", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "migrakit-lock-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const release = await tryFileLock(join(dir, "lock"));
  assert.ok(release);
  assert.equal(await tryFileLock(join(dir, "lock")), undefined);
  await release();
  const again = await tryFileLock(join(dir, "lock"));
  assert.ok(again);
  await again();
});

test("planSnapshot: kept only for the same mode, blob and identity; hashed when the identity was recorded too soon", () => {
  const m = (id: string, identity: string, settled: boolean, mode = "100644"): ManifestEntry => ({
    mode,
    id,
    identity,
    settled,
  });
  const manifest = new Map([
    ["a", m("1", "i-a", true)],
    ["b", m("2", "i-b", false)],
    ["c", m("3", "i-c", true)],
    ["d", m("4", "i-d", true)],
    ["e", m("5", "i-e", true, "100755")],
  ]);
  const onDisk = new Map([
    ["a", "i-a"],
    ["b", "i-b"],
    ["c", "i-c changed"],
    ["d", "i-d"],
    ["e", "i-e"],
  ]);
  const wanted = [
    { path: "a", id: "1", mode: "100644" },
    { path: "b", id: "2", mode: "100644" },
    { path: "c", id: "3", mode: "100644" },
    { path: "d", id: "4 other blob", mode: "100644" },
    { path: "e", id: "5", mode: "100644" },
    { path: "f", id: "6", mode: "100644" },
  ];
  assert.deepEqual(planSnapshot(wanted, manifest, onDisk), {
    keep: ["a"],
    verify: ["b"],
    export: ["c", "d", "e", "f"],
  });
});
