// `migrakit release-prepare`: the release step from the CLI, on real files, including interruptions at every
// file operation (an injected error, and a real SIGKILL) followed by a re-run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  makeReleaseRepo,
  PKG,
  runPrepare,
  SECOND_SCRIPT,
  RELEASED,
  SEED_INIT,
  SEED_SCRIPT,
  seedFile,
  VERSIONS,
  withFirstLine,
} from "./release-repo.js";

const released = `${VERSIONS}/2023-02-16-dd2b4a9499f2-v1_0_0.py`;

test("the seed's example: 1.0.0 renames the script, rewrites its first line and __version__, and no other byte", (t) => {
  const repo = makeReleaseRepo();
  t.after(() => repo.cleanupAll());
  const before = repo.snapshot();
  const script = repo.read(seedFile);
  const r = runPrepare(repo, ["--version", "1.0.0"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(existsSync(repo.path(seedFile)), false);
  assert.equal(repo.read(released), withFirstLine(script, '"""v1.0.0."""'));
  assert.equal(repo.read(`${PKG}/__init__.py`), SEED_INIT.replace('__version__ = "0.26.2"', '__version__ = "1.0.0"'));
  const after = repo.snapshot();
  for (const [path, hash] of before) {
    if (path === seedFile || path === `${PKG}/__init__.py`) continue;
    assert.equal(after.get(path), hash, `${path} must not change`);
  }
  assert.deepEqual(
    [...after.keys()].sort(),
    [...before.keys()]
      .filter((p) => p !== seedFile)
      .concat(released)
      .sort(),
  );
  // Running it again changes nothing.
  const again = runPrepare(repo, ["--version", "1.0.0"]);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(repo.snapshot(), after);
});

test("--dry-run prints every rename and rewrite and touches no file", (t) => {
  const repo = makeReleaseRepo({
    scripts: [RELEASED, SEED_SCRIPT, SECOND_SCRIPT],
    init: SEED_INIT.replace("dd2b4a9499f2", "3d9a1c2b7e44"),
  });
  t.after(() => repo.cleanupAll());
  const before = repo.snapshot();
  const r = runPrepare(repo, ["--version", "1.1.0-rc.2", "--dry-run"]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(repo.snapshot(), before);
  assert.match(r.stdout, /__version__ "0\.26\.2" → "1\.1\.0rc2"/);
  assert.match(r.stdout, /rename .*2023-02-16-dd2b4a9499f2-vx_x_x\.py → 2023-02-16-dd2b4a9499f2-v1_1_0rc2\.py/);
  assert.match(r.stdout, /rename .*2023-02-20-3d9a1c2b7e44-vx_x_x\.py → 2023-02-20-3d9a1c2b7e44-v1_1_0rc2\.py/);
  assert.equal((r.stdout.match(/header """vX\.X\.X\.""" → """v1\.1\.0rc2\."""/g) ?? []).length, 2);
});

test("two unreleased scripts and a static pyproject version are released together; a dynamic one is left alone", (t) => {
  const pyproject =
    '[build-system]\nrequires = ["flit_core"]\n\n[project]\nname = "lnschema-core"\nversion = "0.26.2"  # kept in step\n\n[tool.other]\nversion = "9"\n';
  const repo = makeReleaseRepo({
    scripts: [RELEASED, SEED_SCRIPT, SECOND_SCRIPT],
    init: SEED_INIT.replace("dd2b4a9499f2", "3d9a1c2b7e44"),
    files: { "pyproject.toml": pyproject },
  });
  t.after(() => repo.cleanupAll());
  const r = runPrepare(repo, ["--version", "0.27.0", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    version: string;
    changed: string[];
    scripts: { revision: string; summary: string }[];
  };
  assert.equal(out.version, "0.27.0");
  assert.deepEqual(
    out.scripts.map((s) => s.revision),
    ["dd2b4a9499f2", "3d9a1c2b7e44"],
  );
  assert.equal(
    out.scripts[1]!.summary,
    "add column core.transform.name; create index ix_core_transform_name on core.transform",
  );
  const names = readdirSync(repo.path(VERSIONS)).sort();
  assert.deepEqual(names, [
    "2023-02-14-8280855a5064-v0_26_2.py",
    "2023-02-16-dd2b4a9499f2-v0_27_0.py",
    "2023-02-20-3d9a1c2b7e44-v0_27_0.py",
  ]);
  assert.equal(repo.read("pyproject.toml"), pyproject.replace('version = "0.26.2"', 'version = "0.27.0"'));
  assert.ok(out.changed.includes("pyproject.toml"));

  const dynamic = makeReleaseRepo({ files: { "pyproject.toml": '[project]\nname = "x"\ndynamic = ["version"]\n' } });
  t.after(() => dynamic.cleanupAll());
  const d = runPrepare(dynamic, ["--version", "1.0.0"]);
  assert.equal(d.status, 0, d.stderr);
  assert.equal(dynamic.read("pyproject.toml"), '[project]\nname = "x"\ndynamic = ["version"]\n');
});

test("a release without unreleased scripts only bumps __version__", (t) => {
  const repo = makeReleaseRepo({ scripts: [RELEASED], init: SEED_INIT.replace("dd2b4a9499f2", "8280855a5064") });
  t.after(() => repo.cleanupAll());
  const before = repo.snapshot();
  const r = runPrepare(repo, ["--version", "0.26.3"]);
  assert.equal(r.status, 0, r.stderr);
  const after = repo.snapshot();
  assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
  assert.deepEqual(
    [...after].filter(([p, h]) => before.get(p) !== h).map(([p]) => p),
    [`${PKG}/__init__.py`],
  );
  assert.match(repo.read(`${PKG}/__init__.py`), /__version__ = "0\.26\.3"/);
});

test("a repo failing the static check is refused and nothing changes", (t) => {
  // _migration still names the old head: a check failure (exit 1).
  const repo = makeReleaseRepo({ init: SEED_INIT.replace("dd2b4a9499f2", "8280855a5064") });
  t.after(() => repo.cleanupAll());
  const before = repo.snapshot();
  const r = runPrepare(repo, ["--version", "1.0.0"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /EMIGRAKIT_MIGRATION_MISMATCH/);
  assert.deepEqual(repo.snapshot(), before);
  const bad = runPrepare(repo, ["--version", "1.0.0-next.1"]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /EMIGRAKIT_VERSION_UNMAPPABLE/);
  assert.deepEqual(repo.snapshot(), before);
  const older = makeReleaseRepo();
  t.after(() => older.cleanupAll());
  const behind = runPrepare(older, ["--version", "0.25.0"]);
  assert.equal(behind.status, 2);
  assert.match(behind.stderr, /EMIGRAKIT_RELEASE_VERSION_BEHIND/);
});

const twoScripts = () =>
  makeReleaseRepo({
    scripts: [RELEASED, SEED_SCRIPT, SECOND_SCRIPT],
    init: SEED_INIT.replace("dd2b4a9499f2", "3d9a1c2b7e44"),
  });
const journal = (dir: string) => join(dir, ".git", "migrakit-release.json");
const leftovers = (snap: Map<string, string>) => [...snap.keys()].filter((p) => p.endsWith(".migrakit-tmp"));

test("an error after the n-th file operation, for every n, leaves the tree exactly as before", (t) => {
  let n = 1;
  for (; ; n++) {
    const repo = twoScripts();
    t.after(() => repo.cleanupAll());
    const before = repo.snapshot();
    const r = runPrepare(repo, ["--version", "1.0.0"], {}, `error:${n}`);
    if (r.status === 0) break; // fewer operations than n: the release went through
    assert.equal(r.status, 3, `n=${n}: ${r.stderr}`);
    assert.match(r.stderr, /EMIGRAKIT_RELEASE_APPLY_FAILED/);
    assert.deepEqual(repo.snapshot(), before, `n=${n}: the tree must be restored`);
    assert.equal(existsSync(journal(repo.dir)), false, `n=${n}: no journal left`);
  }
  assert.ok(n > 8, `expected at least 8 file operations, saw ${n - 1}`);
});

test("a SIGKILL after the n-th file operation, for every n, then a re-run: fully released, byte for byte", (t) => {
  const reference = twoScripts();
  t.after(() => reference.cleanupAll());
  assert.equal(runPrepare(reference, ["--version", "1.0.0"]).status, 0);
  const expected = reference.snapshot();
  let n = 1;
  for (; ; n++) {
    const repo = twoScripts();
    t.after(() => repo.cleanupAll());
    const killed = runPrepare(repo, ["--version", "1.0.0"], {}, `kill:${n}`);
    if (killed.status === 0) break;
    assert.equal(killed.signal, "SIGKILL", `n=${n}: ${killed.stderr}`);
    assert.equal(existsSync(journal(repo.dir)), true, `n=${n}: the journal survives the kill`);
    const rerun = runPrepare(repo, ["--version", "1.0.0"]);
    assert.equal(rerun.status, 0, `n=${n}: ${rerun.stderr}`);
    const snap = repo.snapshot();
    assert.deepEqual(leftovers(snap), [], `n=${n}`);
    assert.deepEqual(snap, expected, `n=${n}: re-run must finish the release exactly`);
    assert.equal(existsSync(journal(repo.dir)), false);
  }
  assert.ok(n > 8, `expected at least 8 file operations, saw ${n - 1}`);
});

test("after a kill, a re-run for another version undoes the interrupted release first", (t) => {
  const repo = twoScripts();
  t.after(() => repo.cleanupAll());
  const killed = runPrepare(repo, ["--version", "1.0.0"], {}, "kill:5");
  assert.equal(killed.signal, "SIGKILL");
  const dry = runPrepare(repo, ["--version", "1.1.0", "--dry-run"]);
  assert.equal(dry.status, 2);
  assert.match(dry.stderr, /EMIGRAKIT_RELEASE_INTERRUPTED/);
  const r = runPrepare(repo, ["--version", "1.1.0"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /interrupted release of 1\.0\.0 was undone/);
  assert.deepEqual(readdirSync(repo.path(VERSIONS)).sort(), [
    "2023-02-14-8280855a5064-v0_26_2.py",
    "2023-02-16-dd2b4a9499f2-v1_1_0.py",
    "2023-02-20-3d9a1c2b7e44-v1_1_0.py",
  ]);
  assert.match(repo.read(`${PKG}/__init__.py`), /__version__ = "1\.1\.0"/);
});

test("a script with a byte-order mark and CRLF line ends keeps both", (t) => {
  const repo = makeReleaseRepo();
  t.after(() => repo.cleanupAll());
  const text = "\uFEFF" + repo.read(seedFile).replace(/\n/g, "\r\n");
  repo.write(seedFile, text);
  repo.commitAll("chore: windows editor");
  const r = runPrepare(repo, ["--version", "1.0.0"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(repo.read(released), text.replace('"""vX.X.X."""', '"""v1.0.0."""'));
});
