// Issue 11 item 8: a repo whose env.py (here: whose package) imports alembic-postgresql-enum gets that
// library's enum ops, not migrakit's as well: the type is created once, before its table (migrakit's order
// knows the library's ops), dropped after it in the downgrade, and the full check passes. The library is
// installed from the registry into a folder of this test's own (never into the shared venvs).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { pruneTemplates } from "../../src/db/templates.js";
import type { Session } from "../../src/generate/session.js";
import { PYTHON, generateAndProve, openTestSession, repoWith } from "./careful-harness.js";
import type { TempRepo } from "../helpers/schema-repo.js";

let pg: TestPostgres;
let session: Session;
let site: string;
const repos: TempRepo[] = [];

before(async () => {
  site = mkdtempSync(join(tmpdir(), "migrakit-ape-"));
  execFileSync(
    PYTHON,
    [
      "-m",
      "pip",
      "install",
      "--quiet",
      "--no-deps",
      "--disable-pip-version-check",
      "--target",
      site,
      "alembic-postgresql-enum==1.11.0",
    ],
    { env: { ...process.env, PIP_ROOT_USER_ACTION: "ignore" } },
  );
  pg = await startTestPostgres();
  session = await openTestSession(pg.adminUrl, process.cwd(), { PYTHONPATH: site });
});

after(async () => {
  await session?.close();
  for (const r of repos) r.cleanup();
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
  rmSync(site, { recursive: true, force: true });
});

const HEAD = `import enum

import alembic_postgresql_enum  # noqa: F401  (registers its comparators with alembic)
from sqlalchemy import Column, Enum
from sqlmodel import Field, SQLModel


class Kind(str, enum.Enum):
    a = "a"
    b = "b"


class Owner(SQLModel, table=True):  # type: ignore
    __table_args__ = {"schema": "core"}
    id: int = Field(primary_key=True)
`;
const ROOM = `\n\nclass Room(SQLModel, table=True):  # type: ignore\n    __table_args__ = {"schema": "core"}\n    id: int = Field(primary_key=True)\n    kind: Kind = Field(sa_column=Column(Enum(Kind, name="kind"), nullable=False))\n`;
const types = "SELECT typname FROM pg_type WHERE typtype = 'e'";

test("with alembic-postgresql-enum in the repo its ops are used, once, in an order Postgres accepts", async () => {
  const r = await repoWith(session, pg.adminUrl, HEAD, HEAD + ROOM);
  repos.push(r);
  const text = await generateAndProve(session, pg.adminUrl, r, {
    seed: ["INSERT INTO core.owner (id) VALUES (1)"],
    after: [[types, [{ typname: "kind" }]]],
    before: [[types, []]],
  });
  assert.equal(text.match(/name='kind'\)\.create\(op\.get_bind\(\)\)/g)?.length, 1, text);
  assert.doesNotMatch(text, /CREATE TYPE/, "migrakit's own enum ops stand aside");
  const at = (s: string) => text.indexOf(s);
  assert.ok(at(".create(op.get_bind())") < at("op.create_table('room'"), text);
  assert.ok(at("op.drop_table('room'") < at(".drop(op.get_bind())"), text);
});
