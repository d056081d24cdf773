// The message (and so the slug) of a script generate writes without -m under convention alembic: what it does,
// a paired rename named as the rename it became, not as the drop and add alembic saw.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Diff } from "../../src/bridge/contract.js";
import { defaultMessage } from "../../src/generate/default-message.js";

const column = (kind: "add_column" | "remove_column", table: string, name: string): Diff =>
  ({ kind, schema: null, table, column: name }) as Diff;

test("a paired column rename is named as a rename; the rest as alembic's diffs", () => {
  const diffs = [column("add_column", "post", "headline"), column("remove_column", "post", "title")];
  const rename = {
    kind: "column",
    schema: null,
    table: "post",
    from: "title",
    to: "headline",
    how: "detected",
  } as const;
  assert.equal(defaultMessage(diffs, [rename]), "rename_column post title headline");
  assert.equal(defaultMessage(diffs), "add_column post headline remove_column post title");
  assert.equal(
    defaultMessage([...diffs, column("add_column", "post", "body")], [rename]),
    "rename_column post title headline add_column post body",
  );
});

test("a paired table rename, and more than two changes", () => {
  const diffs: Diff[] = [
    { kind: "add_table", schema: null, table: "person" } as Diff,
    { kind: "remove_table", schema: null, table: "user" } as Diff,
    column("add_column", "a", "x"),
    column("add_column", "b", "y"),
  ];
  const rename = { kind: "table", schema: null, from: "user", to: "person", how: "detected" } as const;
  assert.equal(defaultMessage(diffs, [rename]), "rename_table user person add_column a x and more");
  assert.equal(defaultMessage([]), "schema change");
});
