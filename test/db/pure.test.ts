// Pure logic of the db module: names, URLs, state files, template pruning, passwd parsing, error texts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertOwnDatabase, quoteIdent, scratchName, templateName, templatePrefix } from "../../src/db/identifiers.js";
import { databaseOf, encodedUrl, isPostgresUrl, plainUrl, withDatabase } from "../../src/db/url.js";
import { parseState } from "../../src/db/state.js";
import { createdAt, templatesToDrop } from "../../src/db/templates.js";
import { parsePasswd } from "../../src/db/os-user.js";
import { logTail } from "../../src/db/log-tail.js";
import { defaultDataDir, sidecarPaths } from "../../src/db/paths.js";
import { connectionError } from "../../src/db/connect-error.js";
import { hashText, isExcluded, renderSchema, type SchemaSnapshot } from "../../src/db/fingerprint-text.js";
import { isCI } from "../../src/db/server.js";

test("scratch names are migrakit_ and 16 hex digits, all different", () => {
  const names = new Set(Array.from({ length: 100 }, scratchName));
  assert.equal(names.size, 100);
  for (const n of names) assert.match(n, /^migrakit_[0-9a-f]{16}$/);
});

test("identifiers are always quoted, inner quotes doubled", () => {
  assert.equal(quoteIdent("migrakit_x"), '"migrakit_x"');
  assert.equal(quoteIdent('a"b'), '"a""b"');
});

test("template names are clean, bounded and grouped by prefix", () => {
  assert.equal(templateName("mypkg_ab12"), "migrakit_tpl_mypkg_ab12");
  assert.equal(templateName("My-Pkg_AB"), "migrakit_tpl_my_pkg_ab");
  assert.ok(templateName("x".repeat(200)).length <= 63);
  assert.equal(templatePrefix("migrakit_tpl_mypkg_ab12"), "mypkg");
  assert.equal(templatePrefix("migrakit_tpl_ab12"), "");
  assert.throws(() => templateName(""));
});

test("nothing but migrakit databases may be touched", () => {
  assert.throws(() => assertOwnDatabase("postgres"), /refusing/);
  assert.throws(() => assertOwnDatabase("prod"), /refusing/);
  assertOwnDatabase("migrakit_00");
});

test("URLs: SQLAlchemy schemes accepted, database swapped, password kept", () => {
  assert.ok(isPostgresUrl("postgresql+psycopg2://u:p@h/db"));
  assert.ok(isPostgresUrl("postgres://h"));
  assert.ok(!isPostgresUrl("mysql://h"));
  assert.equal(plainUrl("postgresql+psycopg2://u:p@h:5/db"), "postgresql://u:p@h:5/db");
  assert.equal(
    withDatabase("postgres://u:p%40ss@h:5432/postgres?sslmode=disable", "migrakit_1"),
    "postgresql://u:p%40ss@h:5432/migrakit_1?sslmode=disable",
  );
  assert.equal(databaseOf("postgres://u@h/my%20db"), "my db");
});

