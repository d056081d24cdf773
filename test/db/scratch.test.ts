// Scratch and template databases on a real embedded server: created, cloned, and always dropped,
// including when the process is interrupted or crashes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { connect, withClient } from "../../src/db/connect.js";
import { createScratchDatabase, withScratchDatabase } from "../../src/db/scratch.js";
import {
  cloneTemplate,
  createTemplateFrom,
  pruneTemplates,
  templateExists,
  templateName,
} from "../../src/db/templates.js";
import { tracked } from "../../src/db/cleanup.js";
import { spareName } from "../../src/db/identifiers.js";
import { isMigrakitError } from "../../src/errors/index.js";
import { ownDatabases, startTestPostgres, type TestPostgres } from "../helpers/postgres.js";

const DB_MODULE = fileURLToPath(new URL("../../src/db/index.js", import.meta.url));
let pg: TestPostgres;
before(async () => {
  pg = await startTestPostgres();
});
after(async () => {
  await pg.stop();
});

async function exists(name: string): Promise<boolean> {
  return (await ownDatabases(pg.adminUrl)).includes(name);
}

test("a scratch database is created, usable through its URL, and gone after drop()", async () => {
  const db = await createScratchDatabase(pg.adminUrl);
  assert.match(db.name, /^migrakit_[0-9a-f]{16}$/);
  assert.ok(tracked().includes(db.name));
  const current = await withClient(
    db.url,
    async (c) => (await c.query<{ d: string }>("SELECT current_database() AS d")).rows[0]!.d,
  );
  assert.equal(current, db.name);
  // A session still open does not keep drop() from working.
  const straggler = await connect(db.url);
  await db.drop();
  await straggler.end().catch(() => {});
  assert.equal(await exists(db.name), false);
  assert.ok(!tracked().includes(db.name));
  await db.drop(); // idempotent
});

test("withScratchDatabase drops the database when the work fails, and reports the work's error", async () => {
  let name = "";
  await assert.rejects(
    withScratchDatabase(pg.adminUrl, async (db) => {
      name = db.name;
      await withClient(db.url, (c) => c.query("CREATE TABLE t (id int)"));
      throw new Error("the check failed");
    }),
    /the check failed/,
  );
  assert.ok(name);
  assert.equal(await exists(name), false);
  assert.equal(await withScratchDatabase(pg.adminUrl, async () => 42), 42);
});

interface ScratchChild {
  child: ChildProcess;
  /** The scratch database's name, once the child has created it. */
  name: Promise<string>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** A child process that creates a scratch database, prints its name, then runs `then`. */
function childWithScratch(then: string): ScratchChild {
  const code = `
    const { createScratchDatabase } = await import(${JSON.stringify(DB_MODULE)});
    const db = await createScratchDatabase(${JSON.stringify(pg.adminUrl)});
    process.stdout.write(db.name + "\\n");
    ${then}`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let stderr = "";
  child.stderr!.on("data", (c) => (stderr += c));
  const name = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (c) => {
      out += c;
      if (out.includes("\n")) resolve(out.trim());
    });
    child.on("close", () => reject(new Error(`child ended before creating a database: ${stderr}`)));
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, name, done };
}

test("SIGINT during a run: the scratch database is dropped and the process ends by the signal", async () => {
  const run = childWithScratch("setInterval(() => {}, 1000);");
  const name = await run.name;
  assert.ok(await exists(name));
  run.child.kill("SIGINT");
  const result = await run.done;
  assert.equal(result.signal, "SIGINT", result.stderr);
  assert.equal(await exists(name), false);
});

test("SIGTERM, an uncaught error, an unhandled rejection or process.exit(): the scratch database is dropped", async () => {
  const term = childWithScratch("setInterval(() => {}, 1000);");
  const termName = await term.name;
  term.child.kill("SIGTERM");
  assert.equal((await term.done).signal, "SIGTERM");
  assert.equal(await exists(termName), false);

  const thrown = childWithScratch("setTimeout(() => { throw new Error('boom'); }, 10);");
  const thrownResult = await thrown.done;
  assert.equal(thrownResult.code, 1);
  assert.match(thrownResult.stderr, /boom/, "the error is still reported as usual");
  assert.equal(await exists(await thrown.name), false);

  const rejected = childWithScratch("Promise.reject(new Error('nope'));");
  assert.equal((await rejected.done).code, 1);
  assert.equal(await exists(await rejected.name), false);

  const exited = childWithScratch("process.exit(7);");
  assert.equal((await exited.done).code, 7);
  assert.equal(await exists(await exited.name), false);
});

