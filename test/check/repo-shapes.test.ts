// Repositories as users have them (fixtures we wrote in those shapes), adopted as they are: a root-level
// alembic/ app with alembic.ini (file_template, batch mode, a custom type, the generic env.py that builds its
// own engine), an app on alembic's async env.py template with asyncpg named in its ini, and a lamin package
// whose scripts live in a folder the `migrations` key names. The ini's URLs point at databases that do not
// exist here: everything runs on migrakit's scratch databases.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { testPythons } from "../helpers/python.js";
import { cliOnServer, fixtureRepo, serverForFile } from "./dynamic-helpers.js";

const server = serverForFile();

const cli = cliOnServer(server);

test("a root-level alembic/ app: init adopts its history where it is (convention alembic, no migrations/ beside it), check passes", () => {
  const repo = fixtureRepo("alembic-app");
  const python = testPythons()[0]!.python;
  try {
    const env = repo.read("alembic/env.py");
    const init = cli(repo.dir, python, ["init", "--json"]);
    assert.equal(init.status, 0, init.all);
    assert.equal(JSON.parse(init.stdout).package, ".");
    assert.ok(!existsSync(join(repo.dir, "migrations")), "no empty migrations/ beside alembic/");
    assert.equal(repo.read("alembic/env.py"), env, "its env.py is kept");
    assert.deepEqual(JSON.parse(repo.read("package.json")).migrakit, { packages: ["."], convention: "alembic" });
    repo.git("add", "-A");
    repo.git("commit", "-q", "--no-verify", "-m", "migrakit init");
    for (const { name, python: py } of testPythons()) {
      const checked = cli(repo.dir, py, ["check"]);
      assert.equal(checked.status, 0, `${name}: ${checked.all}`);
      assert.match(checked.all, /baseline: replay/);
    }
    // The result cache keys on alembic.ini too: an edit there is a real run again.
    const cached = { XDG_CACHE_HOME: server.cache(), MIGRAKIT_NO_CACHE: "" };
    assert.equal(cli(repo.dir, python, ["check"], cached).status, 0);
    assert.match(cli(repo.dir, python, ["check"], cached).stderr, /answered from the cache/);
    repo.write(
      "alembic.ini",
      repo.read("alembic.ini").replace("prepend_sys_path = .", "prepend_sys_path = .\nrender_note = edited"),
    );
    const edited = cli(repo.dir, python, ["check"], cached);
    assert.equal(edited.status, 0, edited.all);
    assert.doesNotMatch(edited.stderr, /answered from the cache/);
  } finally {
    repo.cleanup();
  }
});

test("alembic's async env.py template, unedited but for target_metadata, runs with the ini's asyncpg on both stacks", () => {
  const repo = fixtureRepo("async-app");
  try {
    for (const { name, python } of testPythons()) {
      const checked = cli(repo.dir, python, ["check"]);
      assert.equal(checked.status, 0, `${name}: ${checked.all}`);
      assert.doesNotMatch(checked.all, /psycopg2|Traceback/);
    }
  } finally {
    repo.cleanup();
  }
});

test("the `migrations` key names a package's migrations folder when it is not {package}/migrations", () => {
  const repo = fixtureRepo("seed-style");
  const python = testPythons()[0]!.python;
  try {
    mkdirSync(join(repo.dir, "db"));
    renameSync(join(repo.dir, "lnschema_seed", "migrations"), join(repo.dir, "db", "seed_migrations"));
    repo.write(
      "migrakit.config.json",
      JSON.stringify({ packages: ["lnschema_seed"], migrations: { lnschema_seed: "db/seed_migrations" } }),
    );
    repo.commit("migrations elsewhere");
    const checked = cli(repo.dir, python, ["check"]);
    assert.equal(checked.status, 0, checked.all);
    const bad = cli(repo.dir, python, ["check", "--static"]);
    assert.equal(bad.status, 0, bad.all);
    repo.write("migrakit.config.json", JSON.stringify({ packages: ["lnschema_seed"], migrations: 3 }));
    const invalid = cli(repo.dir, python, ["check", "--static"]);
    assert.equal(invalid.status, 2, invalid.all);
    assert.match(invalid.stderr, /EMIGRAKIT_CONFIG_INVALID/);
  } finally {
    repo.cleanup();
  }
});