test("URLs: a password pasted raw is read up to the last @ and percent-encoded; an encoded one is kept", () => {
  const cases: [string, string][] = [
    ["postgresql://u:k3Jx+9/aQw==@h:5/db", "postgresql://u:k3Jx%2B9%2FaQw%3D%3D@h:5/db"],
    ["postgresql://u:p@ss@word@h/db?sslmode=disable", "postgresql://u:p%40ss%40word@h/db?sslmode=disable"],
    ["postgresql://u:a:b:c@h/db", "postgresql://u:a%3Ab%3Ac@h/db"],
    ["postgresql://u:100%sure@h/db", "postgresql://u:100%25sure@h/db"],
    // Percent-encoding of bytes that are no UTF-8 is not an encoding anyone meant: as written.
    ["postgresql://u:%ff%41@h/db", "postgresql://u:%25ff%2541@h/db"],
    ["postgresql://u:hash#tag?x@h/db", "postgresql://u:hash%23tag%3Fx@h/db"],
    ["postgresql://u:two words@h/db", "postgresql://u:two%20words@h/db"],
    ["postgresql://u:pässwörd✓@h/db", "postgresql://u:p%C3%A4ssw%C3%B6rd%E2%9C%93@h/db"],
    ["postgresql://u:@h/db", "postgresql://u:@h/db"],
    ["postgresql://u@h/db", "postgresql://u@h/db"],
    ["postgresql://h/db", "postgresql://h/db"],
    // Already encoded (what the docs of every driver tell users to write): unchanged in meaning.
    ["postgresql://u:p%40ss%2Fw@h/db", "postgresql://u:p%40ss%2Fw@h/db"],
    ["postgresql+psycopg2://my%20user:x@h/db", "postgresql+psycopg2://my%20user:x@h/db"],
  ];
  for (const [written, expected] of cases) {
    assert.equal(encodedUrl(written), expected, written);
    assert.equal(encodedUrl(expected), expected, `idempotent: ${expected}`);
    // node's WHATWG parser (what node-postgres uses) now reads the password as it was meant.
    const u = new URL(expected);
    assert.equal(u.hostname, "h", written);
  }
  assert.equal(decodeURIComponent(new URL(plainUrl("postgresql://u:k3Jx+9/aQw==@h/db")).password), "k3Jx+9/aQw==");
  assert.equal(databaseOf("postgresql://u:a/b#c?d@h/inst"), "inst");
  assert.equal(withDatabase("postgresql://u:a/b#c?d@h/inst", "x"), "postgresql://u:a%2Fb%23c%3Fd@h/x");
});

test("state files: complete ones parse, anything else is no state", () => {
  assert.deepEqual(parseState('{"pid":1,"port":2,"dataDir":"/d","version":"17.9"}'), {
    pid: 1,
    port: 2,
    dataDir: "/d",
    version: "17.9",
  });
  assert.equal(parseState('{"pid":1,"port":2}'), undefined);
  assert.equal(parseState('{"pid":1,'), undefined);
  assert.equal(parseState(""), undefined);
});

test("template pruning keeps the newest per prefix and the one just made", () => {
  const rows = [
    { name: "migrakit_tpl_a_1", created: "2026-01-01", oid: 10 },
    { name: "migrakit_tpl_a_2", created: "2026-01-02", oid: 11 },
    { name: "migrakit_tpl_a_3", created: "2026-01-03", oid: 12 },
    { name: "migrakit_tpl_a_4", created: "", oid: 13 },
    { name: "migrakit_tpl_b_1", created: "2026-01-01", oid: 14 },
  ];
  assert.deepEqual(templatesToDrop(rows, "a", 2, "migrakit_tpl_a_3"), ["migrakit_tpl_a_1", "migrakit_tpl_a_4"]);
  assert.deepEqual(templatesToDrop(rows, "a", 3), ["migrakit_tpl_a_4"]);
  assert.deepEqual(templatesToDrop(rows, undefined, 0).sort(), rows.map((r) => r.name).sort());
  assert.deepEqual(templatesToDrop(rows, undefined, 1).sort(), [
    "migrakit_tpl_a_1",
    "migrakit_tpl_a_2",
    "migrakit_tpl_a_4",
  ]);
  assert.equal(createdAt('migrakit template {"created":"2026-01-01T00:00:00Z"}'), "2026-01-01T00:00:00Z");
  assert.equal(createdAt("something else"), "");
  assert.equal(createdAt(null), "");
});

test("passwd parsing finds the user and its ids", () => {
  const text = "root:x:0:0:root:/root:/bin/bash\npostgres:x:101:104:PostgreSQL:/var/lib/postgresql:/bin/bash\n";
  assert.deepEqual(parsePasswd(text, "postgres"), { name: "postgres", uid: 101, gid: 104 });
  assert.equal(parsePasswd(text, "nobody"), undefined);
});

test("log tails fit on one line", () => {
  assert.equal(logTail("a\n\nb\n  c  \nd\ne\nf\n", 3), "d | e | f");
});

