import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { catalogue, MigrakitError, type ErrorCode } from "../../src/errors/index.js";
import { renderErrorDocs } from "../../src/errors/docs.js";

test("docs/errors.md is generated from the catalogue (run `npm run docs:errors` after changing a code)", () => {
  const docs = readFileSync(new URL("../../../docs/errors.md", import.meta.url), "utf8");
  assert.equal(docs, renderErrorDocs());
});

test("every code has a message, a fix and an exit code of docs/spec.md §4", () => {
  for (const [code, def] of Object.entries(catalogue)) {
    assert.match(code, /^EMIGRAKIT_[A-Z0-9_]+$/);
    assert.ok([1, 2, 3, 4].includes(def.exit), code);
    const e = new MigrakitError(code as ErrorCode, {});
    assert.ok(e.message.length > 0 && !e.message.includes("\n"), `${code}: one-line message`);
    assert.ok(e.fix.length > 0 && !e.fix.includes("\n"), `${code}: one-line fix`);
  }
});

test("passwords in details never reach a message", () => {
  const e = new MigrakitError("EMIGRAKIT_CONFIG_INVALID", {
    source: "x",
    key: "database",
    value: "postgresql://me:s3cr3t@db.example/prod",
    expected: "a URL",
  });
  assert.ok(!e.message.includes("s3cr3t"));
  assert.match(e.message, /me:\*\*\*@db\.example/);
});

// Every code is provoked by some test, and that test names it. The test files are read as source (test/
// and python/tests/). NOT_YET_NAMED only shrinks: a code listed there that a test names now fails this test
// until it is taken off the list, and a code missing from every test fails it too.
const NOT_YET_NAMED = new Set<string>([]);

function testSources(): string {
  const root = new URL("../../../", import.meta.url);
  const texts: string[] = [];
  const walk = (dir: URL) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (e.name !== "fixtures" && e.name !== "__pycache__") walk(new URL(`${e.name}/`, dir));
      } else if (/\.(ts|py)$/.test(e.name) && !e.name.endsWith(".d.ts"))
        texts.push(readFileSync(new URL(e.name, dir), "utf8"));
    }
  };
  walk(new URL("test/", root));
  walk(new URL("python/tests/", root));
  return texts.join("\n");
}

test("every code of src/errors/codes is named by a test file (the catalogue lists them all)", () => {
  const sources = testSources().replace(/const NOT_YET_NAMED = new Set(?:<string>)?\(\[[^\]]*\]\);/, "");
  const unnamed = Object.keys(catalogue).filter((code) => !new RegExp(`\\b${code}\\b`).test(sources));
  assert.deepEqual(
    unnamed.filter((c) => !NOT_YET_NAMED.has(c)),
    [],
    "codes no test names: provoke each through the CLI in a test",
  );
  assert.deepEqual(
    [...NOT_YET_NAMED].filter((c) => !unnamed.includes(c)),
    [],
    "named by a test now: take these off NOT_YET_NAMED",
  );
  assert.deepEqual(
    [...NOT_YET_NAMED].filter((c) => !(c in catalogue)),
    [],
    "not in the catalogue any more",
  );
});
