// "A released script never changes again" answered without git (src/checks/released-fast.ts): with the cache
// folder, a repo where nothing changed since the release tag is checked with no git process (a run with no git
// on PATH still passes), and every change git would report is still found, as git finds it: each case is
// checked both ways, through the memoized path and with MIGRAKIT_NO_CACHE=1 (today's `git diff`). The tag's
// memoized listing follows a tag that moved; a damaged or truncated one hides no change, and one another user
// owns or may write is not used. Real git, the real bin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chain, headOf, makeSchemaRepo, scriptFileName, scriptText, type TempRepo } from "../helpers/schema-repo.js";
import { runCli } from "../helpers/cli.js";

const scripts = chain(3, { released: 2 });
const versions = (repo: TempRepo) => `${repo.pkg}/migrations/versions`;
const released = (repo: TempRepo) => `${versions(repo)}/${scriptFileName(scripts[1]!)}`;

function setUp() {
  const repo = makeSchemaRepo({ scripts, init: { version: "0.2.0", migration: headOf(scripts) } });
  repo.git("tag", "v0.2.0");
  const cache = mkdtempSync(join(tmpdir(), "migrakit-released-cache-"));
  // A PATH with no git: a run that needs git says it could not compare (EMIGRAKIT_RELEASED_UNCHECKED).
  const noGit = mkdtempSync(join(tmpdir(), "migrakit-no-git-"));
  const cleanup = () => {
    repo.cleanup();
    rmSync(cache, { recursive: true, force: true });
    rmSync(noGit, { recursive: true, force: true });
  };
  return { repo, cache, noGit, cleanup };
}

function codes(repo: TempRepo, env: NodeJS.ProcessEnv): string[] {
  const r = runCli(["check", "--static", "--json"], { cwd: repo.dir, env: { CI: "", ...env } });
  return (JSON.parse(r.stdout) as { findings: { code: string }[] }).findings.map((f) => f.code);
}

/** The findings through the memoized path, after checking they are git's own (MIGRAKIT_NO_CACHE=1). */
function both(repo: TempRepo, cache: string): string[] {
  const memoized = codes(repo, { XDG_CACHE_HOME: cache });
  assert.deepEqual(memoized, codes(repo, { MIGRAKIT_NO_CACHE: "1" }));
  return memoized;
}

const edit = (text: string) => text.replace("pass", 'op.execute("select 1")');

test("nothing changed: no git is run; each change git reports is found, as git finds it", (t) => {
  const { repo, cache, noGit, cleanup } = setUp();
  t.after(cleanup);
  const file = released(repo);
  const original = repo.read(file);
  assert.deepEqual(both(repo, cache), []);
  assert.deepEqual(codes(repo, { XDG_CACHE_HOME: cache, PATH: noGit }), [], "answered without git");
  // Without the listing of the tag (a first run), git is needed: the check above did not pass by accident.
  assert.deepEqual(codes(repo, { XDG_CACHE_HOME: mkdtempSync(join(cache, "other-")), PATH: noGit }), [
    "EMIGRAKIT_RELEASED_UNCHECKED",
  ]);

  repo.write(file, edit(original));
  assert.deepEqual(both(repo, cache), ["EMIGRAKIT_RELEASED_CHANGED"], "edited in the work tree");
  repo.git("add", file);
  assert.deepEqual(both(repo, cache), ["EMIGRAKIT_RELEASED_CHANGED"], "edited and staged");
  repo.write(file, original);
  assert.deepEqual(both(repo, cache), [], "staged, then put back in the work tree: git compares the work tree");
  repo.git("update-index", "--assume-unchanged", file);
  assert.deepEqual(both(repo, cache), ["EMIGRAKIT_RELEASED_CHANGED"], "…unless told to take the staged blob for it");
  repo.git("update-index", "--no-assume-unchanged", file);
  repo.git("reset", "-q", "--", file);

  repo.write(file, edit(original));
  repo.git("update-index", "--assume-unchanged", file);
  assert.deepEqual(both(repo, cache), [], "an edit git is told to ignore is ignored both ways");
  repo.git("update-index", "--no-assume-unchanged", file);
  repo.write(file, original);

  chmodSync(repo.path(file), 0o755);
  assert.deepEqual(both(repo, cache), ["EMIGRAKIT_RELEASED_CHANGED"], "made executable (a mode change)");
  chmodSync(repo.path(file), 0o644);

  repo.git("rm", "-q", "--cached", file);
  assert.deepEqual(both(repo, cache), ["EMIGRAKIT_RELEASED_CHANGED"], "no longer tracked, though still on disk");
  repo.git("add", file);

  rmSync(repo.path(file));
  assert.ok(both(repo, cache).includes("EMIGRAKIT_RELEASED_CHANGED"), "deleted");
  repo.write(file.replace("v0_2_0", "v0_2_1"), original);
  assert.ok(both(repo, cache).includes("EMIGRAKIT_RELEASED_CHANGED"), "renamed (the new name is not tracked)");
  rmSync(repo.path(file.replace("v0_2_0", "v0_2_1")));
  repo.git("checkout", "-q", "--", file);

  // A new script that claims a version the tag released, staged: git reports it added.
  const claimed = { revision: "c1a1m0000000", down: scripts[2]!.revision, slug: "v0_1_5" };
  const claimedPath = `${versions(repo)}/${scriptFileName(claimed)}`;
  repo.write(claimedPath, scriptText(claimed));
  const untracked = both(repo, cache);
  assert.ok(!untracked.includes("EMIGRAKIT_RELEASED_ADDED"), "untracked, git does not see it");
  repo.git("add", claimedPath);
  assert.ok(both(repo, cache).includes("EMIGRAKIT_RELEASED_ADDED"));
  repo.git("rm", "-q", "-f", claimedPath);

  assert.deepEqual(both(repo, cache), []);
  assert.deepEqual(codes(repo, { XDG_CACHE_HOME: cache, PATH: noGit }), [], "unchanged again: no git");
});

