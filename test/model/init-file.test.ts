import { test } from "node:test";
import assert from "node:assert/strict";
import { parseInitFile, rewriteAssignment, setInitValue } from "../../src/model/init-file.js";
import { MigrakitError } from "../../src/errors/index.js";

const SEED = `"""lnschema_core."""
from ._core import Transform  # noqa

_schema_id = "yvzi"
_migration = "dd2b4a9499f2"
__version__ = "0.28.6"  # denote a release candidate with rc
`;

test("reads the seed's __init__.py", () => {
  const p = parseInitFile(SEED);
  assert.equal(p.migration?.value, "dd2b4a9499f2");
  assert.equal(p.version?.value, "0.28.6");
  assert.equal(p.schemaId?.value, "yvzi");
  assert.deepEqual(p.unreadable, []);
  assert.equal(p.syntaxError, null);
  assert.equal(SEED.slice(p.version!.start, p.version!.end), '"0.28.6"');
  assert.equal(p.version!.line, 6);
  assert.equal(p.migration!.quote, '"');
});

test("every quote and annotation form", () => {
  const forms: [string, string | null, string][] = [
    [`_migration = 'abc'`, "abc", "'"],
    [`_migration = "abc"`, "abc", '"'],
    [`_migration = """abc"""`, "abc", '"""'],
    [`_migration = '''abc'''`, "abc", "'''"],
    [`_migration = r"abc"`, "abc", '"'],
    [`_migration = u'abc'`, "abc", "'"],
    [`_migration: str = "abc"`, "abc", '"'],
    [`_migration: Optional[str] = 'abc'  # head`, "abc", "'"],
    [`_migration: "str | None" = None`, null, ""],
    [`_migration = None`, null, ""],
    [`_migration = None  # no migration yet`, null, ""],
    [`_migration=("abc")`, "abc", '"'],
    [`x = 1; _migration = "abc"; y = 2`, "abc", '"'],
    [`_migration = other = "abc"`, "abc", '"'],
    [`_migration = \\\n    "abc"`, "abc", '"'],
    [`_migration = "a\\x62c"`, "a\\x62c", '"'],
    [`_migration = "a\\"c"`, 'a"c', '"'],
  ];
  for (const [src, value, quote] of forms) {
    const p = parseInitFile(src + "\n");
    assert.ok(p.migration, src);
    assert.equal(p.migration.value, value, src);
    assert.equal(p.migration.quote, value === null ? null : quote, src);
    assert.deepEqual(p.unreadable, [], src);
  }
});

test("non-literal values are unreadable", () => {
  const forms = [
    `__version__ = get_version()`,
    `__version__ = "0." + "1"`,
    `__version__ = "0." "1"`,
    `__version__ = f"{x}"`,
    `__version__ = b"1.0"`,
    `__version__ = VERSION`,
    `__version__ = None`,
    `__version__ += ".dev"`,
    `__version__, _x = "1", 2`,
    `__version__ = ["1.0"]`,
  ];
  for (const src of forms) {
    const p = parseInitFile(`"""doc."""\n${src}\n`);
    assert.equal(p.version, undefined, src);
    assert.deepEqual(p.unreadable, [{ name: "__version__", line: 2 }], src);
  }
});

test("the last assignment wins, as when Python runs the module", () => {
  assert.equal(parseInitFile(`__version__ = "1"\n__version__ = "2"\n`).version?.value, "2");
  const p = parseInitFile(`__version__ = "1"\n__version__ = compute()\n`);
  assert.equal(p.version, undefined);
  assert.deepEqual(p.unreadable, [{ name: "__version__", line: 2 }]);
  assert.equal(parseInitFile(`__version__ = compute()\n__version__ = "3"\n`).version?.value, "3");
});

test("assignments in functions, classes, strings and comments are ignored; module-level blocks are unreadable", () => {
  const src = [
    `"""Docs: _migration = "nope" """`,
    `# _migration = "comment"`,
    `def f():`,
    `    _migration = "in function"`,
    `    if x:`,
    `        __version__ = "deep"`,
    `class C:`,
    `    _schema_id = "in class"`,
    `    def g(self):`,
    `        pass`,
    `s = """`,
    `_migration = "in string"`,
    `"""`,
    `x = dict(_migration="keyword")`,
    `_migration = "real"`,
    `if TYPE_CHECKING:`,
    `    _schema_id = "conditional"`,
    `@decorator`,
    `async def h():`,
    `    __version__ = "async"`,
    ``,
  ].join("\n");
  const p = parseInitFile(src);
  assert.equal(p.migration?.value, "real");
  assert.equal(p.migration?.line, 15);
  assert.equal(p.version, undefined);
  assert.equal(p.schemaId, undefined);
  assert.deepEqual(p.unreadable, [{ name: "_schema_id", line: 17 }]);
});

