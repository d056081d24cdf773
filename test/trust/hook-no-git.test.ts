// Issue 16 item 19/the hostile new user: with no `git` on PATH (a minimal image, a GUI client with its own PATH)
// the pre-commit hook said EMIGRAKIT_NOT_A_GIT_REPO, which sends the user looking for another folder. It must
// say git is missing and to install it; followed (git on PATH again), the same hook runs. Real git index,
// the real bin; the staged file lies outside the `orm` globs, so the hook with git needs no Python or Postgres.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { chain, makeSchemaRepo } from "../helpers/schema-repo.js";

test("no git on PATH: the hook says EMIGRAKIT_GIT_MISSING and to install git, not NOT_A_GIT_REPO; with git it runs", (t) => {
  const repo = makeSchemaRepo({
    scripts: chain(1),
    files: {
      "package.json": JSON.stringify({ name: "x", private: true, migrakit: { orm: ["models/*.py"] } }),
      "lnschema_demo/models/core.py": "from sqlmodel import SQLModel\n",
      "lnschema_demo/helpers.py": "X = 1\n",
    },
  });
  t.after(() => repo.cleanup());
  repo.write("lnschema_demo/helpers.py", "X = 2\n");
  repo.git("add", "lnschema_demo/helpers.py");
  // A PATH with node alone.
  const bin = mkdtempSync(join(tmpdir(), "migrakit-nogit-"));
  t.after(() => rmSync(bin, { recursive: true, force: true }));
  symlinkSync(process.execPath, join(bin, "node"));
  const env = { MIGRAKIT_SKIP: "", HUSKY: "", CI: "true" };

  const r = runCli(["hook", "pre-commit"], { cwd: repo.dir, env: { ...env, PATH: bin } });
  assert.equal(r.status, 3, r.stdout + r.stderr);
  assert.match(r.stderr, /EMIGRAKIT_GIT_MISSING/, r.stderr);
  assert.match(r.stderr, /git is not installed/);
  assert.match(r.stderr, /fix: Install git/);
  assert.doesNotMatch(r.stderr, /EMIGRAKIT_NOT_A_GIT_REPO|not inside a git work tree/);

  // Followed: git on PATH, the same staged change, and the hook has nothing to do.
  const fixed = runCli(["hook", "pre-commit"], { cwd: repo.dir, env });
  assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
});
