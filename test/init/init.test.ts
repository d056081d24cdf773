// `migrakit init` on real repos: an empty Python package, a lamin-style repo adopted as it is, a repo without
// package.json, and a second run that changes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { chain, headOf, makeSchemaRepo } from "../helpers/schema-repo.js";
import { runCli } from "../helpers/cli.js";
import { testPythons } from "../helpers/python.js";
import { reachableTempDir } from "../helpers/postgres.js";
import { stopEmbeddedServer } from "../../src/db/embedded.js";

test("init: an empty Python package gets config, env.py, template, versions folder, values, hook, release config", (t) => {
  const repo = makeSchemaRepo({
    files: { "mypkg/__init__.py": '"""My package."""\n', "mypkg/models.py": "from sqlmodel import SQLModel\n" },
    package: "unused",
  });
  t.after(() => repo.cleanup());
  repo.git("rm", "-rq", "unused");
  const r = runCli(["init", "--package", "mypkg", "--ci", "github"], { cwd: repo.dir });
  assert.equal(r.status, 0, r.stderr);
  for (const f of [
    "mypkg/migrations/env.py",
    "mypkg/migrations/script.py.mako",
    "mypkg/migrations/versions/.gitkeep",
    ".husky/pre-commit",
    ".releaserc.json",
    "package.json",
  ]) {
    assert.ok(existsSync(repo.path(f)), f);
  }
  assert.equal(repo.read("mypkg/__init__.py"), '"""My package."""\n_migration = None\n__version__ = "0.0.0"\n');
  const pkg = JSON.parse(repo.read("package.json"));
  assert.deepEqual(Object.keys(pkg.devDependencies).sort(), ["husky", "migrakit", "semantic-release"]);
  assert.equal(pkg.scripts.prepare, "husky");
  assert.deepEqual(pkg.migrakit, { packages: ["mypkg"] });
  assert.equal(repo.git("config", "core.hooksPath").trim(), ".husky/_");
  assert.match(repo.read(".husky/pre-commit"), /migrakit hook pre-commit/);
  // The result is a valid schema repo.
  const check = runCli(["check", "--static"], { cwd: repo.dir });
  assert.equal(check.status, 0, check.stderr);
  // Workflows are valid YAML and call real commands.
  const migrations = parseYaml(repo.read(".github/workflows/migrations.yml"));
  const steps = migrations.jobs.check.steps.map((s: { run?: string }) => s.run).filter(Boolean);
  assert.ok(steps.includes("npx migrakit check"));
  assert.ok(steps.includes("npm ci"));
  const release = parseYaml(repo.read(".github/workflows/release.yml"));
  assert.equal(release.permissions.contents, "write");
  assert.equal(release.jobs.release.steps[0].with["fetch-depth"], 0);
  assert.ok(release.jobs.release.steps.some((s: { run?: string }) => s.run === "npx release"));
  // Second run: nothing changes.
  const before = repo.snapshot();
  const again = runCli(["init", "--package", "mypkg", "--ci", "github", "--json"], { cwd: repo.dir });
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(
    JSON.parse(again.stdout).actions.filter((a: { kind: string }) => a.kind !== "skip"),
    [],
  );
  assert.deepEqual(repo.snapshot(), before);
});

test("init: a lamin-style repo is adopted as it is (legacy names, env.py, _migration kept)", (t) => {
  const scripts = [
    { revision: "0560ee3d73dc", down: null, slug: "jupynb", date: "2022-07-21" },
    {
      revision: "8280855a5064",
      down: "0560ee3d73dc",
      slug: "v0_26_2",
      date: "2023-02-14",
      header: "v0.26.2.\n\nA long docstring, as real repos have.",
    },
    { revision: "dd2b4a9499f2", down: "8280855a5064", date: "2023-02-16" },
  ];
  const env = "# our own env.py\nfrom alembic import context\n";
  const repo = makeSchemaRepo({
    package: "lnschema_core",
    scripts,
    init: { migration: headOf(scripts), version: "0.26.2", schemaId: "yvzi" },
    files: { "lnschema_core/migrations/env.py": env, "pyproject.toml": '[project]\nname = "lnschema_core"\n' },
  });
  t.after(() => repo.cleanup());
  const scriptsBefore = new Map(
    [...repo.snapshot()].filter(([p]) => p.includes("versions/") || p.endsWith("__init__.py")),
  );
  const r = runCli(["init"], { cwd: repo.dir });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(repo.read("lnschema_core/migrations/env.py"), env);
  assert.match(r.stdout, /skip\s+lnschema_core\/migrations\/env\.py/);
  const after = repo.snapshot();
  for (const [p, h] of scriptsBefore) assert.equal(after.get(p), h, `${p} unchanged`);
  // No package.json before: the config goes to pyproject (appended; the rest kept), package.json is created.
  assert.equal(
    repo.read("pyproject.toml"),
    '[project]\nname = "lnschema_core"\n\n[tool.migrakit]\npackages = ["lnschema_core"]\n',
  );
  assert.ok(!("migrakit" in JSON.parse(repo.read("package.json"))));
  assert.equal(runCli(["check", "--static"], { cwd: repo.dir }).status, 0);
});

