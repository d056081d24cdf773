// The rename request of generate applies and renders on the comparison the bridge kept from the request
// before it (one autogenerate pass per generate): on a real repo, real Python and a real Postgres, what it
// answers equals a fresh comparison with the same renames, and the kept comparison is refused when the ORM
// it compared is not the one the request is about (another snapshot, or the ORM file edited on disk).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageParams } from "../../src/checks/dynamic/package-params.js";
import type { GenerateAnswer } from "../../src/bridge/contract.js";
import { generateOps } from "../../src/generate/bridge-calls.js";
import { planRenames } from "../../src/generate/renames.js";
import type { Session } from "../../src/generate/session.js";
import { readSchemaRepo } from "../../src/model/repo.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { makeSchemaRepo, type TempRepo } from "../helpers/schema-repo.js";
import { openTestSession, scratchDb } from "./careful-harness.js";

const FIRST = "a00000000001";

const orm = (column: string, extra = "") =>
  `from typing import Optional\nfrom sqlmodel import Field, SQLModel\n\n\nclass Item(SQLModel, table=True):  # type: ignore\n    __table_args__ = {"schema": "core"}\n    id: str = Field(primary_key=True)\n    ${column}: Optional[str] = None\n${extra}`;

let pg: TestPostgres;
let repo: TempRepo;
let session: Session;
let db: { url: string; drop(): Promise<void> };
const copies: string[] = [];

before(async () => {
  pg = await startTestPostgres();
  repo = makeSchemaRepo({
    init: { version: "0.1.0", migration: FIRST },
    scripts: [
      {
        revision: FIRST,
        down: null,
        slug: "v0_1_0",
        upgrade: `op.create_table("item", sa.Column("id", sa.String(), nullable=False), sa.Column("label", sa.String(), nullable=True), sa.PrimaryKeyConstraint("id", name=op.f("pk_item")), schema="core")`,
        downgrade: `op.drop_table("item", schema="core")`,
      },
    ],
    // The ORM renamed label → title: a drop and an add that pair as a rename.
    files: { "lnschema_demo/_core.py": orm("title") },
    commit: false,
  });
  repo.write("lnschema_demo/__init__.py", repo.read("lnschema_demo/__init__.py") + "from ._core import Item  # noqa\n");
  session = await openTestSession(pg.adminUrl, repo.dir);
  db = await scratchDb(pg.adminUrl);
  const params = packageParams(await readSchemaRepo(repo.dir, "lnschema_demo"));
  await session.port.request("upgrade", { ...params, url: db.url, revision: FIRST });
});

after(async () => {
  await session?.close();
  await db?.drop();
  for (const c of copies) rmSync(c, { recursive: true, force: true });
  repo?.cleanup();
  await pg?.stop();
});

/** A snapshot of the repo (as the hook exports the index) with its own ORM. */
async function snapshot(ormText: string) {
  const dir = mkdtempSync(join(tmpdir(), "migrakit-kept-"));
  copies.push(dir);
  cpSync(repo.dir, dir, { recursive: true });
  writeFileSync(join(dir, "lnschema_demo/_core.py"), ormText);
  return { dir, params: { ...packageParams(await readSchemaRepo(dir, "lnschema_demo"), { root: dir }), url: db.url } };
}

const renamesOf = (a: GenerateAnswer) => planRenames(a.diffs, { explicit: [], recorded: [], detect: true }).renames;
const withoutToken = ({ comparison: _c, reused: _r, ...rest }: GenerateAnswer) => rest;

test("the rename request reuses the kept comparison and answers what a fresh comparison answers", async () => {
  const { params } = await snapshot(orm("title"));
  const first = await generateOps(session.bridge, { ...params, renames: [] });
  assert.ok(first.comparison, "the comparison's token comes back");
  assert.equal(first.reused, undefined);
  const renames = renamesOf(first);
  assert.equal(renames.length, 1, "label → title pairs as a rename");
  const reused = await generateOps(session.bridge, { ...params, renames, comparison: first.comparison });
  assert.equal(reused.reused, true, "applied and rendered on the kept comparison");
  assert.match(reused.upgrade_ops, /new_column_name="title"|new_column_name='title'/);
  const fresh = await generateOps(session.bridge, { ...params, renames });
  assert.equal(fresh.reused, undefined);
  assert.deepEqual(withoutToken(reused), withoutToken(fresh));
  // The kept ops were not rewritten by the rename request: the same token again gives the same answer.
  const again = await generateOps(session.bridge, { ...params, renames: [] });
  const second = await generateOps(session.bridge, { ...params, renames, comparison: again.comparison });
  assert.equal(second.reused, true);
  assert.deepEqual(withoutToken(second), withoutToken(fresh));
  const plain = await generateOps(session.bridge, { ...params, renames: [], comparison: again.comparison });
  assert.deepEqual(withoutToken(plain), withoutToken(again), "the kept ops are as alembic produced them");
});

test("a kept comparison is not used for another snapshot's ORM", async () => {
  const a = await snapshot(orm("title"));
  const first = await generateOps(session.bridge, { ...a.params, renames: [] });
  // The next snapshot's ORM also adds a column: the token of the first must not stand for it.
  const b = await snapshot(orm("title", "    note: Optional[str] = None\n"));
  const answer = await generateOps(session.bridge, {
    ...b.params,
    renames: renamesOf(first),
    comparison: first.comparison,
  });
  assert.equal(answer.reused, undefined, "compared again");
  assert.ok(
    answer.diffs.some((d) => d.kind === "add_column" && (d as { column?: string }).column === "note"),
    "the answer is the new ORM's",
  );
});

test("a kept comparison is not used once the ORM file changed on disk", async () => {
  const { dir, params } = await snapshot(orm("title"));
  const first = await generateOps(session.bridge, { ...params, renames: [] });
  writeFileSync(join(dir, "lnschema_demo/_core.py"), orm("title", "    note: Optional[str] = None\n"));
  const answer = await generateOps(session.bridge, {
    ...params,
    renames: renamesOf(first),
    comparison: first.comparison,
  });
  assert.equal(answer.reused, undefined, "compared again");
});

test("an unknown token is a fresh comparison", async () => {
  const { params } = await snapshot(orm("title"));
  const answer = await generateOps(session.bridge, { ...params, renames: [], comparison: "not-a-token" });
  assert.equal(answer.reused, undefined);
  assert.ok(answer.comparison && answer.comparison !== "not-a-token");
});
