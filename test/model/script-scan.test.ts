// The fast scanner must read the usual script shapes itself and, for everything else, either give up or read
// exactly what the tokenizer reads. The differential tests feed both paths the same texts — real shapes and
// thousands of deterministic mutations of them — and compare every field of the result.
import { test } from "node:test";
import assert from "node:assert/strict";
import { scanScript } from "../../src/model/script-scan.js";
import { parseScriptSource, parseScriptSourceTokenized } from "../../src/model/script-source.js";

const SEED = `"""vX.X.X."""
from alembic import op
import sqlalchemy as sa  # noqa

revision = 'dd2b4a9499f2'
down_revision = '8280855a5064'


def upgrade() -> None:
    op.alter_column("notebook", column_name="v", new_column_name="version", schema="core")


def downgrade() -> None:
    pass
`;

const MODERN = `"""v0.26.2.

Revision ID: 8280855a5064
Revises: 0560ee3d73dc
Create Date: 2023-02-14 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = "8280855a5064"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "dobject",
        sa.Column("id", sa.String(), nullable=False),  # ) in a comment
        sa.ForeignKeyConstraint(["file_id"], ["core.file.id"], name=op.f("fk_dobject_file_id_file")),
        schema="core",
    )
    bind = op.get_bind()
    if bind.engine.name == "sqlite":
        revision = "not this one"
        op.execute('''UPDATE "core.dobject" SET name = 'x' WHERE id IS NULL''')
    x = 1 + \\
        2


@decorated
class Helper:
    revision = "not this one either"


def downgrade() -> None:
    op.drop_table("dobject", schema="core")
`;

test("the usual shapes are read by the scanner itself", () => {
  const seed = scanScript(SEED);
  assert.ok(seed);
  assert.deepEqual(seed.docstring, { line: 1, start: 0, end: 13 });
  const at = SEED.indexOf("'dd2b4a9499f2'");
  assert.deepEqual(seed.revision, {
    kind: "string",
    line: 5,
    start: at,
    end: at + 14,
    value: "dd2b4a9499f2",
    quote: "'",
  });
  assert.equal(seed.downRevision?.kind, "string");
  const modern = scanScript(MODERN);
  assert.ok(modern);
  assert.equal(modern.revision?.kind === "string" && modern.revision.value, "8280855a5064");
  assert.equal(modern.revision?.line, 14);
  assert.equal(modern.downRevision?.kind, "none");
  const crlf = scanScript('\uFEFF"""v1.0.0."""\r\nrevision = """abc"""\r\ndown_revision = None  # root\r\n');
  assert.ok(crlf);
  assert.deepEqual(crlf.docstring, { line: 1, start: 1, end: 14 });
  assert.deepEqual(crlf.revision, { kind: "string", line: 2, start: 27, end: 36, value: "abc", quote: '"""' });
  assert.deepEqual(crlf.downRevision, { kind: "none", line: 3, start: 54, end: 58 });
  assert.deepEqual(scanScript(""), {
    docstring: null,
    revision: null,
    downRevision: null,
    branchLabels: null,
    dependsOn: null,
  });
  assert.deepEqual(scanScript("import os\n'''not a docstring'''\n"), {
    docstring: null,
    revision: null,
    downRevision: null,
    branchLabels: null,
    dependsOn: null,
  });
});

test("anything unusual is left to the tokenizer", () => {
  const unusual = [
    `down_revision = ("a", "b")`, // a merge
    `down_revision = "a", "b"`,
    `revision = "a" "b"`,
    `revision = "a\\x62"`, // an escape
    `revision = r"a"`,
    `revision = get()`,
    `revision += "a"`,
    `revision := "a"`,
    `revision: str`,
    `revision, x = "a", "b"`,
    `x = revision = "a"`,
    `import os; revision = "a"`,
    `if True:\n    revision = "a"`,
    `try:\n    pass\nexcept Exception:\n    pass`,
    `op.revision = "a"`,
    `"""doc""".strip()`,
    `"""doc""" "more"`,
    `r"""v1.0.0."""`,
    `x = (1, 2`,
    `x = [1, 2)`,
    `x = 1)`,
    `x = "open`,
    `"""open`,
    `x = 1 \\ y`,
    `\fx = 1`,
    `    x = 1`,
  ];
  for (const text of unusual) assert.equal(scanScript(`${text}\n`), null, text);
});

