// Issue 12 class 1 (every table of a schema moved, and back), class 1's enum types, and issue 11 item 8
// (enum types created and dropped with their tables and columns), on real Postgres: rows seeded in every
// table the change touches survive, downgrade and upgrade round-trip, the full check (alembic's compare
// included) passes, and generating again gives the same bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { carefulFile, generateAndProve, repoWith } from "./careful-harness.js";
import type { TempRepo } from "../helpers/schema-repo.js";

const HEAD = `import enum
from typing import Optional

from sqlalchemy import Column, Enum
from sqlmodel import Field, SQLModel


class Kind(str, enum.Enum):
    a = "a"
    b = "b"


class Mood(str, enum.Enum):
    calm = "calm"
    loud = "loud"
`;

const file = carefulFile();

const args = (schema: string | null) => (schema ? `\n    __table_args__ = {"schema": "${schema}"}` : "");
const fk = (schema: string | null, target: string) => (schema ? `${schema}.${target}` : target);

/** An owner (indexed name, serial id, enum column) and a pet pointing at it, both in `schema`. */
function pair(schema: string | null, kindSchema: string | null = null): string {
  const kind = kindSchema ? `Enum(Kind, name="kind", schema="${kindSchema}")` : `Enum(Kind, name="kind")`;
  return (
    `\n\nclass Owner(SQLModel, table=True):  # type: ignore\n    __tablename__ = "owner"${args(schema)}\n` +
    `    id: Optional[int] = Field(default=None, primary_key=True)\n    name: str = Field(index=True)\n` +
    `    kind: Kind = Field(sa_column=Column(${kind}, nullable=False))\n` +
    `\n\nclass Pet(SQLModel, table=True):  # type: ignore\n    __tablename__ = "pet"${args(schema)}\n` +
    `    id: int = Field(primary_key=True)\n    owner_id: int = Field(foreign_key="${fk(schema, "owner.id")}", index=True)\n`
  );
}

async function repo(beforeOrm: string, afterOrm: string, prelude: string[] = []): Promise<TempRepo> {
  const r = await repoWith(file.session, file.pg.adminUrl, HEAD + beforeOrm, HEAD + afterOrm, { prelude });
  file.repos.push(r);
  return r;
}

const seed = (schema: string) => [
  `INSERT INTO ${schema}.owner (name, kind) VALUES ('ann', 'a'), ('bob', 'b')`,
  `INSERT INTO ${schema}.pet (id, owner_id) VALUES (10, 1), (11, 2)`,
];
const rowsIn = (schema: string): [string, unknown[]][] => [
  [
    `SELECT id, name, kind::text AS kind FROM ${schema}.owner ORDER BY id`,
    [
      { id: 1, name: "ann", kind: "a" },
      { id: 2, name: "bob", kind: "b" },
    ],
  ],
  [
    `SELECT id, owner_id FROM ${schema}.pet ORDER BY id`,
    [
      { id: 10, owner_id: 1 },
      { id: 11, owner_id: 2 },
    ],
  ],
  // The serial's sequence, the indexes and the foreign key moved with their tables.
  [`SELECT pg_get_serial_sequence('${schema}.owner', 'id') LIKE '${schema}.%' AS moved`, [{ moved: true }]],
  [
    `SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = '${schema}' AND tablename IN ('owner', 'pet')`,
    [{ n: 4 }],
  ],
  [
    `SELECT count(*)::int AS n FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = '${schema}' AND c.contype = 'f'`,
    [{ n: 1 }],
  ],
];
const typeSchema = (schema: string): [string, unknown[]] => [
  "SELECT n.nspname AS schema FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typname = 'kind'",
  [{ schema }],
];

test("every table moved out of a schema (a → b) is one script of SET SCHEMA, with the enum type they alone use", async () => {
  const r = await repo(pair("a", "a"), pair("b", "b"), ["op.execute('CREATE SCHEMA IF NOT EXISTS a')"]);
  const text = await generateAndProve(file.session, file.pg.adminUrl, r, {
    seed: seed("a"),
    after: [...rowsIn("b"), typeSchema("b")],
    before: [...rowsIn("a"), typeSchema("a")],
  });
  assert.match(text, /CREATE SCHEMA IF NOT EXISTS b/);
  assert.match(text, /ALTER TABLE a\.owner SET SCHEMA b/);
  assert.match(text, /ALTER TABLE a\.pet SET SCHEMA b/);
  assert.match(text, /ALTER TYPE a\.kind SET SCHEMA b/);
  assert.ok(text.indexOf("CREATE SCHEMA IF NOT EXISTS b") < text.indexOf("SET SCHEMA b"), text);
  assert.doesNotMatch(text, /create_table|drop_table|DROP SCHEMA/);
});

test("every table moved from the default schema to the package's own one is one script of SET SCHEMA", async () => {
  const r = await repo(pair(null), pair("core"));
  const text = await generateAndProve(file.session, file.pg.adminUrl, r, {
    seed: seed("public"),
    after: rowsIn("core"),
    before: rowsIn("public"),
  });
  assert.match(text, /ALTER TABLE public\.owner SET SCHEMA core/);
  assert.match(text, /ALTER TABLE public\.pet SET SCHEMA core/);
  assert.doesNotMatch(text, /create_table|drop_table/);
});

