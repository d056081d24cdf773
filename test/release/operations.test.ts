// Release-note summaries of real-shaped scripts: never wrong, only terse (docs/spec.md §5, issue 17 item 5).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readOperations } from "../../src/model/operations.js";
import { summarizeOperations } from "../../src/release/operations.js";
import { scriptText } from "../helpers/schema-repo.js";

const script = (upgrade: string, downgrade = "pass") =>
  scriptText({ revision: "dd2b4a9499f2", down: "8280855a5064", upgrade, downgrade });

test("the seed's rename reads as a rename, from upgrade() only", () => {
  const text = script(
    'op.alter_column("transform", column_name="version", new_column_name="v", schema="core")',
    'op.alter_column("transform", column_name="v", new_column_name="version", schema="core")',
  );
  assert.equal(summarizeOperations(text), "rename column core.transform.version → v");
});

test("common operations, in order, each named with its table", () => {
  const text = script(
    [
      'op.create_table(\n    "run",\n    sa.Column("id", sa.String(), nullable=False),\n    sa.PrimaryKeyConstraint("id"),\n    schema="core",\n)',
      'op.add_column("transform", sa.Column("name", sa.String(), nullable=True), schema="core")',
      'op.create_index(op.f("ix_core_transform_name"), "transform", ["name"], unique=False, schema="core")',
      "op.drop_column('transform', 'legacy')  # no schema",
      'op.alter_column("transform", "v", existing_type=sa.VARCHAR(), nullable=False, schema="core")',
      'op.rename_table("file", "storage", schema="core")',
      "op.execute(\"UPDATE core.transform SET v = '1'\")",
    ].join("\n"),
  );
  assert.equal(
    summarizeOperations(text, 10),
    "create table core.run; add column core.transform.name; create index ix_core_transform_name on core.transform; drop column transform.legacy; alter column core.transform.v (not null); rename table core.file → storage; execute SQL",
  );
});

test("dialect branches are summarised once; get_bind is not an operation; batch operations name their table and schema", () => {
  const text = script(
    [
      "bind = op.get_bind()",
      'if bind.engine.name == "sqlite":',
      '    with op.batch_alter_table("transform", schema="core") as batch_op:',
      '        batch_op.alter_column("version", new_column_name="v")',
      "else:",
      '    op.alter_column("transform", column_name="version", new_column_name="v", schema="core")',
    ].join("\n"),
  );
  assert.equal(summarizeOperations(text), "rename column core.transform.version → v");
  assert.equal(readOperations(text).filter((o) => o.name === "alter_column").length, 2);
  assert.equal(
    readOperations(text).some((o) => o.name === "get_bind"),
    false,
  );
});

test("batch mode: indexes, foreign keys and columns are on the batch's table, never on a column or the referenced table", () => {
  const text = script(
    [
      'with op.batch_alter_table("dobject", schema=None) as batch_op:',
      '    batch_op.create_index("ix_dobject_size", ["size"], unique=False)',
      '    batch_op.create_foreign_key("fk_dobject_run", "run", ["run_id"], ["id"])',
      '    batch_op.add_column(sa.Column("suffix", sa.String(), nullable=True))',
      '    batch_op.drop_column("legacy")',
      '    batch_op.drop_index("ix_dobject_old")',
    ].join("\n"),
  );
  assert.equal(
    summarizeOperations(text, 10),
    "create index ix_dobject_size on dobject; create foreign key fk_dobject_run on dobject; add column dobject.suffix; drop column dobject.legacy; drop index ix_dobject_old on dobject",
  );
});

test("f-strings, variables and concatenations are counted, never printed raw", () => {
  const text = script(
    [
      'prefix = "lnschema_"',
      'op.add_column(f"{prefix}dtransform", sa.Column("name", sa.String()))',
      'op.drop_table(TABLE, schema="core")',
      'op.add_column("core" + "x", sa.Column("y", sa.String()))',
      'op.add_column("file", sa.Column(COLUMN, sa.String()), schema="core")',
      'op.create_table("run", sa.Column("id", sa.Integer()), schema=SCHEMA)',
    ].join("\n"),
  );
  const summary = summarizeOperations(text, 10);
  assert.doesNotMatch(summary, /\{prefix\}|TABLE|COLUMN|SCHEMA|corex|core\.x/);
  assert.equal(summary, "1 operation on core.file; and 4 more");
});

test("an empty upgrade, long lists, and text that only looks like operations", () => {
  assert.equal(summarizeOperations(script("pass")), "no operations");
  const many = Array.from({ length: 9 }, (_, i) => `op.drop_table("t${i}")`).join("\n");
  assert.equal(summarizeOperations(script(many), 3), "drop table t0; drop table t1; drop table t2; and 6 more");
  const fake = script('# op.drop_table("x")\nprint("op.drop_table(\'y\')")\nself.op.drop_table("z")');
  assert.equal(summarizeOperations(fake), "no operations");
});

test("SQL at column 0 inside a multi-line string does not end upgrade(), and a docstring's def is not a function", () => {
  const text = [
    '"""v0.2.0."""',
    "from alembic import op",
    'revision = "dd2b4a9499f2"',
    'down_revision = "8280855a5064"',
    "",
    "",
    "def upgrade() -> None:",
    '    """def downgrade(): op.drop_table("not_me")"""',
    '    op.execute("""',
    "UPDATE core.run SET x = 1;",
    "def nothing(): pass",
    '""")',
    '    op.drop_table("old", schema="core")',
    "",
    "",
    "def downgrade() -> None: pass",
    "",
  ].join("\n");
  assert.equal(summarizeOperations(text), "execute SQL; drop table core.old");
  assert.deepEqual(readOperations(text, "downgrade"), []);
});

test("a script that does not tokenize has no operations to summarise", () => {
  assert.equal(summarizeOperations(script('op.drop_table("x"')), "no operations");
});
