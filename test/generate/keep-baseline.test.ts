// generate hands its untouched baseline database to the check (the hook's path): on a real repo, real
// Python and a real Postgres, the check on that database says exactly what a check on a fresh clone says,
// and the database is gone afterwards.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.js";
import { generateKeepingBaseline } from "../../src/generate/generate.js";
import { openSession, type Session } from "../../src/generate/session.js";
import { verify } from "../../src/generate/verify.js";
import { writeFiles } from "../../src/generate/write-files.js";
import { readSchemaRepo } from "../../src/model/repo.js";
import { pruneTemplates } from "../../src/db/templates.js";
import { ownDatabases, startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { REPO_ROOT } from "../helpers/python.js";
import { addItemColumn, CREATE_ITEM, itemOrm, makeItemRepo } from "../helpers/item-repo.js";
import type { TempRepo } from "../helpers/schema-repo.js";

const PYTHON = join(REPO_ROOT, ".venvs/current/bin/python");

const orm = (extra = "") => itemOrm("c0", extra);

let pg: TestPostgres;
let repo: TempRepo;
let session: Session;

before(async () => {
  pg = await startTestPostgres();
  repo = makeItemRepo({
    column: "c0",
    init: { version: "0.1.0", migration: "a00000000001" },
    scripts: [
      { revision: "a00000000000", down: null, slug: "v0_1_0", ...CREATE_ITEM },
      { revision: "a00000000001", down: "a00000000000", slug: "v0_1_0", ...addItemColumn("c0") },
    ],
    tag: "v0.1.0",
  });
  const env = { ...process.env, MIGRAKIT_DATABASE_URL: pg.adminUrl, MIGRAKIT_PYTHON: PYTHON, CI: "true" };
  session = await openSession({
    cwd: repo.dir,
    env,
    config: await loadConfig({ cwd: repo.dir, env }),
    fastClose: true,
  });
});

after(async () => {
  await session?.close();
  repo?.cleanup();
  await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
});

const scratch = async () =>
  (await ownDatabases(pg.adminUrl)).filter((n) => !n.startsWith("migrakit_tpl_") && !n.startsWith("migrakit_spr_"));

test("a new script's check runs on generate's baseline and finds what a fresh clone finds", async () => {
  repo.write("lnschema_demo/_core.py", orm("    extra: Optional[str] = None\n"));
  const { outcome, baseline } = await generateKeepingBaseline(
    session,
    await readSchemaRepo(repo.dir, "lnschema_demo"),
    { today: "2024-01-02", newRevision: () => "b00000000000" },
  );
  assert.equal(outcome.kind, "written");
  assert.ok(baseline?.untouched, "the new script's parent is the baseline's start: its database is handed back");
  assert.equal(baseline.untouched.start, "a00000000001");
  try {
    if (outcome.kind !== "written") return;
    writeFiles(repo.dir, outcome.writes);
    const written = await readSchemaRepo(repo.dir, "lnschema_demo");
    const reused = await verify(session, written, { baseline: baseline.untouched });
    assert.deepEqual(reused, await verify(session, written));
    assert.deepEqual(
      reused.filter((f) => f.severity === "error"),
      [],
    );
    assert.deepEqual(await scratch(), [], "the check dropped the database it took over");
  } finally {
    await baseline.dispose();
  }
  assert.deepEqual(await scratch(), []);
});