test("CRLF and BOM survive a rewrite: only the value's bytes change", () => {
  const src = "\uFEFF# header comment\r\n_migration = 'abc'  # head\r\n__version__: str = \"0.1.0\"\r\n";
  const p = parseInitFile(src);
  assert.equal(p.migration?.value, "abc");
  assert.equal(p.migration?.line, 2);
  const out = rewriteAssignment(src, p.migration!, "def012345678");
  assert.equal(
    out,
    "\uFEFF# header comment\r\n_migration = 'def012345678'  # head\r\n__version__: str = \"0.1.0\"\r\n",
  );
  const out2 = rewriteAssignment(out, parseInitFile(out).version!, "1.0.0");
  assert.equal(
    out2,
    "\uFEFF# header comment\r\n_migration = 'def012345678'  # head\r\n__version__: str = \"1.0.0\"\r\n",
  );
});

test("rewriteAssignment: None ↔ string, quote styles and prefixes", () => {
  const none = "_migration = None  # x\n";
  assert.equal(rewriteAssignment(none, parseInitFile(none).migration!, "abc"), '_migration = "abc"  # x\n');
  const str = "_migration = '''abc'''\n";
  assert.equal(rewriteAssignment(str, parseInitFile(str).migration!, null), "_migration = None\n");
  assert.equal(rewriteAssignment(str, parseInitFile(str).migration!, "d"), "_migration = '''d'''\n");
  const raw = "_migration = r'abc'\n";
  assert.equal(rewriteAssignment(raw, parseInitFile(raw).migration!, "d"), "_migration = r'd'\n");
  assert.equal(rewriteAssignment(raw, parseInitFile(raw).migration!, "it's"), "_migration = 'it\\'s'\n");
  const paren = "_migration = ('abc')\n";
  assert.equal(rewriteAssignment(paren, parseInitFile(paren).migration!, "d"), "_migration = ('d')\n");
});

test("setInitValue rewrites a present value", () => {
  assert.equal(setInitValue(SEED, "__version__", "1.0.0"), SEED.replace('"0.28.6"', '"1.0.0"'));
  assert.equal(setInitValue(SEED, "_migration", null), SEED.replace('"dd2b4a9499f2"', "None"));
});

test("setInitValue inserts after the last of the three values", () => {
  const src = '"""Doc."""\n_migration = None\nfrom x import y\n\n\ndef f():\n    pass\n';
  assert.equal(
    setInitValue(src, "__version__", "0.1.0"),
    '"""Doc."""\n_migration = None\n__version__ = "0.1.0"\nfrom x import y\n\n\ndef f():\n    pass\n',
  );
});

test("setInitValue inserts after the docstring and imports, keeping CRLF", () => {
  const src = '"""Doc.\r\n\r\nMore."""\r\nfrom __future__ import annotations\r\nimport os  # noqa\r\n\r\nX = 1\r\n';
  const out = setInitValue(src, "_migration", "abc");
  assert.equal(
    out,
    '"""Doc.\r\n\r\nMore."""\r\nfrom __future__ import annotations\r\nimport os  # noqa\r\n_migration = "abc"\r\n\r\nX = 1\r\n',
  );
  assert.equal(parseInitFile(out).migration?.value, "abc");
});

test("setInitValue appends at the end otherwise", () => {
  assert.equal(setInitValue("X = 1\n", "_schema_id", "yvzi"), 'X = 1\n_schema_id = "yvzi"\n');
  assert.equal(setInitValue("X = 1", "_schema_id", "yvzi"), 'X = 1\n_schema_id = "yvzi"\n');
  assert.equal(setInitValue("", "__version__", "0.0.0"), '__version__ = "0.0.0"\n');
  assert.equal(setInitValue("\uFEFF", "__version__", "0.0.0"), '\uFEFF__version__ = "0.0.0"\n');
  assert.equal(setInitValue("# only a comment\r\n", "_migration", null), "# only a comment\r\n_migration = None\r\n");
});

test("setInitValue refuses to guess over a computed value", () => {
  assert.throws(
    () => setInitValue('__version__ = version("pkg")\n', "__version__", "1.0.0"),
    (e: unknown) => e instanceof MigrakitError && e.code === "EMIGRAKIT_INIT_VALUE_UNREADABLE",
  );
});

test("a syntax error is reported", () => {
  const p = parseInitFile('_migration = "abc\n__version__ = "1.0"\n');
  assert.equal(p.syntaxError?.line, 1);
  assert.match(p.syntaxError!.message, /unterminated string/);
});
