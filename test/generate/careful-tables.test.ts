// Issue 12, classes 1, 2 and 4 on real Postgres: tables moved to another schema (and renamed), a table
// renamed with one of its columns, and ops Postgres only accepts in dependency order. Rows are seeded in
// every table the change touches and must survive; the check (upgrade, round trip, alembic's compare)
// passes on every generated script, and generating again gives the same bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { carefulFile, generateAndProve, repoWith } from "./careful-harness.js";

const HEAD = `from typing import Optional

from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
`;

const file = carefulFile();

const table = (cls: string, schema: string, name: string, body: string) =>
  `\n\nclass ${cls}(SQLModel, table=True):  # type: ignore\n    __tablename__ = "${name}"\n    __table_args__ = {"schema": "${schema}"}\n${body}`;

test("tables moved to another schema (one renamed too) become SET SCHEMA + RENAME, and other tables' foreign keys follow", async () => {
  const before =
    HEAD +
    table("Dset", "core", "dset", `    id: int = Field(primary_key=True)\n    name: str = Field(index=True)\n`) +
    table(
      "Dobject",
      "core",
      "dobject",
      `    id: int = Field(primary_key=True)\n    dset_id: int = Field(foreign_key="core.dset.id", index=True)\n`,
    ) +
    table(
      "Stay",
      "core",
      "stay",
      `    id: int = Field(primary_key=True)\n    dset_id: Optional[int] = Field(default=None, foreign_key="core.dset.id")\n`,
    );
  const after =
    HEAD +
    table("Dset", "bionty", "dataset", `    id: int = Field(primary_key=True)\n    name: str = Field(index=True)\n`) +
    table(
      "Dobject",
      "bionty",
      "dobject",
      `    id: int = Field(primary_key=True)\n    dset_id: int = Field(foreign_key="bionty.dataset.id", index=True)\n`,
    ) +
    table(
      "Stay",
      "core",
      "stay",
      `    id: int = Field(primary_key=True)\n    dset_id: Optional[int] = Field(default=None, foreign_key="bionty.dataset.id")\n`,
    );
  const repo = await repoWith(file.session, file.pg.adminUrl, before, after);
  file.repos.push(repo);
  const text = await generateAndProve(file.session, file.pg.adminUrl, repo, {
    seed: [
      "INSERT INTO core.dset (id, name) VALUES (1, 'a'), (2, 'b')",
      "INSERT INTO core.dobject (id, dset_id) VALUES (10, 1), (11, 2)",
      "INSERT INTO core.stay (id, dset_id) VALUES (100, 2)",
    ],
    after: [
      [
        "SELECT id, name FROM bionty.dataset ORDER BY id",
        [
          { id: 1, name: "a" },
          { id: 2, name: "b" },
        ],
      ],
      [
        "SELECT id, dset_id FROM bionty.dobject ORDER BY id",
        [
          { id: 10, dset_id: 1 },
          { id: 11, dset_id: 2 },
        ],
      ],
      ["SELECT id, dset_id FROM core.stay", [{ id: 100, dset_id: 2 }]],
      // The serial's sequence moved with its table.
      ["SELECT pg_get_serial_sequence('bionty.dataset', 'id') LIKE 'bionty.%' AS moved", [{ moved: true }]],
    ],
    before: [
      [
        "SELECT id, name FROM core.dset ORDER BY id",
        [
          { id: 1, name: "a" },
          { id: 2, name: "b" },
        ],
      ],
      ["SELECT count(*)::int AS n FROM core.dobject", [{ n: 2 }]],
    ],
  });
  assert.match(text, /ALTER TABLE core\.dset SET SCHEMA bionty/);
  assert.match(text, /ALTER TABLE core\.dobject SET SCHEMA bionty/);
  assert.match(text, /op\.rename_table\("dset", "dataset", schema="bionty"\)/);
  assert.doesNotMatch(text, /create_table|drop_table/);
});

