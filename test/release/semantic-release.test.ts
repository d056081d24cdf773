// The plugin inside real semantic-release 24: temporary repos with a bare remote, conventional commits, the
// `release` bin (migrakit's default configuration) or a repo's own .releaserc naming "migrakit/release".
// Assertions are on the release commit, the tag, the files, the changelog and the notes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { scriptFileName, scriptText } from "../helpers/schema-repo.js";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import {
  cleanEnv,
  makeReleaseRepo,
  RELEASE_BIN,
  PKG,
  RELEASED,
  runRelease,
  SECOND_SCRIPT,
  SEED_INIT,
  SEED_SCRIPT,
  seedFile,
  VERSIONS,
  withFirstLine,
  type ReleaseRepo,
} from "./release-repo.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const released = (slug: string) => `${VERSIONS}/2023-02-16-dd2b4a9499f2-${slug}.py`;
const headMessage = (repo: ReleaseRepo) => repo.git("log", "-1", "--format=%B");
const tags = (repo: ReleaseRepo) => repo.git("tag", "--list").split("\n").filter(Boolean);
const remoteHead = (repo: ReleaseRepo, branch = "main") =>
  repo.git("ls-remote", repo.remote, `refs/heads/${branch}`).split("\t")[0];
const clean = (repo: ReleaseRepo) => repo.git("status", "--porcelain") === "";

const withoutChangelog = (m: Map<string, string>) => new Map([...m].filter(([p]) => p !== "CHANGELOG.md"));

/** Tag the current commit as the 0.26.2 release, as an earlier run of semantic-release would have. */
function tagReleased(repo: ReleaseRepo): void {
  repo.git("tag", "v0.26.2");
  repo.git("push", "-q", "origin", "v0.26.2");
}

test("the seed's example through semantic-release: release commit, tag, renamed script, notes and changelog", (t) => {
  const repo = makeReleaseRepo();
  t.after(() => repo.cleanupAll());
  const script = repo.read(seedFile);
  const r = runRelease(repo);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.deepEqual(tags(repo), ["v1.0.0"]);
  assert.equal(repo.git("rev-list", "-n1", "v1.0.0").trim(), repo.git("rev-parse", "HEAD").trim());
  assert.equal(remoteHead(repo), repo.git("rev-parse", "HEAD").trim(), "the release commit is pushed");
  assert.ok(clean(repo), "everything the release changed is committed");
  const message = headMessage(repo);
  assert.match(message, /^chore\(release\): 1\.0\.0 \[skip ci\]/);
  assert.match(
    message,
    /### Database migrations\n\n\* `2023-02-16-dd2b4a9499f2-v1_0_0\.py` \(revision `dd2b4a9499f2`\): rename column core\.transform\.version → v/,
  );
  // The commit records a rename plus the two rewrites and the changelog, nothing else.
  const stat = repo.git("show", "--name-status", "-M", "--format=", "HEAD").trim().split("\n").sort();
  assert.deepEqual(
    stat.map((l) => l.replace(/^R\d+/, "R")),
    ["A\tCHANGELOG.md", `M\t${PKG}/__init__.py`, `R\t${seedFile}\t${released("v1_0_0")}`].sort(),
  );
  assert.equal(repo.read(released("v1_0_0")), withFirstLine(script, '"""v1.0.0."""'));
  assert.equal(repo.read(`${PKG}/__init__.py`), SEED_INIT.replace('"0.26.2"', '"1.0.0"'));
  assert.match(
    repo.read("CHANGELOG.md"),
    /## 1\.0\.0[\s\S]*### Database migrations[\s\S]*rename column core\.transform\.version → v/,
  );
});

