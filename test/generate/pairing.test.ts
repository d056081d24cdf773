// Rename pairing and ranking (issue 12 classes 1-3), pure: structured diffs in, renames out; no database.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Diff } from "../../src/bridge/contract.js";
import { parseBackfillArg } from "../../src/generate/backfill.js";
import { assign, nameSimilarity } from "../../src/generate/pairing.js";
import { parseRenameArg, planRenames, renameOption } from "../../src/generate/renames.js";
import { MigrakitError } from "../../src/errors/index.js";

type C = { name: string; type?: string; nullable?: boolean; primary_key?: boolean };
const col = (kind: "add_column" | "remove_column", table: string, c: C & { position?: number }): Diff => ({
  kind,
  schema: "core",
  table,
  column: c.name,
  type: c.type ?? "INTEGER",
  nullable: c.nullable ?? true,
  primary_key: c.primary_key ?? false,
  server_default: null,
  position: c.position ?? null,
});
const fk = (kind: "add_fk" | "remove_fk", table: string, column: string, target: string): Diff => ({
  kind,
  schema: "core",
  table,
  name: null,
  columns: [column],
  referred_schema: "core",
  referred_table: target,
  referred_columns: ["id"],
});
const tbl = (
  kind: "add_table" | "remove_table",
  schema: string | null,
  name: string,
  cols: C[],
  fks: [string, string][] = [],
): Diff => ({
  kind,
  schema,
  table: name,
  columns: cols.map((c, i) => ({
    name: c.name,
    type: c.type ?? "INTEGER",
    nullable: c.nullable ?? true,
    primary_key: c.primary_key ?? false,
    server_default: null,
    position: i,
  })),
  primary_key: cols.filter((c) => c.primary_key).map((c) => c.name),
  foreign_keys: fks.map(([c, t]) => ({
    name: null,
    columns: [c],
    referred_schema: schema,
    referred_table: t,
    referred_columns: ["id"],
  })),
});
const summary = (diffs: Diff[]) => {
  const p = planRenames(diffs);
  return {
    renames: p.renames.map((r) => renameOption({ ...r, table: r.kind === "column" ? r.table : undefined })),
    ambiguous: p.ambiguous.map((a) => a.options.sort()),
  };
};

test("the column that gets the dropped column's foreign key wins over another of the same type", () => {
  const diffs = [
    col("remove_column", "item", { name: "dset_id", nullable: false }),
    fk("remove_fk", "item", "dset_id", "dset"),
    col("add_column", "item", { name: "size" }),
    col("add_column", "item", { name: "folder_id" }),
    fk("add_fk", "item", "folder_id", "dset"),
  ];
  assert.deepEqual(summary(diffs), { renames: ["core.item.dset_id=folder_id"], ambiguous: [] });
  // Any order of the diffs gives the same answer.
  assert.deepEqual(summary([...diffs].reverse()), summary(diffs));
});

test("a rename that relaxes NOT NULL is offered; one that tightens it is not", () => {
  assert.deepEqual(
    summary([
      col("remove_column", "t", { name: "a", nullable: false }),
      col("add_column", "t", { name: "b", nullable: true }),
    ]).renames,
    ["core.t.a=b"],
  );
  assert.deepEqual(
    summary([
      col("remove_column", "t", { name: "a", nullable: true }),
      col("add_column", "t", { name: "b", nullable: false }),
    ]).renames,
    [],
  );
});

test("same nullability beats a relaxed one, a like name beats an unlike one, and only a true tie is ambiguous", () => {
  assert.deepEqual(
    summary([
      col("remove_column", "t", { name: "a", nullable: false }),
      col("add_column", "t", { name: "x", nullable: true }),
      col("add_column", "t", { name: "y", nullable: false }),
    ]).renames,
    ["core.t.a=y"],
  );
  assert.deepEqual(
    summary([
      col("remove_column", "t", { name: "user_email" }),
      col("add_column", "t", { name: "email" }),
      col("add_column", "t", { name: "phone" }),
    ]).renames,
    ["core.t.user_email=email"],
  );
  assert.deepEqual(
    summary([
      col("remove_column", "t", { name: "a" }),
      col("add_column", "t", { name: "x" }),
      col("add_column", "t", { name: "y" }),
    ]),
    { renames: [], ambiguous: [["--rename t.a=x", "--rename t.a=y"]] },
  );
});