const SHAPES = [
  SEED,
  MODERN,
  SEED.replaceAll("\n", "\r\n"),
  MODERN.replaceAll("\n", "\r"),
  `#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n\n"""v0.30rc3."""\nrevision = "a"\nrevision = "b"\ndown_revision = None\n`,
  `"""v1.0.0. Add a column."""\nrevision: str = "abc"\ndown_revision: Union[str, Sequence[str], None] = ("a", "b")\n`,
  `'v2 of the schema'\nrevision = "a"; down_revision = None\n`,
  `"""vX.X.X."""\nasync def f():\n    revision = 1\n\n\nclass A(\n    B,\n):\n    down_revision = 2\nrevision = "x"`,
  `"""v1.0.0."""\nx = {"a": [1, (2, 3)]}\ns = 'it\\'s' + "a \\"b\\"" + '''x ' y'''\nrevision = "abc"\ndown_revision = 'p'`,
  `"""\nv1.0.0.\n"""\nrevision = "a"\n`,
  `"""v1.0.0."""\n\n\n\n# trailing comment without a line break`,
  `b"""v1.0.0."""\nrevision = "a"\n`,
  // alembic's multi-branch setup: a label, a tuple of labels, a dependency, one inside a def (never read).
  MODERN.replace("branch_labels: Union[str, Sequence[str], None] = None", 'branch_labels = ("audit",)'),
  MODERN.replace("branch_labels: Union[str, Sequence[str], None] = None", "branch_labels = 'audit'"),
  MODERN.replace("depends_on: Union[str, Sequence[str], None] = None", 'depends_on = ["0a0a", "0b0b"]'),
  MODERN.replace("depends_on: Union[str, Sequence[str], None] = None", 'depends_on: str = "0a0a"'),
  `"""vX.X.X."""\nrevision = "a"\ndown_revision = None\n\ndef f():\n    branch_labels = ("x",)\n`,
];

/** A small deterministic PRNG (mulberry32): the same mutations on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  "'",
  '"',
  '"""',
  "'''",
  "#",
  "\n",
  "\r",
  "\r\n",
  "\\",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ":",
  "=",
  "==",
  ";",
  "@",
  " ",
  "    ",
  "\t",
  "\f",
  "revision",
  "down_revision",
  "None",
  "def f():",
  "class A:",
  "if x:",
  "async",
  "r",
  "b",
  ",",
  "x",
  "1",
  "\uFEFF",
  "é",
  "revision = 'x'",
  "down_revision: Union[str, None] = None",
  "\\\n",
  "pass",
  "@d",
];

function mutate(text: string, next: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(next() * 3);
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(next() * (out.length + 1));
    const roll = next();
    if (roll < 0.45) out = out.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)]! + out.slice(at);
    else if (roll < 0.8) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 4));
    else {
      // Move a line: statements change places, indentation and nesting change.
      const lines = out.split("\n");
      const [line] = lines.splice(Math.floor(next() * lines.length), 1);
      lines.splice(Math.floor(next() * (lines.length + 1)), 0, line!);
      out = lines.join("\n");
    }
  }
  return out;
}

test("the fast path and the tokenizer agree on every shape", () => {
  for (const text of SHAPES) assert.deepEqual(parseScriptSource(text), parseScriptSourceTokenized(text), text);
});

test("the fast path and the tokenizer agree on thousands of mutated scripts", () => {
  const next = random(20240601);
  let scanned = 0;
  for (let k = 0; k < 20_000; k++) {
    const text = mutate(SHAPES[k % SHAPES.length]!, next);
    if (scanScript(text) !== null) scanned++;
    assert.deepEqual(parseScriptSource(text), parseScriptSourceTokenized(text), JSON.stringify(text));
  }
  // Many mutations stay in the usual shape: the comparison above covered the scanner, not only the fallback.
  assert.ok(scanned > 5000, `only ${scanned} texts went through the scanner`);
});

test("branch_labels and depends_on are read in every form alembic writes", () => {
  const labels = (text: string) => parseScriptSource(text).branchLabels;
  const deps = (text: string) => parseScriptSource(text).dependsOn;
  assert.deepEqual(labels(MODERN), []);
  assert.deepEqual(
    labels(MODERN.replace("branch_labels: Union[str, Sequence[str], None] = None", 'branch_labels = ("audit", "x")')),
    ["audit", "x"],
  );
  assert.deepEqual(
    labels(MODERN.replace("branch_labels: Union[str, Sequence[str], None] = None", 'branch_labels = "audit"')),
    ["audit"],
  );
  assert.deepEqual(deps(MODERN.replace("depends_on: Union[str, Sequence[str], None] = None", 'depends_on = "0a0a"')), [
    "0a0a",
  ]);
  assert.deepEqual(
    deps(MODERN.replace("depends_on: Union[str, Sequence[str], None] = None", "depends_on = ['0a0a', '0b0b']")),
    ["0a0a", "0b0b"],
  );
});
