import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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
  const e = new MigrakitError("EMIGRAKIT_CONFIG_INVALID", { source: "x", key: "database", value: "postgresql://me:s3cr3t@db.example/prod", expected: "a URL" });
  assert.ok(!e.message.includes("s3cr3t"));
  assert.match(e.message, /me:\*\*\*@db\.example/);
});
