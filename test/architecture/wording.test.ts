// Issue 17 item 13: one word for a script and one prefix, in what users read. The file is a "script" (docs/spec.md
// §1), "revision" is only its id; the catalogue's texts are printed as `error CODE: …` / `fix: …`, so none starts
// with migrakit's own `migrakit:` progress prefix. And a new script quotes `revision` and `down_revision` alike,
// whatever mix its template renders. Pure: the catalogue's functions and the script finisher, no Python.
import { test } from "node:test";
import assert from "node:assert/strict";
import { catalogue, type Details } from "../../src/errors/index.js";
import { doubleQuotedRevisions, finishNewScript } from "../../src/generate/script-text.js";

/** Details whose every value is its own name in angle brackets, as docs/errors.md renders them. */
const placeholders = new Proxy({} as Details, { get: (_, key) => (typeof key === "string" ? `<${key}>` : undefined) });

/** What contains "migration" and means something else: placeholders, `_migration`, the folders, version tables. */
const ALLOWED = /<\w+>|_migration\b|\bmigrations\/versions\b|\bmigration_\w*|`migrations`|\bEMIGRAKIT_\w+/g;
const OTHER_WORD = /\bmigrations?\b/i;

const texts = () =>
  Object.entries(catalogue).flatMap(([code, def]) => [
    { code, part: "title", text: def.title },
    { code, part: "message", text: def.message(placeholders) },
    { code, part: "fix", text: def.fix(placeholders) },
  ]);

test("the catalogue calls a script a script: no 'migration' or 'migration script' for the file", () => {
  const mixed = texts().filter((t) => OTHER_WORD.test(t.text.replace(ALLOWED, "")));
  assert.deepEqual(
    mixed.map((t) => `${t.code} ${t.part}: ${t.text}`),
    [],
    "say `script` for the file (docs/spec.md), `revision` for its id",
  );
});

test("no catalogue text carries the `migrakit:` prefix: errors print as `error CODE:`", () => {
  const prefixed = texts().filter((t) => /^\s*migrakit:/.test(t.text));
  assert.deepEqual(
    prefixed.map((t) => `${t.code} ${t.part}: ${t.text}`),
    [],
  );
});

test("the word check itself: it catches the mixed words and lets the names through", () => {
  for (const bad of ["Deploying 2 migration(s)", "A migration script failed", "The ORM and the migrations disagree"])
    assert.ok(OTHER_WORD.test(bad.replace(ALLOWED, "")), bad);
  for (const fine of ["set `_migration` to the head", "no migrations/versions folder", "table migration_demo"])
    assert.ok(!OTHER_WORD.test(fine.replace(ALLOWED, "")), fine);
});

// What a template like `revision = "${up_revision}"` + `down_revision = ${repr(down_revision)}` renders.
const rendered = (down: string) =>
  `"""\${message}"""\nfrom alembic import op\n\nrevision = "0123456789ab"\ndown_revision = ${down}\nbranch_labels = None\n\n\ndef upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n`;

test("a new script quotes revision and down_revision alike (double quotes, as docs/spec.md writes them)", () => {
  const text = finishNewScript(rendered("'dd2b4a9499f2'"), { imports: [] });
  assert.match(text, /^revision = "0123456789ab"$/m);
  assert.match(text, /^down_revision = "dd2b4a9499f2"$/m);
  assert.match(finishNewScript(rendered("None"), { imports: [] }), /^down_revision = None$/m);
});

test("only plain module-level revision strings are requoted", () => {
  assert.equal(doubleQuotedRevisions("revision = 'a1'  # id\n"), 'revision = "a1"  # id\n');
  assert.equal(doubleQuotedRevisions("revision: str = 'a1'\r\n"), 'revision: str = "a1"\r\n');
  assert.equal(doubleQuotedRevisions("down_revision = ('a', 'b')\n"), "down_revision = ('a', 'b')\n");
  assert.equal(doubleQuotedRevisions("    revision = 'x'\n"), "    revision = 'x'\n", "not inside a function");
  assert.equal(doubleQuotedRevisions("my_revision = 'x'\n"), "my_revision = 'x'\n");
});