test("assign: best pairs first, a tie reported whole, independent of the input order", () => {
  const cands = [
    { drop: "a", add: "x", score: 3 },
    { drop: "a", add: "y", score: 1 },
    { drop: "b", add: "y", score: 2 },
    { drop: "c", add: "z", score: 1 },
    { drop: "c", add: "w", score: 1 },
  ];
  const got = assign(cands);
  assert.deepEqual(
    got.pairs.map((p) => p.drop + p.add),
    ["ax", "by"],
  );
  assert.deepEqual(
    got.ties.map((t) => [t.drops, [...t.adds].sort()]),
    [[["c"], ["w", "z"]]],
  );
  assert.deepEqual(
    assign([...cands].reverse())
      .pairs.map((p) => p.drop + p.add)
      .sort(),
    ["ax", "by"],
  );
  assert.equal(nameSimilarity("a", "b"), 0);
  assert.ok(nameSimilarity("dset_dobject", "dfolder_dobject") >= 0.3);
});

test("a serial's reflected nextval default (SQLAlchemy 1.4) does not keep its table from pairing", () => {
  const cols: C[] = [
    { name: "id", primary_key: true, nullable: false },
    { name: "name", type: "VARCHAR" },
  ];
  const dropped = tbl("remove_table", "core", "item", cols) as Diff & { columns: { server_default: string | null }[] };
  dropped.columns[0]!.server_default = "nextval('core.item_id_seq'::regclass)";
  assert.deepEqual(summary([dropped, tbl("add_table", "bionty", "item", cols)]).renames, ["core.item=bionty.item"]);
});

test("a table moved to another schema pairs by its name and columns; many at once, each to its own", () => {
  const cols: C[] = [
    { name: "id", primary_key: true, nullable: false },
    { name: "name", type: "VARCHAR" },
  ];
  const diffs = [
    tbl("remove_table", null, "dset", cols),
    tbl("remove_table", null, "run", cols),
    tbl("add_table", "core", "dset", cols),
    tbl("add_table", "core", "run", cols),
  ];
  assert.deepEqual(summary(diffs), { renames: ["dset=core.dset", "run=core.run"], ambiguous: [] });
  assert.deepEqual(summary([tbl("remove_table", "core", "dset", cols), tbl("add_table", null, "dset", cols)]).renames, [
    "core.dset=public.dset",
  ]);
  // --rename spells a move SCHEMA.OLD=SCHEMA2.NEW, and a move with a new name matches.
  const plan = planRenames([tbl("remove_table", "core", "dset", cols), tbl("add_table", "bionty", "dataset", cols)], {
    explicit: [parseRenameArg("core.dset=bionty.dataset")],
  });
  assert.deepEqual(
    plan.renames.map((r) => [r.kind, r.from, r.to, r.kind === "table" ? r.toSchema : null]),
    [["table", "dset", "dataset", "bionty"]],
  );
});

test("a table renamed together with a column pairs by the best column match; the column rename comes with it", () => {
  const before = tbl(
    "remove_table",
    "core",
    "dset_dobject",
    [
      { name: "dset_id", primary_key: true, nullable: false },
      { name: "dobject_id", primary_key: true, nullable: false },
    ],
    [
      ["dset_id", "dset"],
      ["dobject_id", "dobject"],
    ],
  );
  const after = tbl(
    "add_table",
    "core",
    "dfolder_dobject",
    [
      { name: "dfolder_id", primary_key: true, nullable: false },
      { name: "dobject_id", primary_key: true, nullable: false },
    ],
    [
      ["dfolder_id", "dset"],
      ["dobject_id", "dobject"],
    ],
  );
  assert.deepEqual(summary([before, after]), {
    renames: ["core.dset_dobject=dfolder_dobject", "core.dfolder_dobject.dset_id=dfolder_id"],
    ambiguous: [],
  });
  // Unlike names and half the columns renamed: not recognisable, so not paired.
  const other = tbl("add_table", "core", "execution", [
    { name: "x_id", primary_key: true, nullable: false },
    { name: "dobject_id", primary_key: true, nullable: false },
  ]);
  assert.deepEqual(summary([before, other]).renames, []);
});

test("--backfill takes [SCHEMA.]TABLE.COLUMN=SQL; anything else is EMIGRAKIT_BACKFILL_SYNTAX", () => {
  assert.deepEqual(parseBackfillArg("core.item.kind='a=b'"), {
    schema: "core",
    table: "item",
    column: "kind",
    sql: "'a=b'",
  });
  assert.deepEqual(parseBackfillArg("item.n=0"), { schema: null, table: "item", column: "n", sql: "0" });
  for (const bad of ["kind=0", "item.kind=", "a.b.c.d=1", "item.9x=1"]) {
    assert.throws(
      () => parseBackfillArg(bad),
      (e: unknown) => e instanceof MigrakitError && e.code === "EMIGRAKIT_BACKFILL_SYNTAX",
      bad,
    );
  }
});