test("data folders: XDG cache, ~/.cache, /var/tmp when running as another user; sidecars next to it", () => {
  assert.equal(defaultDataDir({ env: { XDG_CACHE_HOME: "/x" }, home: "/h", major: 17 }), "/x/migrakit/pg-17");
  assert.equal(defaultDataDir({ env: {}, home: "/h", major: 17 }), "/h/.cache/migrakit/pg-17");
  assert.equal(
    defaultDataDir({ env: { XDG_CACHE_HOME: "/root/.c" }, home: "/root", major: 17, runAsUser: "postgres" }),
    "/var/tmp/migrakit-postgres/pg-17",
  );
  assert.deepEqual(sidecarPaths("/d/pg-17"), {
    dataDir: "/d/pg-17",
    stateFile: "/d/pg-17.json",
    lockFile: "/d/pg-17.lock",
    logFile: "/d/pg-17.log",
    passwordFile: "/d/pg-17.password",
  });
});

test("connection errors never carry the password, even when the driver echoes it", () => {
  const url = "postgres://me:hunter2secret@db.example:5432/postgres";
  const auth = connectionError({ code: "28P01", message: 'password authentication failed for user "me"' }, url);
  assert.equal(auth.code, "EMIGRAKIT_DB_AUTH");
  assert.equal(auth.exitCode, 3);
  const echoed = connectionError({ code: "ECONNREFUSED", message: `connect to ${url} failed; pw hunter2secret` }, url);
  assert.equal(echoed.code, "EMIGRAKIT_DB_UNREACHABLE");
  for (const e of [auth, echoed]) {
    assert.ok(!`${e.message} ${e.fix}`.includes("hunter2secret"), e.message);
    assert.match(e.message, /at me@db\.example:5432\/postgres/, "the server is named from the URL's parts");
  }
  assert.equal(
    connectionError({ code: "3D000", message: "database x does not exist" }, url).code,
    "EMIGRAKIT_DB_MISSING",
  );
});

test("schema text is canonical: creation order does not matter, content does", () => {
  const a: SchemaSnapshot = {
    schemas: ["public", "core"],
    relations: [
      { schema: "core", name: "b", kind: "r" },
      { schema: "core", name: "a", kind: "r" },
    ],
    columns: [
      {
        schema: "core",
        table: "a",
        name: "y",
        type: "integer",
        notNull: false,
        default: null,
        identity: "",
        generated: "",
      },
      {
        schema: "core",
        table: "a",
        name: "x",
        type: "text",
        notNull: true,
        default: "'z'::text",
        identity: "",
        generated: "",
      },
    ],
    constraints: [{ schema: "core", table: "a", name: "a_pkey", type: "p", definition: "PRIMARY KEY (x)" }],
    indexes: [
      {
        schema: "core",
        table: "a",
        name: "a_pkey",
        definition: "CREATE UNIQUE INDEX a_pkey ON core.a USING btree (x)",
      },
    ],
    sequences: [],
    enums: [{ schema: "core", name: "mood", labels: ["sad", "ok"] }],
  };
  const b: SchemaSnapshot = {
    ...a,
    schemas: ["core", "public"],
    relations: [...a.relations].reverse(),
    columns: [...a.columns].reverse(),
  };
  assert.equal(renderSchema(a), renderSchema(b));
  assert.match(renderSchema(a), /^ {2}column x text not null default 'z'::text$/m);
  const c: SchemaSnapshot = { ...a, enums: [{ schema: "core", name: "mood", labels: ["ok", "sad"] }] };
  assert.notEqual(hashText(renderSchema(a)), hashText(renderSchema(c)));
  assert.ok(isExcluded("core", "alembic_version", ["alembic_version"]));
  assert.ok(isExcluded("core", "v", ["core.v"]));
  assert.ok(!isExcluded("public", "v", ["core.v"]));
});

test("CI is recognised from CI=true or CI=1", () => {
  assert.ok(isCI({ CI: "true" }));
  assert.ok(isCI({ CI: "1" }));
  assert.ok(!isCI({}));
  assert.ok(!isCI({ CI: "false" }));
});
