import { test } from "node:test";
import assert from "node:assert/strict";
import { headerText, parseScriptSource, rewriteHeader, setDownRevision } from "../../src/model/script-source.js";

const SEED_SCRIPT = `"""vX.X.X."""
from alembic import op
import sqlalchemy as sa  # noqa
import sqlmodel as sqm # noqa

revision = 'dd2b4a9499f2'
down_revision = '8280855a5064'


def upgrade() -> None:
    op.alter_column("notebook", column_name="v", new_column_name="version", schema="core")


def downgrade() -> None:
    pass
`;

const LONG_DOCSTRING = `"""v0.26.2.

Revision ID: 8280855a5064
Revises: 0560ee3d73dc
Create Date: 2023-02-14 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = "8280855a5064"
down_revision: Union[str, None] = "0560ee3d73dc"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.engine.name == "sqlite":
        revision = "not this one"
        return
`;

test("the seed's script", () => {
  const s = parseScriptSource(SEED_SCRIPT);
  assert.deepEqual(s.header, { line: 1, start: 0, end: 13, text: "vX.X.X.", kind: "unreleased", version: null });
  assert.equal(s.revision?.value, "dd2b4a9499f2");
  assert.equal(s.revision?.quote, "'");
  assert.equal(s.revision?.line, 6);
  assert.deepEqual(s.downRevision?.value, ["8280855a5064"]);
  assert.equal(s.syntaxError, null);
});

test("a long docstring whose first line is the header", () => {
  const s = parseScriptSource(LONG_DOCSTRING);
  assert.equal(s.header?.text, "v0.26.2.");
  assert.equal(s.header?.kind, "released");
  assert.equal(s.header?.version, "0.26.2");
  assert.equal(s.revision?.value, "8280855a5064");
  assert.equal(s.revision?.line, 14);
  assert.deepEqual(s.downRevision?.value, ["0560ee3d73dc"]);
});

test("header forms", () => {
  const cases: [string, string | null, string, string | null][] = [
    [`"""v1.0.0."""`, "v1.0.0.", "released", "1.0.0"],
    [`"""v1.0.0"""`, "v1.0.0", "released", "1.0.0"],
    [`'''v0.30rc3.'''`, "v0.30rc3.", "released", "0.30rc3"],
    [`r"""v0.3.3.\nStorage."""`, "v0.3.3.", "released", "0.3.3"],
    [`"""v0.26.2. Add a column."""`, "v0.26.2. Add a column.", "released", "0.26.2"],
    [`"""vX.X.X"""`, "vX.X.X", "unreleased", null],
    [`"vX.X.X."`, "vX.X.X.", "unreleased", null],
    [`"""v2 of the schema."""`, "v2 of the schema.", "other", null],
    [`"""Add a column."""`, "Add a column.", "other", null],
    [`"""\nv1.0.0.\n"""`, "", "other", null],
    [`"""vfoo."""`, "vfoo.", "other", null],
  ];
  for (const [doc, text, kind, version] of cases) {
    const h = parseScriptSource(`${doc}\nrevision = "a"\n`).header;
    assert.equal(h?.text, text, doc);
    assert.equal(h?.kind, kind, doc);
    assert.equal(h?.version, version, doc);
  }
});

test("the docstring may follow a shebang, an encoding line, comments and blank lines", () => {
  const s = parseScriptSource(`#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n\n# a comment\n"""v1.0.0."""\n`);
  assert.equal(s.header?.line, 5);
  assert.equal(s.header?.version, "1.0.0");
});

test("no docstring: a string that is not the first statement, bytes or f-strings", () => {
  assert.equal(parseScriptSource(`import os\n"""v1.0.0."""\n`).header, null);
  assert.equal(parseScriptSource(`b"""v1.0.0."""\n`).header, null);
  assert.equal(parseScriptSource(`"""v1.0.0.""".strip()\n`).header, null);
  assert.equal(parseScriptSource(``).header, null);
});

test("revision and down_revision in every form alembic writes or accepts", () => {
  const cases: [string, string[] | null][] = [
    [`down_revision = 'a'`, ["a"]],
    [`down_revision = "a"`, ["a"]],
    [`down_revision: str = "a"`, ["a"]],
    [`down_revision: Union[str, None] = "a"`, ["a"]],
    [`down_revision: Union[str, Sequence[str], None] = ("a", "b")`, ["a", "b"]],
    [`down_revision = ('a', 'b',)`, ["a", "b"]],
    [`down_revision = ["a", "b"]`, ["a", "b"]],
    [`down_revision = "a", "b"`, ["a", "b"]],
    [`down_revision = ("a",)`, ["a"]],
    [`down_revision = ("a",\n    "b")`, ["a", "b"]],
    [`down_revision = None`, []],
    [`down_revision: Union[str, None] = None`, []],
    [`down_revision = ()`, []],
    [`down_revision = get()`, null],
    [`down_revision = ("a", x)`, null],
  ];
  for (const [line, value] of cases) {
    const s = parseScriptSource(`"""vX.X.X."""\nrevision: str = "abc"\n${line}\n`);
    assert.equal(s.revision?.value, "abc", line);
    assert.deepEqual(s.downRevision?.value ?? null, value, line);
  }
  assert.equal(parseScriptSource(`down_revision = None\n`).revision, null);
  assert.equal(parseScriptSource(`revision = "a"\n`).downRevision, null);
});