test("and back: every table moved from the package's schema to the default one", async () => {
  const r = await repo(pair("core"), pair(null), ["op.execute('CREATE SCHEMA IF NOT EXISTS core')"]);
  const text = await generateAndProve(file.session, file.pg.adminUrl, r, {
    seed: seed("core"),
    after: rowsIn("public"),
    before: rowsIn("core"),
  });
  assert.match(text, /ALTER TABLE core\.owner SET SCHEMA public/);
  assert.doesNotMatch(text, /create_table|drop_table|DROP SCHEMA/);
  // The upgrade leaves core (it may hold what this script did not make); the downgrade makes sure it is there.
  const [up, down] = text.split("def downgrade()");
  assert.doesNotMatch(up!, /CREATE SCHEMA/);
  assert.ok(down!.indexOf("CREATE SCHEMA IF NOT EXISTS core") < down!.indexOf("SET SCHEMA core"), down);
});

const types = "SELECT typname FROM pg_type WHERE typtype = 'e' ORDER BY typname";

test("a table with a new enum column is created with its type, one with an existing type uses it, and the downgrade leaves no type behind", async () => {
  const owner = `\n\nclass Owner(SQLModel, table=True):  # type: ignore\n    __table_args__ = {"schema": "core"}\n    id: int = Field(primary_key=True)\n    kind: Kind = Field(sa_column=Column(Enum(Kind, name="kind"), nullable=False))\n`;
  const added =
    `\n\nclass Other(SQLModel, table=True):  # type: ignore\n    __table_args__ = {"schema": "core"}\n    id: int = Field(primary_key=True)\n    kind: Kind = Field(sa_column=Column(Enum(Kind, name="kind"), nullable=False))\n` +
    `\n\nclass Room(SQLModel, table=True):  # type: ignore\n    __table_args__ = {"schema": "core"}\n    id: int = Field(primary_key=True)\n    mood: Mood = Field(sa_column=Column(Enum(Mood, name="mood"), nullable=False))\n`;
  const withColumn = owner.replace(
    "nullable=False))\n",
    `nullable=False))\n    status: Optional[Mood] = Field(default=None, sa_column=Column(Enum(Mood, name="status")))\n`,
  );
  const r = await repo(owner, withColumn + added);
  const text = await generateAndProve(file.session, file.pg.adminUrl, r, {
    seed: ["INSERT INTO core.owner (id, kind) VALUES (1, 'b')"],
    after: [
      [types, [{ typname: "kind" }, { typname: "mood" }, { typname: "status" }]],
      ["SELECT id, kind::text AS kind, status FROM core.owner", [{ id: 1, kind: "b", status: null }]],
    ],
    before: [
      [types, [{ typname: "kind" }]],
      ["SELECT id, kind::text AS kind FROM core.owner", [{ id: 1, kind: "b" }]],
    ],
  });
  assert.match(text, /CREATE TYPE mood AS ENUM \('calm', 'loud'\)/);
  assert.match(text, /CREATE TYPE status AS ENUM \('calm', 'loud'\)/);
  assert.doesNotMatch(text, /CREATE TYPE kind/, "kind exists: the new table uses it");
  assert.match(text, /postgresql\.ENUM\('a', 'b', name='kind', create_type=False\)/);
  assert.match(text, /DROP TYPE mood/);
  assert.match(text, /DROP TYPE status/);
  assert.doesNotMatch(text, /DROP TYPE kind/, "still used by owner");
  const at = (s: string) => text.indexOf(s);
  assert.ok(at("CREATE TYPE mood") < at("create_table('room'"), text);
  assert.ok(at("drop_table('room'") < at("DROP TYPE mood"), text);
});

test("a table and a column dropped with the last use of their enum types drop the types; the downgrade brings them back", async () => {
  const before =
    `\n\nclass Owner(SQLModel, table=True):  # type: ignore\n    __table_args__ = {"schema": "core"}\n    id: int = Field(primary_key=True)\n    status: Optional[Mood] = Field(default=None, sa_column=Column(Enum(Mood, name="status")))\n` +
    `\n\nclass Gone(SQLModel, table=True):  # type: ignore\n    __table_args__ = {"schema": "core"}\n    id: int = Field(primary_key=True)\n    kind: Kind = Field(sa_column=Column(Enum(Kind, name="kind"), nullable=False))\n`;
  const afterOrm = `\n\nclass Owner(SQLModel, table=True):  # type: ignore\n    __table_args__ = {"schema": "core"}\n    id: int = Field(primary_key=True)\n`;
  const r = await repo(before, afterOrm);
  const text = await generateAndProve(
    file.session,
    file.pg.adminUrl,
    r,
    {
      seed: [
        "INSERT INTO core.owner (id, status) VALUES (1, 'calm')",
        "INSERT INTO core.gone (id, kind) VALUES (1, 'a')",
      ],
      after: [
        [types, []],
        ["SELECT id FROM core.owner", [{ id: 1 }]],
      ],
      before: [[types, [{ typname: "kind" }, { typname: "status" }]]],
    },
    {},
    [/drop-table: drops table core\.gone/, /drop-column: drops column core\.owner\.status/, /drop-type/],
  );
  assert.match(text, /DROP TYPE kind/);
  assert.match(text, /DROP TYPE status/);
  const at = (s: string) => text.indexOf(s);
  assert.ok(at("drop_table('gone'") < at("DROP TYPE kind"), text);
  assert.ok(at("CREATE TYPE kind AS ENUM ('a', 'b')") < at("create_table('gone'"), text);
});