test("an index remembered as agreeing with the tag is read again once git writes it", async (t) => {
  const { repo, cache, noGit, cleanup } = setUp();
  t.after(cleanup);
  const file = released(repo);
  const original = repo.read(file);
  assert.deepEqual(both(repo, cache), []);
  // Only an index older than the racy window is remembered (src/checks/released-fast.ts RACY_MS).
  await new Promise((r) => setTimeout(r, 2100));
  assert.deepEqual(codes(repo, { XDG_CACHE_HOME: cache, PATH: noGit }), []);
  const remembered = readdirSync(join(cache, "migrakit", "tag-trees")).filter((n) => n.endsWith(".index"));
  assert.equal(remembered.length, 1);
  // Staged an edit, put the work tree back and told git to take the staged blob: only the index says so.
  repo.write(file, edit(original));
  repo.git("add", file);
  repo.write(file, original);
  repo.git("update-index", "--assume-unchanged", file);
  assert.deepEqual(both(repo, cache), ["EMIGRAKIT_RELEASED_CHANGED"]);
});

test("a tag moved to another commit is listed again", (t) => {
  const { repo, cache, noGit, cleanup } = setUp();
  t.after(cleanup);
  const file = released(repo);
  assert.deepEqual(both(repo, cache), []);
  // The released script edited in a commit, and the tag moved onto it: the work tree is that release now.
  repo.write(file, edit(repo.read(file)));
  repo.git("commit", "-qam", "fix: edit the release");
  repo.git("tag", "-f", "v0.2.0");
  assert.deepEqual(both(repo, cache), []);
  assert.deepEqual(codes(repo, { XDG_CACHE_HOME: cache, PATH: noGit }), []);
  // Moved back (as an annotated tag now): the edit is a change again.
  repo.git("tag", "-f", "-a", "-m", "0.2.0", "v0.2.0", "HEAD~1");
  assert.deepEqual(both(repo, cache), ["EMIGRAKIT_RELEASED_CHANGED"]);
  assert.equal(readdirSync(join(cache, "migrakit", "tag-trees")).length, 3, "one listing per tag object");
});

test("a damaged, truncated or untrusted listing of the tag hides no change", (t) => {
  const { repo, cache, cleanup } = setUp();
  t.after(cleanup);
  const file = released(repo);
  assert.deepEqual(both(repo, cache), []);
  const [name] = readdirSync(join(cache, "migrakit", "tag-trees"));
  const listingFile = join(cache, "migrakit", "tag-trees", name!);
  const good = readFileSync(listingFile);
  // The released script edited and staged; a forged listing that names the edited blob as the tag's would hide it.
  repo.write(file, edit(repo.read(file)));
  repo.git("add", file);
  const edited = repo.git("ls-files", "-s", "--", file).split(" ")[1]!;
  const tagged = repo.git("rev-parse", `v0.2.0:${file}`).trim();
  assert.ok(good.includes(tagged), "the listing holds the released script's blob");
  const forged = Buffer.from(good.toString("latin1").replace(tagged, edited), "latin1");
  const put = (bytes: Buffer, mode = 0o600) => {
    writeFileSync(listingFile, bytes);
    chmodSync(listingFile, mode);
  };

  // Control: a forgery that this user alone may write is believed (so the cases below could fail).
  put(forged);
  assert.deepEqual(codes(repo, { XDG_CACHE_HOME: cache }), []);

  put(Buffer.from(good.toString("latin1").replace(tagged, `${tagged.slice(0, -1)}0`), "latin1"));
  assert.deepEqual(both(repo, cache), ["EMIGRAKIT_RELEASED_CHANGED"], "damaged: the index disagrees, git is asked");

  put(good.subarray(0, good.length - 100));
  assert.deepEqual(both(repo, cache), ["EMIGRAKIT_RELEASED_CHANGED"], "truncated");
  assert.deepEqual(readFileSync(listingFile), good, "written again from git");

  put(forged, 0o666);
  assert.deepEqual(both(repo, cache), ["EMIGRAKIT_RELEASED_CHANGED"], "others may write it");
  if (process.getuid?.() === 0) {
    put(forged);
    chownSync(listingFile, 12345, 12345);
    assert.deepEqual(both(repo, cache), ["EMIGRAKIT_RELEASED_CHANGED"], "another user owns it");
  }
});