test("a release with no unreleased script changes only __version__ and the changelog; no migrations section", (t) => {
  const repo = makeReleaseRepo({ scripts: [RELEASED], init: SEED_INIT.replace("dd2b4a9499f2", "8280855a5064") });
  t.after(() => repo.cleanupAll());
  tagReleased(repo);
  repo.write("README.md", "docs\n");
  repo.commitAll("fix: a typo");
  const r = runRelease(repo);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(tags(repo).includes("v0.26.3"));
  assert.deepEqual(repo.git("show", "--name-only", "--format=", "HEAD").trim().split("\n").sort(), [
    "CHANGELOG.md",
    `${PKG}/__init__.py`,
  ]);
  assert.doesNotMatch(headMessage(repo), /Database migrations/);
  assert.match(repo.read(`${PKG}/__init__.py`), /__version__ = "0\.26\.3"/);
});

test("two unreleased scripts: both renamed to the release, listed in chain order in the notes", (t) => {
  const repo = makeReleaseRepo({ scripts: [RELEASED], init: SEED_INIT.replace("dd2b4a9499f2", "8280855a5064") });
  t.after(() => repo.cleanupAll());
  tagReleased(repo);
  // The two scripts arrive as a feature commit after the 0.26.2 tag.
  for (const spec of [SEED_SCRIPT, SECOND_SCRIPT]) repo.write(`${VERSIONS}/${scriptFileName(spec)}`, scriptText(spec));
  repo.write(`${PKG}/__init__.py`, SEED_INIT.replace("dd2b4a9499f2", "3d9a1c2b7e44"));
  repo.commitAll("feat: transform names");
  const r = runRelease(repo);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(tags(repo).includes("v0.27.0"));
  assert.deepEqual(readdirSync(repo.path(VERSIONS)).sort(), [
    "2023-02-14-8280855a5064-v0_26_2.py",
    "2023-02-16-dd2b4a9499f2-v0_27_0.py",
    "2023-02-20-3d9a1c2b7e44-v0_27_0.py",
  ]);
  const message = headMessage(repo);
  const first = message.indexOf("2023-02-16-dd2b4a9499f2-v0_27_0.py");
  const second = message.indexOf(
    "2023-02-20-3d9a1c2b7e44-v0_27_0.py` (revision `3d9a1c2b7e44`): add column core.transform.name; create index ix_core_transform_name on core.transform",
  );
  assert.ok(first > 0 && second > first, message);
  assert.ok(clean(repo));
});

test("a pre-release from the beta branch is a PEP 440 beta everywhere", (t) => {
  const repo = makeReleaseRepo({ scripts: [RELEASED], init: SEED_INIT.replace("dd2b4a9499f2", "8280855a5064") });
  t.after(() => repo.cleanupAll());
  tagReleased(repo);
  repo.git("checkout", "-q", "-b", "beta");
  repo.write(seedFile, scriptText(SEED_SCRIPT));
  repo.write(`${PKG}/__init__.py`, SEED_INIT);
  repo.commitAll("feat: rename transform.version to v");
  repo.git("branch", "-q", "--set-upstream-to=origin/beta");
  const r = runRelease(repo);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(tags(repo).includes("v0.27.0-beta.1"), tags(repo).join(","));
  assert.ok(existsSync(repo.path(released("v0_27_0b1"))));
  assert.equal(repo.read(released("v0_27_0b1")).split("\n")[0], '"""v0.27.0b1."""');
  assert.match(repo.read(`${PKG}/__init__.py`), /__version__ = "0\.27\.0b1"/);
  assert.equal(remoteHead(repo, "beta"), repo.git("rev-parse", "HEAD").trim());
});

