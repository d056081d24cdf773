// `migrakit init`, then `git commit` before `npm install`: the hook that init wrote says migrakit is not
// installed, what to run, and how to commit anyway (EMIGRAKIT_NOT_INSTALLED), instead of husky's bare
// "command not found".
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { MigrakitError } from "../../src/errors/index.js";
import { runCli } from "../helpers/cli.js";
import { makeSchemaRepo } from "../helpers/schema-repo.js";

const HOOK = readFileSync(new URL("../../../hooks/pre-commit", import.meta.url), "utf8");

test("the hook's not-installed text is EMIGRAKIT_NOT_INSTALLED's message and fix", () => {
  const e = new MigrakitError("EMIGRAKIT_NOT_INSTALLED");
  const shellText = (s: string) => s.replace(/`/g, "\\`");
  assert.ok(HOOK.includes(`error ${e.code}: ${e.message}`), "message in hooks/pre-commit");
  assert.ok(HOOK.includes(`  fix: ${shellText(e.fix)}`), "fix in hooks/pre-commit");
  assert.equal(e.exitCode, 3);
});

test("init, then git commit before npm install: EMIGRAKIT_NOT_INSTALLED, what to run, --no-verify commits", (t) => {
  const repo = makeSchemaRepo({
    files: { "mypkg/__init__.py": '"""My package."""\n', "mypkg/models.py": "from sqlmodel import SQLModel\n" },
    package: "unused",
  });
  t.after(() => repo.cleanup());
  repo.git("rm", "-rq", "unused");
  const init = runCli(["init", "--package", "mypkg"], { cwd: repo.dir });
  assert.equal(init.status, 0, init.stderr);
  assert.equal(repo.read(".husky/pre-commit"), HOOK, "init writes migrakit's hook");
  repo.git("add", "-A");
  // A PATH with git and sh but no migrakit, as on a machine where it is not installed globally.
  const env = { ...process.env, PATH: "/usr/local/bin:/usr/bin:/bin", HUSKY: "", MIGRAKIT_SKIP: "" };
  const commit = (...extra: string[]) =>
    spawnSync("git", ["commit", "-m", "chore: migrakit init", ...extra], { cwd: repo.dir, env, encoding: "utf8" });
  const refused = commit();
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /error EMIGRAKIT_NOT_INSTALLED: .*migrakit is not installed/);
  assert.match(refused.stderr, /fix: Run `npm install`.*`git commit --no-verify`/);
  assert.doesNotMatch(refused.stderr, /command not found/);
  const headBefore = repo.git("rev-parse", "HEAD").trim();
  const anyway = commit("--no-verify");
  assert.equal(anyway.status, 0, anyway.stderr);
  assert.notEqual(repo.git("rev-parse", "HEAD").trim(), headBefore, "the fix's way to commit anyway works");
});
