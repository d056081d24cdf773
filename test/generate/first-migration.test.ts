// Issue 16 item 4: a new schema package (ORM tables, no scripts yet) gets its first migration from `generate`
// (down_revision = None, creating the schema the ORM uses), and `check` fails until it has one. The example
// package with its scripts removed, in a real git repo; real alembic, real Postgres.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { pruneTemplates } from "../../src/db/templates.js";
import { REPO_ROOT, testPythons } from "../helpers/python.js";
import { gitIn } from "../helpers/git.js";

const VERSIONS = "lnschema_demo/migrations/versions";
let pg: TestPostgres;
let work: string;
before(async () => {
  pg = await startTestPostgres();
  work = mkdtempSync(join(tmpdir(), "migrakit-first-"));
});
after(async () => {
  // generate and check keep their baselines as template databases (the cache): the file's server goes with them.
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

for (const { name, python } of testPythons()) {
  test(`a package with ORM tables and no scripts: check fails, generate writes the first script, check passes (${name} stack)`, () => {
    const dir = join(work, name);
    cpSync(join(REPO_ROOT, "examples", "schema-repo"), dir, { recursive: true });
    for (const f of readdirSync(join(dir, VERSIONS))) rmSync(join(dir, VERSIONS, f));
    writeFileSync(join(dir, VERSIONS, ".gitkeep"), "");
    const init = join(dir, "lnschema_demo", "__init__.py");
    writeFileSync(
      init,
      '"""A new schema package."""\n\n_schema_id = "demo"\n_migration = None\n__version__ = "0.0.0"\n\nfrom ._core import Run, Transform, User  # noqa: E402,F401\n',
    );
    const git = gitIn(dir);
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-qm", "a new schema package");
    const env = {
      MIGRAKIT_DATABASE_URL: pg.adminUrl,
      MIGRAKIT_PYTHON: python,
      CI: "true",
      XDG_CACHE_HOME: join(work, `cache-${name}`),
    };

    const before = runCli(["check", "--json"], { cwd: dir, env });
    assert.equal(before.status, 1, before.stdout + before.stderr);
    const codes = (JSON.parse(before.stdout) as { findings: { code: string }[] }).findings.map((f) => f.code);
    assert.ok(codes.includes("EMIGRAKIT_MODELS_MISMATCH"), codes.join());

    const gen = runCli(["generate", "-m", "the first tables"], { cwd: dir, env });
    assert.equal(gen.status, 0, gen.stdout + gen.stderr);
    const scripts = readdirSync(join(dir, VERSIONS)).filter((f) => f.endsWith(".py"));
    assert.equal(scripts.length, 1, scripts.join());
    const text = execFileSync("cat", [join(dir, VERSIONS, scripts[0]!)], { encoding: "utf8" });
    assert.match(text, /^down_revision = None$/m);
    assert.match(text, /op\.execute\('CREATE SCHEMA IF NOT EXISTS "core"'\)/);
    assert.match(text, /op\.create_table\(/);
    const revision = /^revision = "([0-9a-f]{12})"$/m.exec(text)![1]!;
    assert.match(execFileSync("cat", [init], { encoding: "utf8" }), new RegExp(`_migration = "${revision}"`));

    const afterCheck = runCli(["check"], { cwd: dir, env });
    assert.equal(afterCheck.status, 0, afterCheck.stdout + afterCheck.stderr);
  });
}

// Issue 17, the newcomer's walk: the first commit after `init` has a package whose models are not imported yet
// (no tables, no schemas), and the check keeps that empty baseline as a template. Once the models are imported,
// the first script creates schema `core`; the warm check cloned the old template, whose "before" lacked `core`
// while migrakit's upgrade creates it, and reported EMIGRAKIT_DOWNGRADE_INCOMPLETE "+ schema core".
test("a package that does not import its models: generate says so; once it does, a warm check passes the first script, and a refresh keeps its CREATE SCHEMA", () => {
  const { python } = testPythons()[0]!;
  const dir = join(work, "warm");
  cpSync(join(REPO_ROOT, "examples", "schema-repo"), dir, { recursive: true });
  for (const f of readdirSync(join(dir, VERSIONS))) rmSync(join(dir, VERSIONS, f));
  writeFileSync(join(dir, VERSIONS, ".gitkeep"), "");
  const init = join(dir, "lnschema_demo", "__init__.py");
  const initText = '"""A new schema package."""\n\n_schema_id = "demo"\n_migration = None\n__version__ = "0.0.0"\n';
  writeFileSync(init, initText);
  execFileSync("git", ["init", "-q", "-b", "main"], { cwd: dir });
  // Not CI and not --no-cache: the baseline is kept as a template database and cloned by the next run.
  const env = {
    MIGRAKIT_DATABASE_URL: pg.adminUrl,
    MIGRAKIT_PYTHON: python,
    CI: "",
    XDG_CACHE_HOME: join(work, "cache-warm"),
  };

  // Models not imported by the package: generate says why it writes nothing, instead of "the ORM matches".
  const nothing = runCli(["generate"], { cwd: dir, env });
  assert.equal(nothing.status, 0, nothing.stdout + nothing.stderr);
  assert.match(
    nothing.stdout + nothing.stderr,
    /the ORM of lnschema_demo has no tables yet: no script written \(migrakit imports the package; does lnschema_demo\/__init__\.py import the modules that define them\?\)/,
  );
  const empty = runCli(["check"], { cwd: dir, env });
  assert.equal(empty.status, 0, empty.stdout + empty.stderr);

  writeFileSync(init, `${initText}\nfrom ._core import Run, Transform, User  # noqa: E402,F401\n`);
  const gen = runCli(["generate"], { cwd: dir, env });
  assert.equal(gen.status, 0, gen.stdout + gen.stderr);
  const warm = runCli(["check"], { cwd: dir, env });
  assert.match(warm.stderr, /baseline: replay, from cache/, "the second check clones the first one's template");
  assert.equal(warm.status, 0, warm.stdout + warm.stderr);

  // An ORM change before the first release refreshes that first script: it still creates its schema.
  const core = join(dir, "lnschema_demo", "_core.py");
  writeFileSync(core, readFileSync(core, "utf8").replace("    handle: str = Field(", "    nick: str = Field("));
  const refresh = runCli(["generate"], { cwd: dir, env });
  assert.equal(refresh.status, 0, refresh.stdout + refresh.stderr);
  assert.match(refresh.stdout + refresh.stderr, /refreshed/);
  const [script] = readdirSync(join(dir, VERSIONS)).filter((f) => f.endsWith(".py"));
  const text = readFileSync(join(dir, VERSIONS, script!), "utf8");
  assert.match(text, /sa\.Column\('nick'/);
  assert.match(text, /op\.execute\('CREATE SCHEMA IF NOT EXISTS "core"'\)/);
});
