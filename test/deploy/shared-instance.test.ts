// One instance, several schema packages (lamin's shape): core is deployed, then a schema module whose tables
// point into core's. The module is new to that instance — it has core's version table and none of the
// module's tables — so `status` and `deploy` treat it like an empty database for the module: every script
// applied, the module's own version table created. A database holding one of the module's tables without its
// version table, or tables no migration manages, is refused as before (EMIGRAKIT_VERSION_TABLE_MISSING).
import { test } from "node:test";
import assert from "node:assert/strict";
import { withClient } from "../../src/db/connect.js";
import { createScratchDatabase } from "../../src/db/scratch.js";
import { testPythons } from "../helpers/python.js";
import { fixtureRepo, serverForFile } from "../check/dynamic-helpers.js";
import { cli, cliEnv } from "./instances.js";

const { pg } = serverForFile();
const python = testPythons()[0]!.python;
const CORE = ["--package", "lnschema_core"];
const MODULE = ["--package", "lnschema_bionty"];

test("a schema module new to an instance that has core: status says so, deploy applies its scripts next to core's", async (t) => {
  const repo = fixtureRepo("lamin-pair");
  const db = await createScratchDatabase(pg.adminUrl);
  t.after(async () => {
    await db.drop();
    repo.cleanup();
  });
  const env = cliEnv(python, pg.adminUrl);
  const core = cli(["deploy", "--db", db.url, "--yes", ...CORE], repo.dir, env);
  assert.equal(core.status, 0, core.all);
  const status = cli(["status", "--db", db.url, "--json", ...MODULE], repo.dir, env);
  assert.equal(status.status, 1, status.all);
  const doc = JSON.parse(status.stdout) as {
    instance: { empty: boolean; otherPackages?: string[] };
    pending: { revision: string }[];
  };
  assert.equal(doc.instance.empty, true);
  assert.deepEqual(doc.instance.otherPackages, ["public.migration_core"]);
  assert.deepEqual(
    doc.pending.map((p) => p.revision),
    ["b10000000001"],
  );
  const text = cli(["status", "--db", db.url, ...MODULE], repo.dir, env);
  assert.match(text.stdout, /the package is new to this database \(it holds public\.migration_core\)/);
  const module = cli(["deploy", "--db", db.url, "--yes", ...MODULE], repo.dir, env);
  assert.equal(module.status, 0, module.all);
  assert.match(
    module.stderr,
    /the package is new to this database \(it holds public\.migration_core, none of this package's tables\)/,
  );
  const versions = await withClient(db.url, async (c) => ({
    core: (await c.query("SELECT version_num FROM public.migration_core")).rows,
    module: (await c.query("SELECT version_num FROM public.migration_bnty")).rows,
    gene: (await c.query("SELECT to_regclass('bionty.gene') AS t")).rows,
  }));
  assert.deepEqual(versions, {
    core: [{ version_num: "c0ffee000001" }],
    module: [{ version_num: "b10000000001" }],
    gene: [{ t: "bionty.gene" }],
  });
  const after = cli(["status", "--db", db.url, ...MODULE], repo.dir, env);
  assert.equal(after.status, 0, after.all);
});

test("still refused: one of the module's tables without its version table, and tables that no migration manages", async (t) => {
  const repo = fixtureRepo("lamin-pair");
  const shared = await createScratchDatabase(pg.adminUrl);
  const app = await createScratchDatabase(pg.adminUrl);
  t.after(async () => {
    await shared.drop();
    await app.drop();
    repo.cleanup();
  });
  const env = cliEnv(python, pg.adminUrl);
  for (const p of [CORE, MODULE]) {
    const r = cli(["deploy", "--db", shared.url, "--yes", ...p], repo.dir, env);
    assert.equal(r.status, 0, r.all);
  }
  await withClient(shared.url, (c) => c.query("DROP TABLE public.migration_bnty"));
  const lost = cli(["deploy", "--db", shared.url, "--yes", ...MODULE], repo.dir, env);
  assert.equal(lost.status, 3, lost.all);
  assert.match(lost.stderr, /EMIGRAKIT_VERSION_TABLE_MISSING: .* no version table migration_bnty/);

  await withClient(app.url, (c) => c.query("CREATE TABLE public.app_user (id int)"));
  const foreign = cli(["deploy", "--db", app.url, "--yes", ...CORE], repo.dir, env);
  assert.equal(foreign.status, 3, foreign.all);
  assert.match(foreign.stderr, /EMIGRAKIT_VERSION_TABLE_MISSING: .* no version table migration_core/);
});
