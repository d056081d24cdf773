// Error codes that no test provoked before, each provoked through the real CLI on a real repo (the ones
// that need no Python or Postgres; test/errors/codes-dynamic.test.ts has the others).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, type CliResult } from "../helpers/cli.js";
import { chain, makeSchemaRepo } from "../helpers/schema-repo.js";

function expectCode(r: CliResult, code: string, exit: number) {
  assert.equal(r.status, exit, `${code}: ${r.stdout}${r.stderr}`);
  assert.match(r.stderr + r.stdout, new RegExp(`${code}\\b`));
  assert.doesNotMatch(r.stderr, / {4}at /, "no stack trace");
}

test("EMIGRAKIT_CWD_MISSING: --cwd names a folder that does not exist", () => {
  expectCode(
    runCli(["check", "--static", "--cwd", "/nonexistent/migrakit"], { cwd: tmpdir() }),
    "EMIGRAKIT_CWD_MISSING",
    2,
  );
  expectCode(
    runCli(["status", "--db", "postgresql://u@127.0.0.1:1/db", "--cwd", "/nonexistent/migrakit"], { cwd: tmpdir() }),
    "EMIGRAKIT_CWD_MISSING",
    2,
  );
});

test("EMIGRAKIT_NO_PACKAGE: a folder without any migrations/versions", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "migrakit-empty-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "README.md"), "not a schema repo\n");
  expectCode(runCli(["check", "--static"], { cwd: dir }), "EMIGRAKIT_NO_PACKAGE", 2);
});

test("EMIGRAKIT_SEVERAL_PACKAGES: two schema packages and a command that works on one, without --package", (t) => {
  const repo = makeSchemaRepo({
    scripts: chain(1),
    files: {
      "second/__init__.py": `_migration = None\n__version__ = "0.1.0"\n`,
      "second/migrations/versions/.gitkeep": "",
    },
  });
  t.after(() => repo.cleanup());
  const r = runCli(["generate"], { cwd: repo.dir });
  expectCode(r, "EMIGRAKIT_SEVERAL_PACKAGES", 2);
  assert.match(r.stderr, /--package/);
});

test("EMIGRAKIT_NOT_A_GIT_REPO: the pre-commit hook outside a git repository", (t) => {
  const repo = makeSchemaRepo({ scripts: chain(1), commit: false });
  t.after(() => repo.cleanup());
  rmSync(repo.path(".git"), { recursive: true, force: true });
  const r = runCli(["hook", "pre-commit", "--cwd", repo.dir], {
    cwd: repo.dir,
    env: { GIT_DIR: "", GIT_INDEX_FILE: "", GIT_CEILING_DIRECTORIES: tmpdir() },
  });
  expectCode(r, "EMIGRAKIT_NOT_A_GIT_REPO", 2);
});

test("EMIGRAKIT_RELEASE_JOURNAL_UNREADABLE: a release journal that is not one", (t) => {
  const repo = makeSchemaRepo({ scripts: chain(2, { released: 1 }) });
  t.after(() => repo.cleanup());
  writeFileSync(repo.path(".git/migrakit-release.json"), "{ torn");
  const r = runCli(["release-prepare", "--version", "1.0.0"], { cwd: repo.dir });
  expectCode(r, "EMIGRAKIT_RELEASE_JOURNAL_UNREADABLE", r.status ?? -1);
  assert.notEqual(r.status, 0);
});
