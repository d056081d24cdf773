// URL mode against a real server (the embedded one, addressed by URL): it works, and every failure is an
// exit-3 error that never shows the password.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { getScratchServer } from "../../src/db/server.js";
import { withClient } from "../../src/db/connect.js";
import { createScratchDatabase, withScratchDatabase } from "../../src/db/scratch.js";
import { isMigrakitError, type MigrakitError } from "../../src/errors/index.js";
import { freePort } from "../../src/db/free-port.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";

let pg: TestPostgres;
let port: string;
before(async () => {
  pg = await startTestPostgres();
  port = new URL(pg.adminUrl).port;
  // A role that may log in but not create databases, as on a locked-down shared server.
  await withClient(pg.adminUrl, (c) => c.query("CREATE ROLE app LOGIN PASSWORD 'apppassword' NOCREATEDB"));
});
after(async () => {
  await pg.stop();
});

const env = { CI: "" };

function expectError(code: string, secret: string) {
  return (e: unknown) => {
    assert.ok(isMigrakitError(e), String(e));
    const err = e as MigrakitError;
    assert.equal(err.code, code, err.message);
    assert.equal(err.exitCode, 3);
    assert.ok(!`${err.message}\n${err.fix}\n${JSON.stringify(err.details)}`.includes(secret), err.message);
    return true;
  };
}

test("a Postgres URL is used as it is: kind url, its version, release() leaves the server alone", async () => {
  const server = await getScratchServer({ database: pg.adminUrl, env });
  assert.equal(server.kind, "url");
  assert.equal(server.serverVersion, pg.serverVersion);
  await withScratchDatabase(server.adminUrl, async (db) => {
    assert.equal(new URL(db.url).port, port);
  });
  await server.release();
  assert.equal((await getScratchServer({ database: pg.adminUrl, env })).kind, "url", "still reachable");
});

test("MIGRAKIT_DATABASE_URL overrides the configured database, SQLAlchemy schemes included", async () => {
  const sqlalchemyUrl = pg.adminUrl.replace(/^postgresql:/, "postgresql+psycopg2:");
  const server = await getScratchServer({
    database: "embedded",
    env: { ...env, MIGRAKIT_DATABASE_URL: sqlalchemyUrl },
  });
  assert.equal(server.kind, "url");
  assert.match(server.adminUrl, /^postgresql:\/\//);
});

test("a wrong password: EMIGRAKIT_DB_AUTH, exit 3, the password nowhere", async () => {
  const url = `postgres://postgres:secret@127.0.0.1:${port}/postgres`;
  await assert.rejects(getScratchServer({ database: url, env }), (e: unknown) => {
    expectError("EMIGRAKIT_DB_AUTH", "secret")(e);
    assert.match((e as Error).message, /postgres@127\.0\.0\.1/);
    return true;
  });
  await assert.rejects(createScratchDatabase(url), expectError("EMIGRAKIT_DB_AUTH", "secret"));
});

test("nobody listening: EMIGRAKIT_DB_UNREACHABLE, exit 3, the password nowhere", async () => {
  const url = `postgres://postgres:secret@127.0.0.1:${await freePort()}/postgres`;
  await assert.rejects(getScratchServer({ database: url, env }), expectError("EMIGRAKIT_DB_UNREACHABLE", "secret"));
});

test("a database that does not exist: EMIGRAKIT_DB_MISSING", async () => {
  const url = pg.adminUrl.replace(/\/postgres$/, "/nosuchdb");
  const password = decodeURIComponent(new URL(pg.adminUrl).password);
  await assert.rejects(getScratchServer({ database: url, env }), expectError("EMIGRAKIT_DB_MISSING", password));
});

test("a role that may not create databases: EMIGRAKIT_DB_PERMISSION with the fix, nothing created", async () => {
  const url = `postgresql://app:apppassword@127.0.0.1:${port}/postgres`;
  const server = await getScratchServer({ database: url, env });
  await assert.rejects(createScratchDatabase(server.adminUrl), (e: unknown) => {
    expectError("EMIGRAKIT_DB_PERMISSION", "apppassword")(e);
    assert.match((e as MigrakitError).fix, /ALTER ROLE app CREATEDB/);
    return true;
  });
});

test("anything but embedded or a URL is a configuration error (exit 2)", async () => {
  await assert.rejects(getScratchServer({ database: "mysql://x:secret@h/db", env }), (e: unknown) => {
    assert.ok(isMigrakitError(e));
    assert.equal(e.exitCode, 2);
    assert.ok(!e.message.includes("secret"));
    return true;
  });
});