test("init: with a package.json, config and devDependencies go into it and other keys stay", (t) => {
  const scripts = chain(2, { released: 1 });
  const pkgJson =
    JSON.stringify(
      {
        name: "schema",
        version: "1.0.0",
        scripts: { prepare: "echo hi", test: "pytest" },
        devDependencies: { husky: "^9.0.0" },
      },
      null,
      4,
    ) + "\n";
  const repo = makeSchemaRepo({
    scripts,
    init: { version: "0.1.0", migration: headOf(scripts) },
    files: { "package.json": pkgJson },
  });
  t.after(() => repo.cleanup());
  assert.equal(runCli(["init"], { cwd: repo.dir }).status, 0);
  const pkg = JSON.parse(repo.read("package.json"));
  assert.equal(pkg.scripts.prepare, "echo hi && husky");
  assert.equal(pkg.scripts.test, "pytest");
  assert.equal(pkg.devDependencies.husky, "^9.0.0", "an existing range is kept");
  assert.ok(pkg.devDependencies.migrakit);
  assert.deepEqual(pkg.migrakit, { packages: [repo.pkg] });
  assert.match(repo.read("package.json"), /^ {4}"name"/m, "indentation kept");
});

test("init: without package.json but with pyproject, a later run keeps the pyproject config", (t) => {
  const repo = makeSchemaRepo({
    files: { "pyproject.toml": '[project]\nname = "x"\n\n[tool.migrakit]\nbaseline = "release"\n' },
  });
  t.after(() => repo.cleanup());
  const r = runCli(["init", "--json"], { cwd: repo.dir });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!("migrakit" in JSON.parse(repo.read("package.json"))), "configuration stays where it was");
  assert.match(repo.read("pyproject.toml"), /baseline = "release"/);
  assert.ok(existsSync(join(repo.dir, ".releaserc.json")));
  assert.deepEqual(JSON.parse(readFileSync(join(repo.dir, ".releaserc.json"), "utf8")), {
    extends: "migrakit/release-config",
  });
});

test("init: an existing file is replaced only with --force", (t) => {
  const repo = makeSchemaRepo({ files: { ".husky/pre-commit": "npm test\n" } });
  t.after(() => repo.cleanup());
  runCli(["init"], { cwd: repo.dir });
  assert.equal(repo.read(".husky/pre-commit"), "npm test\n");
  runCli(["init", "--force"], { cwd: repo.dir });
  assert.match(repo.read(".husky/pre-commit"), /migrakit hook pre-commit/);
});

test("init: the env.py it writes passes the full migrakit check on the example package", async (t) => {
  const python = testPythons().find((p) => p.name === "current")!.python;
  const repo = makeSchemaRepo({ package: "unused" });
  // Its own embedded Postgres and cache, through the documented settings: never the machine-wide ones.
  const base = await reachableTempDir();
  const own = {
    MIGRAKIT_POSTGRES_DIR: join(base, "pg"),
    XDG_CACHE_HOME: join(base, "cache"),
    MIGRAKIT_DATABASE_URL: "",
    CI: "true",
  };
  t.after(async () => {
    repo.cleanup();
    await stopEmbeddedServer({ env: { ...process.env, ...own } });
    rmSync(base, { recursive: true, force: true });
  });
  repo.git("rm", "-rq", "unused");
  cpSync(
    fileURLToPath(new URL("../../../examples/schema-repo/lnschema_demo", import.meta.url)),
    repo.path("lnschema_demo"),
    { recursive: true },
  );
  rmSync(repo.path("lnschema_demo/migrations/env.py"));
  const init = runCli(["init"], { cwd: repo.dir });
  assert.equal(init.status, 0, init.stderr);
  assert.match(init.stdout, /create\s+lnschema_demo\/migrations\/env\.py/);
  // The example is released as 0.2.0: with its tag, the released-unchanged rule runs (without, it warns).
  repo.git("add", "-A");
  repo.git("commit", "-q", "--no-verify", "-m", "chore: migrakit init");
  repo.git("tag", "v0.2.0");
  const check = runCli(["check", "--no-cache"], {
    cwd: repo.dir,
    env: { MIGRAKIT_PYTHON: python, ...own },
    timeoutMs: 300_000,
  });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout + check.stderr, /no problems found/);
});

test("init | head: a reader that stops reading ends init quietly, with its work done (no EPIPE stack trace)", async (t) => {
  const repo = makeSchemaRepo({ files: { "mypkg/__init__.py": '"""My package."""\n' }, package: "unused" });
  t.after(() => repo.cleanup());
  repo.git("rm", "-rq", "unused");
  const { spawn } = await import("node:child_process");
  const { MIGRAKIT_BIN } = await import("../helpers/cli.js");
  const { ownFolders } = await import("../helpers/isolation.js");
  const child = spawn(process.execPath, [MIGRAKIT_BIN, "init", "--package", "mypkg"], {
    cwd: repo.dir,
    env: ownFolders(process.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.destroy(); // what `| head` does once it has its lines
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|at .*\.js:\d+/);
  assert.ok(existsSync(repo.path("mypkg/migrations/env.py")));
});

test("init: an env.py that git ignores (lamin's repos did) is written with a warning that says how to fix it", (t) => {
  const repo = makeSchemaRepo({
    files: { "mypkg/__init__.py": '"""My package."""\n', ".gitignore": "mypkg/migrations/env.py\n" },
    package: "unused",
  });
  t.after(() => repo.cleanup());
  repo.git("rm", "-rq", "unused");
  const r = runCli(["init", "--package", "mypkg"], { cwd: repo.dir });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: git ignores mypkg\/migrations\/env\.py/);
  assert.match(r.stderr, /git check-ignore -v mypkg\/migrations\/env\.py/);
  // The fix works: with the line gone, nothing is ignored any more and init says nothing.
  repo.write(".gitignore", "");
  const again = runCli(["init", "--package", "mypkg", "--json"], { cwd: repo.dir });
  assert.equal(again.status, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /warning/);
  assert.ok(JSON.parse(again.stdout).actions.every((a: { warning?: string }) => !a.warning));
});
