// Rename pairing on structured diffs (the bridge's `Diff` shape, as alembic reports them), no database.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Diff } from "../../src/bridge/contract.js";
import { parseRenameArg, planRenames, renameOption } from "../../src/generate/renames.js";
import { MigrakitError } from "../../src/errors/index.js";

const col = (
  kind: "add_column" | "remove_column",
  table: string,
  column: string,
  o: Partial<{
    type: string;
    nullable: boolean;
    primary_key: boolean;
    server_default: string | null;
    schema: string | null;
  }> = {},
): Diff => ({
  kind,
  schema: o.schema === undefined ? "core" : o.schema,
  table,
  column,
  type: o.type ?? "VARCHAR",
  nullable: o.nullable ?? true,
  primary_key: o.primary_key ?? false,
  server_default: o.server_default ?? null,
});

const table = (kind: "add_table" | "remove_table", name: string, columns: string[]): Diff => ({
  kind,
  schema: "core",
  table: name,
  columns: columns.map((c) => ({
    name: c,
    type: "VARCHAR",
    nullable: c !== "id",
    primary_key: c === "id",
    server_default: null,
  })),
  primary_key: ["id"],
  foreign_keys: [],
});

test("the seed's example: the primary-key column version of transform becomes v", () => {
  const diffs: Diff[] = [
    {
      kind: "remove_fk",
      schema: "core",
      table: "run",
      name: "fk_run",
      columns: ["transform_id", "transform_version"],
      referred_schema: "core",
      referred_table: "transform",
      referred_columns: ["id", "version"],
    },
    col("add_column", "transform", "v", { nullable: false, primary_key: true }),
    col("remove_column", "transform", "version", { nullable: false, primary_key: true }),
  ];
  const plan = planRenames(diffs);
  assert.deepEqual(plan.renames, [
    { kind: "column", schema: "core", table: "transform", from: "version", to: "v", how: "detected" },
  ]);
  assert.deepEqual(plan.ambiguous, []);
  assert.equal(renameOption({ ...plan.renames[0]!, table: "transform" }), "core.transform.version=v");
});

test("a different type, nullability, primary-key flag or default is not a rename", () => {
  for (const other of [
    { type: "INTEGER" },
    { nullable: false },
    { primary_key: true, nullable: false },
    { server_default: "'x'" },
  ]) {
    const plan = planRenames([col("remove_column", "t", "a"), col("add_column", "t", "b", other)]);
    assert.deepEqual(plan.renames, [], JSON.stringify(other));
    assert.deepEqual(plan.ambiguous, []);
  }
});

test("types compare without regard to case and spacing; columns of other tables never pair", () => {
  assert.equal(
    planRenames([
      col("remove_column", "t", "a", { type: "varchar(10)" }),
      col("add_column", "t", "b", { type: "VARCHAR(10)" }),
    ]).renames.length,
    1,
  );
  assert.equal(planRenames([col("remove_column", "t", "a"), col("add_column", "u", "b")]).renames.length, 0);
  assert.equal(
    planRenames([col("remove_column", "t", "a", { schema: "x" }), col("add_column", "t", "b", { schema: "y" })]).renames
      .length,
    0,
  );
});

test("two drops and two adds of the same shape are ambiguous and reported with the exact options", () => {
  const plan = planRenames([
    col("remove_column", "user", "a"),
    col("remove_column", "user", "b"),
    col("add_column", "user", "c"),
    col("add_column", "user", "d"),
  ]);
  assert.deepEqual(plan.renames, []);
  assert.equal(plan.ambiguous.length, 1);
  assert.deepEqual(plan.ambiguous[0]!.options.sort(), [
    "--rename user.a=c",
    "--rename user.a=d",
    "--rename user.b=c",
    "--rename user.b=d",
  ]);
});

test("one clear pair next to an unrelated add stays a rename; one drop with two candidates does not", () => {
  const clear = planRenames([
    col("remove_column", "t", "a"),
    col("add_column", "t", "b"),
    col("add_column", "t", "n", { type: "INTEGER" }),
  ]);
  assert.equal(clear.renames.length, 1);
  const two = planRenames([col("remove_column", "t", "a"), col("add_column", "t", "b"), col("add_column", "t", "c")]);
  assert.deepEqual(two.renames, []);
  assert.deepEqual(two.ambiguous[0]!.dropped, ["a"]);
  assert.deepEqual(two.ambiguous[0]!.added.sort(), ["b", "c"]);
});

