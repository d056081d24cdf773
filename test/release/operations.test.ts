import { test } from "node:test";
import assert from "node:assert/strict";
import { parseOperations, summarizeOperations } from "../../src/release/operations.js";
import { scriptText } from "../helpers/schema-repo.js";

const script = (upgrade: string, downgrade = "pass") => scriptText({ revision: "dd2b4a9499f2", down: "8280855a5064", upgrade, downgrade });

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
      'op.execute("UPDATE core.transform SET v = \'1\'")',
    ].join("\n"),
  );
  assert.equal(
    summarizeOperations(text, 10),
    "create table core.run; add column core.transform.name; create index ix_core_transform_name on core.transform; drop column transform.legacy; alter column core.transform.v (not null); rename table core.file → storage; execute SQL",
  );
});

test("dialect branches are summarised once; batch operations name their table", () => {
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
  assert.equal(summarizeOperations(text), "get bind; rename column transform.version → v; rename column core.transform.version → v");
  assert.equal(parseOperations(text).filter((o) => o.name === "alter_column").length, 2);
});

test("an empty upgrade, long lists, and text that only looks like operations", () => {
  assert.equal(summarizeOperations(script("pass")), "no operations");
  const many = Array.from({ length: 9 }, (_, i) => `op.drop_table("t${i}")`).join("\n");
  assert.equal(summarizeOperations(script(many), 3), "drop table t0; drop table t1; drop table t2; and 6 more");
  const fake = script('# op.drop_table("x")\nprint("op.drop_table(\'y\')")\nself.op.drop_table("z")');
  assert.equal(summarizeOperations(fake), "no operations");
});
