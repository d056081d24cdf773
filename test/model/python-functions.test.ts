// The one reader of function bodies (src/model/python-functions.ts): the edges where reading lines by regex
// went wrong — SQL at column 0 inside a string, a `def` inside a docstring, multi-line signatures, one-line
// bodies, comments after the body, CRLF.
import { test } from "node:test";
import assert from "node:assert/strict";
import { findFunction, isEmptyBody, moduleFunctions } from "../../src/model/python-functions.js";
import { isEmptyFunction, functionLine } from "../../src/checks/dynamic/script-body.js";
import { functionSpan } from "../../src/generate/script-text.js";

const body = (src: string, name: string) => {
  const fn = findFunction(src, name)!;
  return src.slice(fn.start, fn.end);
};

test("a body runs to the next module-level statement, whatever its strings hold at column 0", () => {
  const src =
    'def upgrade():\n    op.execute("""\nUPDATE t SET x = 1;\n# not a comment\n""")\n    op.drop_table("t")\n\n\ndef downgrade():\n    pass\n';
  assert.equal(
    body(src, "upgrade"),
    '    op.execute("""\nUPDATE t SET x = 1;\n# not a comment\n""")\n    op.drop_table("t")\n',
  );
  assert.equal(body(src, "downgrade"), "    pass\n");
  assert.deepEqual(functionSpan(src, "downgrade"), { start: src.indexOf("    pass"), end: src.length });
});

test("a def inside a docstring or a string is not a function", () => {
  const src = '"""\ndef upgrade():\n    fake\n"""\nx = "def downgrade(): pass"\n\ndef upgrade():\n    real()\n';
  assert.equal(findFunction(src, "downgrade"), null);
  assert.equal(findFunction(src, "upgrade")!.line, 7);
  assert.equal(body(src, "upgrade"), "    real()\n");
});

test("multi-line signatures, return annotations and comments after the colon", () => {
  const src = "def upgrade(\n    a: int = 1,\n) -> None:  # the upgrade\n    op.x()\n";
  assert.equal(body(src, "upgrade"), "    op.x()\n");
  assert.equal(findFunction(src, "upgrade")!.line, 1);
});

test("indented comments belong to the body; trailing blank lines and column-0 comments do not", () => {
  const src =
    "def upgrade():\n    op.x()\n    # ### end Alembic commands ###\n\n# module comment\n\ndef downgrade():\n    pass\n";
  assert.equal(body(src, "upgrade"), "    op.x()\n    # ### end Alembic commands ###\n");
});

test("one-line bodies, async defs, CRLF, and the last definition winning", () => {
  const src = "def downgrade() -> None: pass\r\nasync def upgrade():\r\n    await x()\r\n";
  assert.equal(isEmptyFunction(src, "downgrade"), true);
  assert.equal(body(src, "upgrade"), "    await x()\r\n");
  const twice = "def f():\n    one()\n\ndef f():\n    pass\n";
  assert.equal(isEmptyBody(twice, moduleFunctions(twice).get("f")!), true);
});

test("empty means only pass, ..., or a docstring", () => {
  const shapes: [string, boolean][] = [
    ["    pass\n", true],
    ["    ...\n", true],
    ['    """Nothing to undo."""\n', true],
    ['    """Nothing\n    to undo."""\n    pass\n', true],
    ["    # only a comment\n    pass\n", true],
    ['    op.drop_table("t")\n', false],
    ["    pass; op.x()\n", false],
  ];
  for (const [b, empty] of shapes) assert.equal(isEmptyFunction(`def downgrade():\n${b}`, "downgrade"), empty, b);
  assert.equal(isEmptyFunction("x = 1\n", "downgrade"), false);
  assert.equal(functionLine("x = 1\n\ndef downgrade():\n    pass\n", "downgrade"), 3);
});