test("--dry-run prints the plan and the notes and changes nothing: no file, no commit, no tag", (t) => {
  const repo = makeReleaseRepo();
  t.after(() => repo.cleanupAll());
  const before = repo.snapshot();
  const head = repo.git("rev-parse", "HEAD");
  const r = runRelease(repo, ["--dry-run"]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.deepEqual(repo.snapshot(), before);
  assert.equal(repo.git("rev-parse", "HEAD"), head);
  assert.deepEqual(tags(repo), []);
  const out = r.stdout + r.stderr;
  assert.match(out, /Would apply:\nRelease 1\.0\.0 of lnschema_core:/);
  assert.match(
    out,
    /rename lnschema_core\/migrations\/versions\/2023-02-16-dd2b4a9499f2-vx_x_x\.py → 2023-02-16-dd2b4a9499f2-v1_0_0\.py/,
  );
  assert.match(out, /__version__ "0\.26\.2" → "1\.0\.0"/);
  assert.match(
    r.stdout,
    /Release note for version 1\.0\.0[\s\S]*Database migrations[\s\S]*rename column core\.transform\.version → v/,
  );
  assert.match(out, /Skip step "prepare"/);
});

test("a repo failing the static check: release refused with the codes and fixes, nothing changed", (t) => {
  const repo = makeReleaseRepo({
    init: SEED_INIT.replace("dd2b4a9499f2", "8280855a5064").replace('__version__ = "0.26.2"', '__version__ = "banana"'),
  });
  t.after(() => repo.cleanupAll());
  const before = repo.snapshot();
  const head = repo.git("rev-parse", "HEAD");
  const r = runRelease(repo);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const out = r.stdout + r.stderr;
  // Every problem at once, each with its code and its fix.
  assert.match(out, /EMIGRAKIT_MIGRATION_MISMATCH/);
  assert.match(out, /EMIGRAKIT_VERSION_INVALID/);
  assert.match(out, /Fix:/);
  assert.doesNotMatch(out, /at verifyConditions|\n\s+at .*release-plugins/, "no stack trace for an expected failure");
  assert.deepEqual(repo.snapshot(), before);
  assert.equal(repo.git("rev-parse", "HEAD"), head);
  assert.deepEqual(tags(repo), []);
});

test("killed in the middle of prepare (after each file operation), then re-run: released once, byte for byte", (t) => {
  const reference = makeReleaseRepo();
  t.after(() => reference.cleanupAll());
  assert.equal(runRelease(reference).status, 0);
  const expected = reference.snapshot();
  let n = 1;
  for (; ; n++) {
    const repo = makeReleaseRepo();
    t.after(() => repo.cleanupAll());
    const killed = runRelease(repo, [], {}, `kill:${n}`);
    if (killed.status === 0) break;
    assert.equal(killed.signal, "SIGKILL", `n=${n}: ${killed.stdout}${killed.stderr}`);
    assert.deepEqual(tags(repo), [], `n=${n}: no tag before prepare finished`);
    const rerun = runRelease(repo);
    assert.equal(rerun.status, 0, `n=${n}: ${rerun.stdout}${rerun.stderr}`);
    assert.match(rerun.stdout + rerun.stderr, /interrupted release of 1\.0\.0 was undone/);
    assert.deepEqual(tags(repo), ["v1.0.0"]);
    assert.ok(clean(repo), `n=${n}: ${repo.git("status", "--porcelain")}`);
    // CHANGELOG.md links commit hashes, which differ between repos; everything else is byte for byte.
    const snap = repo.snapshot();
    const changelog = repo.read("CHANGELOG.md");
    snap.delete("CHANGELOG.md");
    assert.deepEqual(snap, withoutChangelog(expected), `n=${n}`);
    assert.equal(changelog.match(/### Database migrations/g)?.length, 1, `n=${n}: ${changelog}`);
    assert.equal(existsSync(join(repo.dir, ".git", "migrakit-release.json")), false);
  }
  assert.ok(n > 5, `expected at least 5 file operations, saw ${n - 1}`);
});

test('a repo\'s own .releaserc naming "migrakit/release": options validated together; minorForMigrations', async (t) => {
  const repo = makeReleaseRepo({ scripts: [RELEASED], init: SEED_INIT.replace("dd2b4a9499f2", "8280855a5064") });
  t.after(() => repo.cleanupAll());
  tagReleased(repo);
  // The package as a user installs it, so "migrakit/release" resolves through package.json "exports".
  mkdirSync(repo.path("node_modules"));
  symlinkSync(ROOT, repo.path("node_modules/migrakit"));
  repo.write(".gitignore", "node_modules/\n");
  const releaserc = (opts: Record<string, unknown>) =>
    JSON.stringify({
      branches: ["main"],
      plugins: [
        ["@semantic-release/commit-analyzer", { preset: "conventionalcommits" }],
        ["@semantic-release/release-notes-generator", { preset: "conventionalcommits" }],
        ["migrakit/release", opts],
        [
          "@semantic-release/git",
          { assets: [`${PKG}/__init__.py`, `${VERSIONS}/*.py`], message: "chore(release): ${nextRelease.version}" },
        ],
      ],
    });
  repo.write(".releaserc.json", releaserc({ pyproject: "yes", packages: 3 }));
  repo.write(seedFile, scriptText(SEED_SCRIPT));
  repo.write(`${PKG}/__init__.py`, SEED_INIT.replace('"dd2b4a9499f2"', '"0000"'));
  repo.commitAll("fix: rename transform.version to v");

  // In-process, through semantic-release's JS API: every problem arrives together, each a SemanticReleaseError.
  const { default: semanticRelease } = await import("semantic-release");
  const out = new PassThrough();
  let text = "";
  out.on("data", (d) => (text += String(d)));
  await assert.rejects(
    semanticRelease({ ci: false }, { cwd: repo.dir, env: cleanEnv(), stdout: out as never, stderr: out as never }),
    (e: { errors?: { code: string; semanticRelease?: boolean }[] }) => {
      const codes = (e.errors ?? []).map((x) => x.code).sort();
      assert.deepEqual(codes, [
        "EMIGRAKIT_MIGRATION_MISMATCH",
        "EMIGRAKIT_RELEASE_PLUGIN_OPTION",
        "EMIGRAKIT_RELEASE_PLUGIN_OPTION",
      ]);
      assert.ok(e.errors!.every((x) => x.semanticRelease));
      return true;
    },
  );
  assert.match(text, /must be true or false/);

  repo.write(".releaserc.json", releaserc({ minorForMigrations: true }));
  repo.write(`${PKG}/__init__.py`, SEED_INIT);
  repo.commitAll("fix: point _migration at the head");
  const r = runRelease(repo);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Loaded plugin "prepare" from "migrakit\/release"/);
  // fix commits alone make a patch; the migration makes it a minor release.
  assert.ok(tags(repo).includes("v0.27.0"), tags(repo).join(","));
  assert.ok(existsSync(repo.path(released("v0_27_0"))));
  assert.equal(existsSync(repo.path("CHANGELOG.md")), false, "the repo's own config has no changelog plugin");
});

test("the .releaserc that `migrakit init` writes (extends migrakit/release-config), run with --cwd from elsewhere", (t) => {
  const repo = makeReleaseRepo({
    files: { ".releaserc.json": '{\n  "extends": "migrakit/release-config"\n}\n', ".gitignore": "node_modules/\n" },
  });
  t.after(() => repo.cleanupAll());
  mkdirSync(repo.path("node_modules"));
  symlinkSync(ROOT, repo.path("node_modules/migrakit"));
  const elsewhere = mkdtempSync(join(tmpdir(), "migrakit-elsewhere-"));
  t.after(() => rmSync(elsewhere, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, [RELEASE_BIN, "--no-ci", "--cwd", repo.dir], {
    cwd: elsewhere,
    env: cleanEnv(),
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.deepEqual(tags(repo), ["v1.0.0"]);
  assert.ok(clean(repo), repo.git("status", "--porcelain"));
  assert.ok(existsSync(repo.path(released("v1_0_0"))));
  assert.match(headMessage(repo), /### Database migrations/);
});
