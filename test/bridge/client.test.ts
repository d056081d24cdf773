// The real bridge on both Python stacks against a real Postgres: the typed requests end to end.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScratchDatabase } from "../../src/db/index.js";
import { startBridge, type Bridge } from "../../src/bridge/index.js";
import { MigrakitError } from "../../src/errors/index.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { REPO_ROOT, testPythons } from "../helpers/python.js";

const FIXTURE_REPO = join(REPO_ROOT, "test", "fixtures", "bridge", "repo");
const FIRST = "a1b2c3d4e5f6";
const HEAD = "b2c3d4e5f6a1";

let pg: TestPostgres;
before(async () => {
  pg = await startTestPostgres();
});
after(async () => {
  await pg?.stop();
});

for (const { name, python } of testPythons()) {
  describe(`bridge on the ${name} stack`, () => {
    let repo: string;
    let bridge: Bridge;
    before(async () => {
      repo = join(await mkdtemp(join(tmpdir(), "migrakit-bridge-")), "repo");
      await cp(FIXTURE_REPO, repo, { recursive: true });
      bridge = await startBridge({
        python,
        cwd: repo,
        env: process.env,
        package: { repo_root: repo, package: "heroes" },
      });
    });
    after(async () => {
      await bridge?.close();
      await rm(join(repo, ".."), { recursive: true, force: true });
    });

    test("preflight found the stack", () => {
      const v = bridge.versionsInfo!;
      assert.equal(v.sqlalchemy?.split(".")[0], name === "legacy" ? "1" : "2");
      assert.equal(v.driver, "psycopg2");
      assert.equal(v.sqlmodel, name === "legacy" ? "0.0.8" : v.sqlmodel);
    });

    test("upgrade, compare, downgrade, offline SQL", async () => {
      const db = await createScratchDatabase(pg.adminUrl);
      try {
        assert.deepEqual(await bridge.request("heads"), [HEAD]);
        assert.deepEqual(await bridge.request("upgrade", { url: db.url, revision: "head" }), { current: [HEAD] });
        assert.deepEqual(await bridge.request("current", { url: db.url }), [HEAD]);
        assert.equal((await bridge.request("compare", { url: db.url })).empty, true);
        assert.deepEqual(await bridge.request("downgrade", { url: db.url, revision: FIRST }), { current: [FIRST] });
        const behind = await bridge.request("compare", { url: db.url });
        assert.deepEqual(
          behind.diffs.map((d) => [d.kind, d.schema, d.table]),
          [["add_table", "core", "hero"]],
        );
        assert.match(behind.upgrade_ops, /op\.create_table\('hero',/);
        assert.deepEqual(await bridge.request("schemas"), ["core"]);
        const { sql } = await bridge.request("offline_sql", { from: FIRST, to: "head" });
        assert.match(sql, /CREATE TABLE core\.hero/);
      } finally {
        await db.drop();
      }
    });

    test("requests sent together are answered in order", async () => {
      const results = await Promise.all([
        bridge.request("heads"),
        bridge.request("schemas"),
        bridge.request("history"),
        bridge.request("package"),
      ]);
      assert.deepEqual(results[0], [HEAD]);
      assert.deepEqual(results[1], ["core"]);
      assert.deepEqual(
        results[2].map((h) => h.revision),
        [FIRST, HEAD],
      );
      assert.equal(results[3].schema_id, "hero");
    });

    test("create_all + stamp, and a failing script reported as the repo's failure", async () => {
      const db = await createScratchDatabase(pg.adminUrl);
      try {
        assert.deepEqual(await bridge.request("create_all", { url: db.url }), { tables: ["core.hero", "core.team"] });
        assert.deepEqual(await bridge.request("stamp", { url: db.url, revision: HEAD }), { current: [HEAD] });
        // Upgrading an instance that already has the tables: Postgres refuses, the repo's script is to blame.
        await bridge.request("stamp", { url: db.url, revision: FIRST });
        const err = await bridge.request("upgrade", { url: db.url, revision: "head" }).catch((e: unknown) => e);
        assert.ok(err instanceof MigrakitError);
        assert.equal(err.code, "EMIGRAKIT_PYTHON_ERROR");
        assert.equal(err.exitCode, 1);
        assert.match(err.message, /ProgrammingError: .*relation "hero" already exists/);
        assert.match(String(err.details.traceback), /vx_x_x\.py", line \d+, in upgrade/);
        assert.deepEqual(await bridge.request("current", { url: db.url }), [FIRST]);
      } finally {
        await db.drop();
      }
    });

    test("an unreachable database is an environment error (exit 3)", async () => {
      const err = await bridge
        .request("current", { url: "postgresql://nobody:secret@127.0.0.1:1/none" })
        .catch((e: unknown) => e);
      assert.ok(err instanceof MigrakitError);
      assert.equal(err.code, "EMIGRAKIT_BRIDGE_DATABASE");
      assert.equal(err.exitCode, 3);
      assert.doesNotMatch(`${err.message} ${JSON.stringify(err.details)}`, /secret/);
    });
  });
}
