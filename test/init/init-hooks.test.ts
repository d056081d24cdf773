// `init --hooks husky|pre-commit|none`, the devDependency init writes (the migrakit it ran from), and init in a
// folder with no Python package (its fix is a step that works, not "run migrakit init").
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { execFileSync, spawnSync } from "node:child_process";
import { parse as parseYaml } from "yaml";
import { catalogue } from "../../src/errors/index.js";
import { makeSchemaRepo } from "../helpers/schema-repo.js";
import { runCli } from "../helpers/cli.js";
import { testPythons } from "../helpers/python.js";
import { SCRIPT_TEMPLATE } from "../../src/init/templates.js";

const MIGRAKIT_ROOT = realpathSync(fileURLToPath(new URL("../../../", import.meta.url)));

test("init --hooks pre-commit: a .pre-commit-config.yaml, no husky, git's hooks left to `pre-commit install`", (t) => {
  const repo = makeSchemaRepo();
  t.after(() => repo.cleanup());
  const r = runCli(["init", "--hooks", "pre-commit", "--json"], { cwd: repo.dir });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.match(doc.hooks, /pre-commit install/);
  assert.ok(!existsSync(repo.path(".husky")), "no .husky folder");
  const hooksPath = spawnSync("git", ["config", "core.hooksPath"], { cwd: repo.dir, encoding: "utf8" });
  assert.notEqual(hooksPath.status, 0, "core.hooksPath is not set (pre-commit install would refuse)");
  const config = parseYaml(repo.read(".pre-commit-config.yaml"));
  const hook = config.repos[0].hooks[0];
  assert.equal(hook.id, "migrakit");
  assert.equal(hook.entry, "npx --no-install migrakit hook pre-commit");
  assert.equal(hook.verbose, true);
  assert.equal(hook.pass_filenames, false);
  const pkg = JSON.parse(repo.read("package.json"));
  assert.deepEqual(Object.keys(pkg.devDependencies).sort(), ["migrakit", "semantic-release"]);
  assert.equal(pkg.scripts, undefined, "no husky prepare script");
  // A second run changes nothing; an existing config of the user's own is never rewritten.
  const again = runCli(["init", "--hooks", "pre-commit", "--json"], { cwd: repo.dir });
  assert.deepEqual(
    JSON.parse(again.stdout).actions.filter((a: { kind: string }) => a.kind !== "skip"),
    [],
  );
  repo.write(".pre-commit-config.yaml", "repos: []\n");
  const own = runCli(["init", "--hooks", "pre-commit"], { cwd: repo.dir });
  assert.match(
    own.stdout,
    /skip\s+\.pre-commit-config\.yaml — the file exists: add the migrakit hook from docs\/ci\.md/,
  );
  assert.equal(repo.read(".pre-commit-config.yaml"), "repos: []\n");
});

test("init --hooks none writes no hook; --hooks with another value is a usage error", (t) => {
  const repo = makeSchemaRepo();
  t.after(() => repo.cleanup());
  const r = runCli(["init", "--hooks", "none"], { cwd: repo.dir });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /hooks {2}none installed: call `npx migrakit hook pre-commit`/);
  assert.ok(!existsSync(repo.path(".husky")) && !existsSync(repo.path(".pre-commit-config.yaml")));
  const bad = runCli(["init", "--hooks", "lefthook", "--json"], { cwd: repo.dir });
  assert.equal(bad.status, catalogue.EMIGRAKIT_USAGE!.exit);
  assert.match(JSON.parse(bad.stdout).errors[0].message, /--hooks lefthook is not one of husky, pre-commit, none/);
});

test("init's devDependency is the migrakit it ran from (here: this checkout), and init says so", (t) => {
  const repo = makeSchemaRepo();
  t.after(() => repo.cleanup());
  const r = runCli(["init"], { cwd: repo.dir });
  assert.equal(r.status, 0, r.stderr);
  const spec = JSON.parse(repo.read("package.json")).devDependencies.migrakit;
  assert.equal(spec, `file:${MIGRAKIT_ROOT.replace(/\/$/, "")}`);
  assert.ok(r.stdout.includes(`migrakit ${spec}`), r.stdout);
});

test("init with no Python package: EMIGRAKIT_INIT_NO_PACKAGE, and following its fix works", (t) => {
  const repo = makeSchemaRepo({ package: "unused" });
  t.after(() => repo.cleanup());
  repo.git("rm", "-rq", "unused");
  const r = runCli(["init"], { cwd: repo.dir });
  assert.equal(r.status, catalogue.EMIGRAKIT_INIT_NO_PACKAGE!.exit);
  assert.match(r.stderr, /error EMIGRAKIT_INIT_NO_PACKAGE: No Python package/);
  assert.doesNotMatch(r.stderr, /fix: .*run `?migrakit init`?\.?$/m);
  // The fix: create the package (a folder with __init__.py and the SQLModel classes), run init again.
  repo.write("mypkg/__init__.py", "");
  repo.write("mypkg/models.py", "from sqlmodel import SQLModel\n");
  const again = runCli(["init"], { cwd: repo.dir });
  assert.equal(again.status, 0, again.stderr);
  assert.ok(existsSync(repo.path("mypkg/migrations/env.py")));
});

test("the script template init writes quotes revision and down_revision alike (rendered by the real mako)", () => {
  const python = testPythons().find((p) => p.name === "current")!.python;
  const render = (down: string) =>
    execFileSync(
      python,
      [
        "-c",
        `import sys\nfrom mako.template import Template\nprint(Template(sys.stdin.read()).render(up_revision="abc", down_revision=${down}, imports="", upgrades="pass", downgrades="pass"))`,
      ],
      { input: SCRIPT_TEMPLATE, encoding: "utf8" },
    );
  assert.match(render('"def"'), /^revision = "abc"\ndown_revision = "def"$/m);
  assert.match(render("None"), /^down_revision = None$/m);
});