test("--rename wins over detection and settles an ambiguity; the rest is still detected", () => {
  const diffs = [
    col("remove_column", "user", "a"),
    col("remove_column", "user", "b"),
    col("add_column", "user", "c"),
    col("add_column", "user", "d"),
  ];
  const plan = planRenames(diffs, { explicit: [parseRenameArg("user.a=d")] });
  assert.deepEqual(
    plan.renames.map((r) => [r.from, r.to, r.how]),
    [
      ["a", "d", "explicit"],
      ["b", "c", "detected"],
    ],
  );
  assert.deepEqual(plan.ambiguous, []);
});

test("--rename may change the type; a request matching no pair is reported", () => {
  const plan = planRenames([col("remove_column", "t", "a"), col("add_column", "t", "b", { type: "TEXT" })], {
    explicit: [parseRenameArg("core.t.a=b"), parseRenameArg("t.x=y")],
  });
  assert.deepEqual(
    plan.renames.map((r) => r.how),
    ["explicit"],
  );
  assert.deepEqual(
    plan.unmatched.map((r) => r.text),
    ["t.x=y"],
  );
});

test("--no-renames turns detection off but keeps explicit renames", () => {
  const diffs = [
    col("remove_column", "t", "a"),
    col("add_column", "t", "b"),
    col("remove_column", "t", "c", { type: "INTEGER" }),
    col("add_column", "t", "d", { type: "INTEGER" }),
  ];
  assert.deepEqual(planRenames(diffs, { detect: false }).renames, []);
  assert.deepEqual(
    planRenames(diffs, { detect: false, explicit: [parseRenameArg("t.c=d")] }).renames.map((r) => r.from),
    ["c"],
  );
});

test("a table dropped and a table added with the same columns is a table rename; its columns are not paired again", () => {
  const plan = planRenames([
    table("remove_table", "run", ["id", "name"]),
    table("add_table", "execution", ["id", "name"]),
  ]);
  assert.deepEqual(plan.renames, [{ kind: "table", schema: "core", from: "run", to: "execution", how: "detected" }]);
  assert.deepEqual(
    planRenames([table("remove_table", "run", ["id", "name"]), table("add_table", "execution", ["id", "title"])])
      .renames,
    [],
  );
  const amb = planRenames([
    table("remove_table", "a", ["id"]),
    table("add_table", "b", ["id"]),
    table("add_table", "c", ["id"]),
  ]);
  assert.deepEqual(amb.ambiguous[0]!.options.sort(), ["--rename a=b", "--rename a=c"]);
  assert.deepEqual(
    planRenames(
      [table("remove_table", "a", ["id"]), table("add_table", "b", ["id"]), table("add_table", "c", ["id"])],
      { explicit: [parseRenameArg("a=c")] },
    ).renames.map((r) => r.to),
    ["c"],
  );
});

test("recorded renames apply while they match and are forgotten silently when they do not", () => {
  const req = { ...parseRenameArg("t.a=b"), note: "same type VARCHAR" };
  const plan = planRenames([col("remove_column", "t", "a"), col("add_column", "t", "b", { type: "TEXT" })], {
    recorded: [req],
  });
  assert.deepEqual(
    plan.renames.map((r) => [r.how, r.note]),
    [["recorded", "same type VARCHAR"]],
  );
  assert.deepEqual(planRenames([], { recorded: [req] }), { renames: [], ambiguous: [], unmatched: [] });
});

test("--rename syntax", () => {
  assert.deepEqual(parseRenameArg("transform.version=v").path, ["transform", "version"]);
  assert.deepEqual(parseRenameArg(" core.transform.version=v ").path, ["core", "transform", "version"]);
  for (const bad of ["version", "a.b.c.d=e", "t.a=", "=b", "t.a=b=c", "t.a b=c"]) {
    assert.throws(
      () => parseRenameArg(bad),
      (e: unknown) => e instanceof MigrakitError && e.code === "EMIGRAKIT_RENAME_SYNTAX" && e.exitCode === 2,
      bad,
    );
  }
});