test("syntax errors Python would refuse, with their line", () => {
  const cases: [string, number, RegExp][] = [
    [`"""vX.X.X.\nrevision = "a"\n`, 1, /unterminated triple-quoted string literal \(detected at line 2\)/],
    [`revision = "a\n`, 1, /unterminated string/],
    [
      `x = 1\ndef upgrade():\n    op.add_column("t", sa.Column("c")\n\ndef downgrade():\n    pass\n`,
      3,
      /'\(' was never closed/,
    ],
    [`x = [1, 2)\n`, 1, /does not match/],
    [`x = (\n1]\n`, 2, /does not match opening parenthesis '\(' on line 1/],
    [`x = 1)\n`, 1, /unmatched '\)'/],
    [`x = 1 \\ y\n`, 1, /continuation/],
  ];
  for (const [src, line, message] of cases) {
    const e = parseScriptSource(src).syntaxError;
    assert.ok(e, src);
    assert.equal(e.line, line, src);
    assert.match(e.message, message, src);
  }
});

test("valid Python that looks tricky is not an error", () => {
  const src = [
    `"""v1.0.0."""`,
    `s = 'it\\'s' + "a \\"b\\"" + r'\\d' + '''x ' y'''`,
    `t = ("multi"`,
    `     "line")  # ) not closing here`,
    `u = {"a": [1, (2, 3)]}`,
    `v = 1 + \\`,
    `    2`,
    `w = f"{x!r:>{width}}"`,
    `n = 1.5e-3 + 0x1F + 1_000j`,
    `revision = "abc"`,
    `down_revision = None`,
  ].join("\n");
  const s = parseScriptSource(src);
  assert.equal(s.syntaxError, null);
  assert.equal(s.revision?.value, "abc");
  assert.equal(s.revision?.line, 10);
});

test("headerText", () => {
  assert.equal(headerText(null), "vX.X.X.");
  assert.equal(headerText("1.0.0"), "v1.0.0.");
});

test("rewriteHeader changes only the version word", () => {
  const one = rewriteHeader(SEED_SCRIPT, parseScriptSource(SEED_SCRIPT).header, "1.0.0");
  assert.equal(one, SEED_SCRIPT.replace('"""vX.X.X."""', '"""v1.0.0."""'));
  assert.equal(parseScriptSource(one).header?.version, "1.0.0");
  const long = rewriteHeader(LONG_DOCSTRING, parseScriptSource(LONG_DOCSTRING).header, null);
  assert.equal(long, LONG_DOCSTRING.replace('"""v0.26.2.\n', '"""vX.X.X.\n'));
  const crlf = '\uFEFF"""vX.X.X.\r\n\r\nLong text."""\r\nrevision = "a"\r\n';
  assert.equal(
    rewriteHeader(crlf, parseScriptSource(crlf).header, "0.30rc3"),
    '\uFEFF"""v0.30rc3.\r\n\r\nLong text."""\r\nrevision = "a"\r\n',
  );
  const nodot = "'''v1.0.0'''\n";
  assert.equal(rewriteHeader(nodot, parseScriptSource(nodot).header, "1.0.1"), "'''v1.0.1.'''\n");
});

test("rewriteHeader without a version word or without a docstring", () => {
  const other = '"""Add a column."""\n';
  assert.equal(rewriteHeader(other, parseScriptSource(other).header, "1.0.0"), '"""v1.0.0.\nAdd a column."""\n');
  const empty = '"""\nAdd a column.\n"""\n';
  assert.equal(rewriteHeader(empty, parseScriptSource(empty).header, "1.0.0"), '"""v1.0.0.\nAdd a column.\n"""\n');
  const none = "#!/usr/bin/env python\r\nrevision = 'a'\r\n";
  const out = rewriteHeader(none, null, null);
  assert.equal(out, '#!/usr/bin/env python\r\n"""vX.X.X."""\r\nrevision = \'a\'\r\n');
  assert.equal(parseScriptSource(out).header?.kind, "unreleased");
});

test("setDownRevision rewrites just the literal, in every form", () => {
  const cases: [string, string | null, string][] = [
    [`down_revision = '8280855a5064'`, "aaaaaaaaaaaa", `down_revision = 'aaaaaaaaaaaa'`],
    [
      `down_revision: Union[str, None] = "x"  # parent`,
      "aaaaaaaaaaaa",
      `down_revision: Union[str, None] = "aaaaaaaaaaaa"  # parent`,
    ],
    [`down_revision = None`, "aaaaaaaaaaaa", `down_revision = "aaaaaaaaaaaa"`],
    [`down_revision = ('a', 'b')`, "aaaaaaaaaaaa", `down_revision = 'aaaaaaaaaaaa'`],
    [`down_revision = "x"`, null, `down_revision = None`],
  ];
  for (const [before, parent, after] of cases) {
    const src = `"""vX.X.X."""\r\nrevision = "abc"\r\n${before}\r\n`;
    const out = setDownRevision(src, parseScriptSource(src), parent);
    assert.equal(out, `"""vX.X.X."""\r\nrevision = "abc"\r\n${after}\r\n`, before);
    assert.deepEqual(parseScriptSource(out).downRevision?.value, parent === null ? [] : [parent]);
  }
  assert.throws(() => setDownRevision(`revision = "a"\n`, parseScriptSource(`revision = "a"\n`), "b"));
});
