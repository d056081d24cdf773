// Issue 16, "bad-input handling retried with new cases": what a hostile new user found after the listed
// defects were fixed, each through the real CLI on a real repo. (No Python or Postgres needed here.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { chain, makeSchemaRepo } from "../helpers/schema-repo.js";

test("`migrations` pointing at a folder without versions/: the message names that folder and the fix names `migrations`", (t) => {
  const scripts = chain(1);
  const repo = makeSchemaRepo({
    scripts,
    files: { "migrakit.config.json": JSON.stringify({ migrations: { lnschema_demo: "db/alembic" } }) },
  });
  t.after(() => repo.cleanup());
  const r = runCli(["check", "--static"], { cwd: repo.dir });
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /error EMIGRAKIT_VERSIONS_MISSING: .*db\/alembic\/versions does not exist/);
  assert.match(r.stderr, /fix: .*`migrations`/);
  // The fix followed: `migrations` names the folder that holds versions/.
  repo.write("migrakit.config.json", JSON.stringify({ migrations: { lnschema_demo: "lnschema_demo/migrations" } }));
  const fixed = runCli(["check", "--static"], { cwd: repo.dir });
  assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
});

test("no git on PATH: check --static says git is missing and to install it (not to fetch tags, which needs git)", (t) => {
  const repo = makeSchemaRepo({ scripts: chain(2, { released: 1 }), tag: "v0.1.0" });
  t.after(() => repo.cleanup());
  // A PATH with node alone: a minimal image that has no git.
  const bin = mkdtempSync(join(tmpdir(), "migrakit-nogit-"));
  t.after(() => rmSync(bin, { recursive: true, force: true }));
  symlinkSync(process.execPath, join(bin, "node"));
  const r = runCli(["check", "--static"], { cwd: repo.dir, env: { PATH: bin } });
  const out = r.stdout + r.stderr;
  assert.match(out, /warning EMIGRAKIT_RELEASED_UNCHECKED: .*git is not installed/, out);
  assert.match(out, /fix: Install git/, out);
  assert.doesNotMatch(out, /git fetch/, out);
  // The fix followed: with git on PATH the rule runs (nothing to report on an untouched release).
  const fixed = runCli(["check", "--static"], { cwd: repo.dir });
  assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
  assert.doesNotMatch(fixed.stdout + fixed.stderr, /EMIGRAKIT_RELEASED_UNCHECKED/);
});