test("a table renamed together with one of its columns is paired, and the column renamed inside it", async () => {
  const before =
    HEAD +
    table("Dset", "core", "dset", `    id: int = Field(primary_key=True)\n    name: str\n`) +
    table("Dobject", "core", "dobject", `    id: int = Field(primary_key=True)\n`) +
    table(
      "DsetDobject",
      "core",
      "dset_dobject",
      `    dset_id: int = Field(foreign_key="core.dset.id", primary_key=True)\n    dobject_id: int = Field(foreign_key="core.dobject.id", primary_key=True)\n`,
    );
  const after =
    HEAD +
    table("Dfolder", "core", "dfolder", `    id: int = Field(primary_key=True)\n    name: str\n`) +
    table("Dobject", "core", "dobject", `    id: int = Field(primary_key=True)\n`) +
    table(
      "DfolderDobject",
      "core",
      "dfolder_dobject",
      `    dfolder_id: int = Field(foreign_key="core.dfolder.id", primary_key=True)\n    dobject_id: int = Field(foreign_key="core.dobject.id", primary_key=True)\n`,
    );
  const repo = await repoWith(file.session, file.pg.adminUrl, before, after);
  file.repos.push(repo);
  const text = await generateAndProve(file.session, file.pg.adminUrl, repo, {
    seed: [
      "INSERT INTO core.dset (id, name) VALUES (1, 'a')",
      "INSERT INTO core.dobject (id) VALUES (5), (6)",
      "INSERT INTO core.dset_dobject (dset_id, dobject_id) VALUES (1, 5), (1, 6)",
    ],
    after: [
      ["SELECT id, name FROM core.dfolder", [{ id: 1, name: "a" }]],
      [
        "SELECT dfolder_id, dobject_id FROM core.dfolder_dobject ORDER BY dobject_id",
        [
          { dfolder_id: 1, dobject_id: 5 },
          { dfolder_id: 1, dobject_id: 6 },
        ],
      ],
    ],
    before: [
      [
        "SELECT dset_id, dobject_id FROM core.dset_dobject ORDER BY dobject_id",
        [
          { dset_id: 1, dobject_id: 5 },
          { dset_id: 1, dobject_id: 6 },
        ],
      ],
    ],
  });
  assert.match(text, /op\.rename_table\("dset_dobject", "dfolder_dobject", schema="core"\)/);
  assert.match(
    text,
    /op\.alter_column\("dfolder_dobject", column_name="dset_id", new_column_name="dfolder_id", schema="core"\)/,
  );
  // The constraints get the ORM's names, renamed from the names the database has.
  assert.match(text, /RENAME CONSTRAINT pk_dset_dobject TO pk_dfolder_dobject/);
  assert.match(text, /RENAME CONSTRAINT fk_dset_dobject_dset_id_dset TO fk_dfolder_dobject_dfolder_id_dfolder/);
});

test("drops and creates run in the order Postgres accepts: FKs before their table and columns, composite FKs before their columns", async () => {
  const before =
    HEAD +
    table(
      "Parent",
      "core",
      "parent",
      `    id: str = Field(primary_key=True)\n    ver: str = Field(primary_key=True)\n`,
    ) +
    `\n\nfrom sqlalchemy import ForeignKeyConstraint\n\n\nclass Child(SQLModel, table=True):  # type: ignore\n    __tablename__ = "child"\n    __table_args__ = (ForeignKeyConstraint(["parent_id", "parent_ver"], ["core.parent.id", "core.parent.ver"], name="fk_child_parent"), {"schema": "core"})\n    id: int = Field(primary_key=True)\n    parent_id: Optional[str] = None\n    parent_ver: Optional[str] = None\n` +
    table("Gone", "core", "gone", `    id: int = Field(primary_key=True)\n`) +
    table(
      "Stay",
      "core",
      "stay",
      `    id: int = Field(primary_key=True)\n    gone_id: Optional[int] = Field(default=None, foreign_key="core.gone.id")\n`,
    );
  const after =
    HEAD +
    table(
      "Parent",
      "core",
      "parent",
      `    id: str = Field(primary_key=True)\n    ver: str = Field(primary_key=True)\n`,
    ) +
    table("Child", "core", "child", `    id: int = Field(primary_key=True)\n    parent_id: Optional[str] = None\n`) +
    table("Stay", "core", "stay", `    id: int = Field(primary_key=True)\n`) +
    table(
      "Fresh",
      "core",
      "fresh",
      `    id: int = Field(primary_key=True)\n    stay_id: Optional[int] = Field(default=None, foreign_key="core.stay.id")\n`,
    );
  const repo = await repoWith(file.session, file.pg.adminUrl, before, after);
  file.repos.push(repo);
  const text = await generateAndProve(
    file.session,
    file.pg.adminUrl,
    repo,
    {
      seed: [
        "INSERT INTO core.parent (id, ver) VALUES ('p', '1')",
        "INSERT INTO core.child (id, parent_id, parent_ver) VALUES (1, 'p', '1')",
        "INSERT INTO core.gone (id) VALUES (7)",
        "INSERT INTO core.stay (id, gone_id) VALUES (3, 7)",
      ],
      after: [
        ["SELECT id, parent_id FROM core.child", [{ id: 1, parent_id: "p" }]],
        ["SELECT id FROM core.stay", [{ id: 3 }]],
      ],
      before: [["SELECT id, parent_id FROM core.child", [{ id: 1, parent_id: "p" }]]],
    },
    {},
    [
      /drop-column: drops column core\.child\.parent_ver/,
      /drop-column: drops column core\.stay\.gone_id/,
      /drop-table: drops table core\.gone/,
    ],
  );
  const at = (re: RegExp) => text.search(re);
  const before_ = (a: RegExp, b: RegExp) => assert.ok(at(a) >= 0 && at(a) < at(b), `${a} before ${b}\n${text}`);
  before_(/drop_constraint\((op\.f\()?'fk_stay_gone_id_gone'/, /drop_table\('gone'/);
  before_(/drop_constraint\((op\.f\()?'fk_child_parent'/, /drop_column\('child', 'parent_ver'/);
  before_(/create_table\('fresh'/, /drop_table\('gone'/);
});
