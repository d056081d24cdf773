// Issue 16 item 9: "released scripts never change" is not skipped silently. In a shallow clone without tags, with
// no release tag reachable, or outside git, check --static says the rule could not run (a warning; an error under
// CI=true unless "requireReleaseTags": false), and an untagged __version__ falls back to the newest reachable
// release tag. Real git: tags, a real `git clone --depth 1`, a copy outside any repository.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chain, headOf, makeSchemaRepo } from "../helpers/schema-repo.js";
import { runCli } from "../helpers/cli.js";

const scripts = chain(3, { released: 2 });
const releasedFile = (pkg: string) => `${pkg}/migrations/versions/2023-02-11-${scripts[1]!.revision}-v0_2_0.py`;

function findings(dir: string, env: NodeJS.ProcessEnv = {}) {
  const r = runCli(["check", "--static", "--json"], { cwd: dir, env: { CI: "", ...env } });
  const out = JSON.parse(r.stdout) as { findings: { code: string; severity: string; message: string; fix: string }[] };
  return { status: r.status, findings: out.findings };
}

test("a shallow clone without tags: the rule says it cannot run; an error under CI=true unless configured", (t) => {
  const repo = makeSchemaRepo({ scripts, init: { version: "0.2.0", migration: headOf(scripts) } });
  t.after(() => repo.cleanup());
  repo.git("tag", "v0.2.0");
  repo.write("extra.txt", "x\n");
  repo.git("add", "-A");
  repo.git("commit", "-qm", "chore: more");
  const clone = mkdtempSync(join(tmpdir(), "migrakit-shallow-"));
  t.after(() => rmSync(clone, { recursive: true, force: true }));
  execFileSync("git", ["clone", "-q", "--depth", "1", "--no-tags", `file://${repo.dir}`, clone]);
  const path = join(clone, releasedFile(repo.pkg));
  writeFileSync(path, execFileSync("cat", [path], { encoding: "utf8" }).replace("pass", 'op.execute("select 1")'));

  const local = findings(clone);
  assert.equal(local.status, 0);
  assert.deepEqual(
    local.findings.map((f) => [f.code, f.severity]),
    [["EMIGRAKIT_RELEASED_UNCHECKED", "warning"]],
  );
  assert.match(local.findings[0]!.message, /shallow clone/);
  assert.match(local.findings[0]!.fix, /fetch-depth: 0/);

  const ci = findings(clone, { CI: "true" });
  assert.equal(ci.status, 1);
  assert.deepEqual(
    ci.findings.map((f) => [f.code, f.severity]),
    [["EMIGRAKIT_RELEASED_UNCHECKED", "error"]],
  );

  writeFileSync(join(clone, "migrakit.config.json"), '{"requireReleaseTags": false}');
  const configured = findings(clone, { CI: "true" });
  assert.equal(configured.status, 0);
  assert.deepEqual(
    configured.findings.map((f) => f.severity),
    ["warning"],
  );

  // Following the fix: fetch the history and tags; the rule runs and finds the edit.
  execFileSync("git", ["fetch", "-q", "--unshallow", "--tags"], { cwd: clone });
  const fetched = findings(clone, { CI: "true" });
  assert.deepEqual(
    fetched.findings.map((f) => f.code),
    ["EMIGRAKIT_RELEASED_CHANGED"],
  );
});

test("__version__ without a tag: the newest reachable release tag is used", (t) => {
  const repo = makeSchemaRepo({ scripts, init: { version: "0.3.0", migration: headOf(scripts) } });
  t.after(() => repo.cleanup());
  repo.git("tag", "v0.1.0", "HEAD");
  repo.git("tag", "v0.2.0", "HEAD");
  // The script unreleased at v0.2.0 was released as 0.3.0 since (renamed, header rewritten): not a change.
  const unreleased = `${repo.pkg}/migrations/versions/2023-02-12-${scripts[2]!.revision}-vx_x_x.py`;
  repo.write(unreleased.replace("vx_x_x", "v0_3_0"), repo.read(unreleased).replace("vX.X.X.", "v0.3.0."));
  rmSync(repo.path(unreleased));
  const path = releasedFile(repo.pkg);
  repo.write(path, repo.read(path).replace("pass", 'op.execute("select 1")'));
  const r = findings(repo.dir);
  assert.equal(r.status, 1);
  assert.deepEqual(
    r.findings.map((f) => f.code),
    ["EMIGRAKIT_RELEASED_CHANGED"],
  );
  assert.match(r.findings[0]!.message, /v0\.2\.0/);
});

test("outside git, or with no release tag at all: said, not skipped; a package with nothing released stays quiet", (t) => {
  const repo = makeSchemaRepo({ scripts, init: { version: "0.2.0", migration: headOf(scripts) } });
  t.after(() => repo.cleanup());
  const untagged = findings(repo.dir);
  assert.deepEqual(
    untagged.findings.map((f) => [f.code, f.severity]),
    [["EMIGRAKIT_RELEASED_UNCHECKED", "warning"]],
  );
  assert.match(untagged.findings[0]!.message, /no release tag is reachable/);

  const copy = mkdtempSync(join(tmpdir(), "migrakit-nogit-"));
  t.after(() => rmSync(copy, { recursive: true, force: true }));
  cpSync(repo.dir, copy, { recursive: true, filter: (src) => !src.includes("/.git") });
  const outside = findings(copy, { GIT_CEILING_DIRECTORIES: tmpdir() });
  assert.deepEqual(
    outside.findings.map((f) => f.code),
    ["EMIGRAKIT_RELEASED_UNCHECKED"],
  );
  assert.match(outside.findings[0]!.message, /not in a git repository/);

  const fresh = makeSchemaRepo({ scripts: chain(2), init: { version: "0.0.0", migration: headOf(chain(2)) } });
  t.after(() => fresh.cleanup());
  assert.deepEqual(findings(fresh.dir).findings, []);
});

test("a linked worktree and packed tags: the tag is read through the worktree's commondir, and the rule runs", (t) => {
  const repo = makeSchemaRepo({ scripts, init: { version: "0.2.0", migration: headOf(scripts) } });
  t.after(() => repo.cleanup());
  repo.git("tag", "v0.2.0");
  repo.git("tag", "-a", "-m", "0.1.0", "v0.1.0", "HEAD");
  repo.git("pack-refs", "--all"); // the tags now live only in packed-refs, as after a `git gc`
  const worktree = mkdtempSync(join(tmpdir(), "migrakit-worktree-"));
  t.after(() => rmSync(worktree, { recursive: true, force: true }));
  repo.git("worktree", "add", "-q", "-b", "feature", worktree);
  assert.deepEqual(findings(worktree).findings, []);
  const path = join(worktree, releasedFile(repo.pkg));
  writeFileSync(path, execFileSync("cat", [path], { encoding: "utf8" }).replace("pass", 'op.execute("select 1")'));
  const edited = findings(worktree);
  assert.equal(edited.status, 1);
  assert.deepEqual(
    edited.findings.map((f) => f.code),
    ["EMIGRAKIT_RELEASED_CHANGED"],
  );
  assert.match(edited.findings[0]!.message, /v0\.2\.0/);
});