test("a template built from a scratch database is cloned with its content, and pruned to the newest", async () => {
  const key = "testpkg_" + "a".repeat(12);
  assert.equal(await templateExists(pg.adminUrl, key), false);
  const built = await createScratchDatabase(pg.adminUrl);
  await withClient(built.url, async (c) => {
    await c.query("CREATE SCHEMA core; CREATE TABLE core.thing (id serial PRIMARY KEY, name text NOT NULL)");
    await c.query("INSERT INTO core.thing (name) VALUES ('kept')");
  });
  // A session left open on the built database must not stop it from becoming the template.
  const straggler = await connect(built.url);
  const tpl = await createTemplateFrom(pg.adminUrl, built.name, key);
  await straggler.end().catch(() => {});
  assert.equal(tpl, templateName(key));
  assert.ok(await templateExists(pg.adminUrl, key));
  assert.ok(!tracked().includes(built.name), "a template is not dropped at exit");
  await built.drop(); // the old name is gone; dropping it is a no-op

  const clone = await cloneTemplate(pg.adminUrl, key);
  try {
    const rows = await withClient(
      clone.url,
      async (c) => (await c.query<{ name: string }>("SELECT name FROM core.thing")).rows,
    );
    assert.deepEqual(rows, [{ name: "kept" }]);
  } finally {
    await clone.drop();
  }

  // A second build of the same key (another run was slower): the existing template stays.
  const dup = await createScratchDatabase(pg.adminUrl);
  assert.equal(await createTemplateFrom(pg.adminUrl, dup.name, key), tpl);
  assert.equal(await exists(dup.name), false);

  // Newer templates of the same prefix push the oldest out.
  for (const n of ["b", "c", "d"]) {
    const db = await createScratchDatabase(pg.adminUrl);
    await createTemplateFrom(pg.adminUrl, db.name, "testpkg_" + n.repeat(12), { keep: 3 });
  }
  const templates = (await ownDatabases(pg.adminUrl)).filter((n) => n.startsWith("migrakit_tpl_testpkg_"));
  assert.deepEqual(
    templates,
    ["b", "c", "d"].map((n) => templateName("testpkg_" + n.repeat(12))),
  );

  await assert.rejects(cloneTemplate(pg.adminUrl, "testpkg_" + "a".repeat(12)), (e: unknown) => {
    assert.ok(isMigrakitError(e));
    assert.equal(e.code, "EMIGRAKIT_TEMPLATE_MISSING");
    return true;
  });
  assert.equal((await pruneTemplates(pg.adminUrl, { keep: 0 })).length, 3);
});

test("each clone leaves a spare, which the next clone of that template takes; never one of another template", async () => {
  const oid = (name: string) =>
    withClient(
      pg.adminUrl,
      async (c) =>
        (await c.query<{ oid: string }>("SELECT oid::text FROM pg_database WHERE datname = $1", [name])).rows[0]?.oid,
    );
  const tables = (url: string) =>
    withClient(
      url,
      async (c) =>
        (await c.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'core'")).rows,
    );
  const template = async (key: string, table: string) => {
    const built = await createScratchDatabase(pg.adminUrl);
    await withClient(built.url, (c) => c.query(`CREATE SCHEMA core; CREATE TABLE core.${table} (id int)`));
    return createTemplateFrom(pg.adminUrl, built.name, key);
  };
  const keyA = "spare_" + "a".repeat(12);
  const keyB = "spare_" + "b".repeat(12);
  const spareA = spareName(await template(keyA, "a"));
  const spareB = spareName(await template(keyB, "b"));
  try {
    assert.equal(await exists(spareA), false);
    const first = await cloneTemplate(pg.adminUrl, keyA);
    await first.drop(); // waits for the spare the clone left
    const spareOid = await oid(spareA);
    assert.ok(spareOid, "the first clone left a spare");

    const second = await cloneTemplate(pg.adminUrl, keyA);
    assert.equal(await oid(second.name), spareOid, "the second clone is the spare, renamed");
    assert.deepEqual(await tables(second.url), [{ t: "a" }]);
    assert.ok(tracked().includes(second.name), "a taken spare is dropped at exit like any clone");

    await second.drop(); // waits for the spare it left in turn
    assert.equal(await exists(second.name), false);
    // Template B's clone is B's content, though A's spare is there for the taking; A's spare stays.
    assert.ok(await exists(spareA));
    const other = await cloneTemplate(pg.adminUrl, keyB);
    assert.deepEqual(await tables(other.url), [{ t: "b" }]);
    assert.ok(await exists(spareA), "A's spare was not taken for B");
    await other.drop();
    assert.ok(await exists(spareB), "B's clone left B's spare");
  } finally {
    // A spare goes with its template.
    await pruneTemplates(pg.adminUrl, { prefix: "spare", keep: 0 });
  }
  assert.deepEqual(
    (await ownDatabases(pg.adminUrl)).filter((n) => n.includes("spare_")),
    [],
  );
});

test("a session on the template: the clone waits for it to end, or says who blocks it (EMIGRAKIT_TEMPLATE_BUSY)", async () => {
  const key = "busy_" + "e".repeat(12);
  const built = await createScratchDatabase(pg.adminUrl);
  const tpl = await createTemplateFrom(pg.adminUrl, built.name, key);
  // Someone opened the template for connections and is connected: "source database is being accessed by other users".
  await withClient(pg.adminUrl, (c) => c.query(`ALTER DATABASE "${tpl}" ALLOW_CONNECTIONS true`));
  const tplUrl = new URL(pg.adminUrl);
  tplUrl.pathname = "/" + tpl;
  const session = await connect(tplUrl.toString());
  try {
    await assert.rejects(cloneTemplate(pg.adminUrl, key, { busyTimeoutMs: 300 }), (e: unknown) => {
      assert.ok(isMigrakitError(e));
      assert.equal(e.code, "EMIGRAKIT_TEMPLATE_BUSY");
      assert.match(e.message, /being accessed by other users/);
      return true;
    });
    setTimeout(() => void session.end(), 300);
    const clone = await cloneTemplate(pg.adminUrl, key);
    await clone.drop();
  } finally {
    await session.end().catch(() => {});
    await pruneTemplates(pg.adminUrl, { prefix: "busy", keep: 0 });
  }
});
