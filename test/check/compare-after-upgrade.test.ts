// The check's comparison rides on its last upgrade (one bridge request less): on a real repo, real Python
// and a real Postgres, `upgrade` with `compare` answers what a `compare` request on the upgraded database
// answers (a match and a mismatch alike), and an upgrade that fails answers the failure, not a comparison.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { packageParams } from "../../src/checks/dynamic/package-params.js";
import type { CompareResult } from "../../src/checks/dynamic/port.js";
import type { Session } from "../../src/generate/session.js";
import { readSchemaRepo } from "../../src/model/repo.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { addItemColumn, CREATE_ITEM, itemOrm, makeItemRepo } from "../helpers/item-repo.js";
import type { TempRepo } from "../helpers/schema-repo.js";
import { openTestSession, scratchDb } from "../generate/careful-harness.js";

const orm = (extra = "") => itemOrm("label", extra);

let pg: TestPostgres;
let repo: TempRepo;
let session: Session;

before(async () => {
  pg = await startTestPostgres();
  repo = makeItemRepo({
    column: "label",
    init: { version: "0.1.0", migration: "a00000000002" },
    scripts: [
      { revision: "a00000000001", down: null, slug: "v0_1_0", ...CREATE_ITEM },
      { revision: "a00000000002", down: "a00000000001", ...addItemColumn("label") },
      {
        revision: "a00000000003",
        down: "a00000000002",
        upgrade: `op.execute("SELECT * FROM core.no_such_table")`,
      },
    ],
    commit: false,
  });
  session = await openTestSession(pg.adminUrl, repo.dir);
});

after(async () => {
  await session?.close();
  repo?.cleanup();
  await pg?.stop();
});

async function upgradeAndCompare(ormText: string) {
  repo.write("lnschema_demo/_core.py", ormText);
  const db = await scratchDb(pg.adminUrl);
  try {
    const params = { ...packageParams(await readSchemaRepo(repo.dir, "lnschema_demo")), url: db.url };
    await session.port.request("upgrade", { ...params, revision: "a00000000001" });
    const answer = (await session.port.request("upgrade", { ...params, revision: "a00000000002", compare: true })) as {
      current: string[];
      compared?: CompareResult;
    };
    return { answer, alone: await session.port.request("compare", params) };
  } finally {
    await db.drop();
  }
}

test("upgrade with compare answers what compare answers on the upgraded database", async () => {
  const { answer, alone } = await upgradeAndCompare(orm());
  assert.deepEqual(answer.current, ["a00000000002"]);
  assert.ok(answer.compared, "the comparison came with the upgrade");
  assert.equal(answer.compared.empty, true);
  assert.deepEqual(answer.compared, alone);
});

test("a mismatch is the same mismatch as a compare request's", async () => {
  // One helper per test file: the ORM is imported once, so the mismatch is in a fresh session's import.
  await session.close();
  repo.write("lnschema_demo/_core.py", orm("    extra: Optional[str] = None\n"));
  session = await openTestSession(pg.adminUrl, repo.dir);
  const { answer, alone } = await upgradeAndCompare(orm("    extra: Optional[str] = None\n"));
  assert.ok(answer.compared);
  assert.equal(answer.compared.empty, false);
  assert.ok(
    answer.compared.diffs.some((d) => d.kind === "add_column" && (d as { column?: string }).column === "extra"),
  );
  assert.deepEqual(answer.compared, alone);
});

test("an upgrade that fails answers its failure, not a comparison", async () => {
  const db = await scratchDb(pg.adminUrl);
  try {
    const params = { ...packageParams(await readSchemaRepo(repo.dir, "lnschema_demo")), url: db.url };
    await assert.rejects(
      session.port.request("upgrade", { ...params, revision: "a00000000003", compare: true }),
      (err: Error & { code?: string }) =>
        err.code === "EMIGRAKIT_PYTHON_ERROR" && /no_such_table/.test(err.message + JSON.stringify(err)),
    );
  } finally {
    await db.drop();
  }
});
