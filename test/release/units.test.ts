// Pure pieces of the release step: notes, pyproject, the bin's arguments, plugin options, default config.
import { test } from "node:test";
import assert from "node:assert/strict";
import { migrationNotes } from "../../src/release/notes.js";
import { setProjectVersion } from "../../src/release/pyproject.js";
import { parseReleaseArgs } from "../../src/release/args.js";
import { resolveOptions } from "../../release-plugins/options.js";
import { defaultReleaseConfig, PLUGIN_PATH } from "../../src/release/default-config.js";
import { exitCodeFor } from "../../src/commands/release.js";
import { isMigrakitError } from "../../src/errors/index.js";

test("the notes section lists each script with its revision and summary, and is empty without scripts", () => {
  assert.equal(migrationNotes([]), "");
  const one = {
    package: "lnschema_core",
    from: "a",
    to: "lnschema_core/migrations/versions/2023-02-16-dd2b4a9499f2-v1_0_0.py",
    revision: "dd2b4a9499f2",
    summary: "rename column core.transform.version → v",
  };
  assert.equal(
    migrationNotes([one]),
    "### Database migrations\n\n* `2023-02-16-dd2b4a9499f2-v1_0_0.py` (revision `dd2b4a9499f2`): rename column core.transform.version → v\n",
  );
  const other = { ...one, package: "lnschema_bionty", revision: "0123456789ab" };
  assert.match(migrationNotes([one, other]), /in `lnschema_core`[\s\S]*in `lnschema_bionty`/);
});

test("pyproject: only [project]'s static version changes, byte for byte", () => {
  const text =
    '# top\n[tool.poetry]\nversion = "9.9.9"\n\n[project]\nname = "x"\nversion = \'0.1.0\' # here\n\n[tool.x]\nversion = "1"\n';
  assert.equal(setProjectVersion(text, "1.0.0rc1"), text.replace("'0.1.0'", "'1.0.0rc1'"));
  assert.equal(setProjectVersion('[project]\nname = "x"\ndynamic = ["version"]\n', "1.0.0"), null);
  assert.equal(setProjectVersion('[tool.poetry]\nversion = "1"\n', "1.0.0"), null);
});

test("the release bin passes semantic-release's options through", () => {
  const a = parseReleaseArgs([
    "--dry-run",
    "--no-ci",
    "-b",
    "main",
    "next,beta",
    "--tag-format=v${version}",
    "--cwd",
    "x",
    "--package",
    "pkg",
  ]);
  assert.deepEqual(a.options, {
    dryRun: true,
    ci: false,
    branches: ["main", "next", "beta"],
    tagFormat: "v${version}",
  });
  assert.equal(a.cwd, "x");
  assert.equal(a.packageName, "pkg");
  assert.deepEqual(parseReleaseArgs(["--plugins", "false"]).options, { plugins: [] });
  assert.equal(parseReleaseArgs(["-h"]).help, true);
  for (const bad of [["--frobnicate"], ["stray"], ["--repository-url"]]) {
    assert.throws(
      () => parseReleaseArgs(bad),
      (e: unknown) => isMigrakitError(e) && e.code === "EMIGRAKIT_USAGE" && e.exitCode === 2,
      bad.join(" "),
    );
  }
});

test("plugin options: defaults, and every invalid option reported together", () => {
  assert.deepEqual(resolveOptions({}).options, {
    minorForMigrations: false,
    pyproject: true,
    prereleaseMap: {},
    lint: false,
    majorOnBreakingMigration: false,
  });
  assert.deepEqual(
    resolveOptions({ packages: "lnschema_core", branches: ["ignored: a global option"] }).options.packages,
    ["lnschema_core"],
  );
  const { errors } = resolveOptions({
    packages: [],
    minorForMigrations: "yes",
    pyproject: 1,
    prereleaseMap: { next: "gamma" },
  });
  assert.deepEqual(
    errors.map((e) => e.code),
    Array(4).fill("EMIGRAKIT_RELEASE_PLUGIN_OPTION"),
  );
});

test("default config: branches with pre-release channels, the plugin by path, assets per package, github only with a token", () => {
  const c = defaultReleaseConfig({ packages: ["lnschema_core"], github: false }) as {
    branches: unknown[];
    plugins: [string, Record<string, unknown>][];
  };
  assert.deepEqual(c.branches, [
    "main",
    { name: "next", prerelease: "rc" },
    { name: "beta", prerelease: true },
    { name: "alpha", prerelease: true },
  ]);
  const names = c.plugins.map((p) => (Array.isArray(p) ? p[0] : p));
  assert.deepEqual(names, [
    "@semantic-release/commit-analyzer",
    "@semantic-release/release-notes-generator",
    PLUGIN_PATH,
    "@semantic-release/changelog",
    "@semantic-release/git",
  ]);
  assert.deepEqual(c.plugins[4]![1].assets, [
    "lnschema_core/__init__.py",
    "lnschema_core/migrations/versions/*.py",
    "pyproject.toml",
    "CHANGELOG.md",
  ]);
  const withToken = defaultReleaseConfig({ packages: ["p"], github: true }) as { plugins: unknown[] };
  assert.equal(withToken.plugins.at(-1), "@semantic-release/github");
});

test("exit codes: migrakit codes keep theirs, other semantic-release failures are 1", () => {
  assert.equal(exitCodeFor({ errors: [{ code: "EGITNOPERMISSION" }, { code: "EMIGRAKIT_VERSION_UNMAPPABLE" }] }), 2);
  assert.equal(exitCodeFor({ code: "EMIGRAKIT_MIGRATION_MISMATCH" }), 1);
  assert.equal(exitCodeFor(new Error("boom")), 1);
});

test("the plan rewrites only the version word of a long docstring, keeps CRLF and the rest of the file", async (t) => {
  const { makeSchemaRepo, scriptText } = await import("../helpers/schema-repo.js");
  const { readSchemaRepo } = await import("../../src/model/repo.js");
  const { planRelease, changedPaths } = await import("../../src/release/release-plan.js");
  const { releaseVersion } = await import("../../src/release/version.js");
  const long = scriptText({
    revision: "dd2b4a9499f2",
    down: null,
    header: "vX.X.X.\n\nRename transform.version to v.\n",
    upgrade: 'op.drop_table("x")',
  }).replace(/\n/g, "\r\n");
  const repo = makeSchemaRepo({
    init: '__version__ = "0.1.0"\r\n_migration = "dd2b4a9499f2"\r\n',
    scripts: [{ revision: "dd2b4a9499f2", down: null, raw: long }],
  });
  t.after(() => repo.cleanup());
  const plan = planRelease({
    repos: [await readSchemaRepo(repo.dir, repo.pkg)],
    version: releaseVersion("0.2.0-alpha.3"),
  });
  const script = plan.changes.find((c) => c.kind === "script")!;
  assert.equal(script.to, `${repo.pkg}/migrations/versions/2023-02-16-dd2b4a9499f2-v0_2_0a3.py`);
  assert.equal(script.after, long.replace('"""vX.X.X.', '"""v0.2.0a3.'));
  assert.equal(
    plan.changes.find((c) => c.kind === "init")!.after,
    '__version__ = "0.2.0a3"\r\n_migration = "dd2b4a9499f2"\r\n',
  );
  assert.deepEqual(
    plan.scripts.map((s) => s.summary),
    ["drop table x"],
  );
  assert.equal(changedPaths(plan).length, 3);
});
