// Issue 12, class 7: no state leaks between the helper's requests. Three repos of the same package name,
// one with a naming convention and two without, generated in one helper process in one order and in a fresh
// one in the other order: every script comes out byte for byte the same. And the constraint renames that
// follow a table rename name the constraints the database has (read from its catalogue), not names derived
// from a convention the old tree never had.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { pruneTemplates } from "../../src/db/templates.js";
import type { Session } from "../../src/generate/session.js";
import { generateAndProve, generateIn, openTestSession, repoWith } from "./careful-harness.js";
import type { TempRepo } from "../helpers/schema-repo.js";

const CONVENTION = `SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
`;
/** The convention of an older tree: other names for the same constraints. */
const OLD_CONVENTION = `SQLModel.metadata.naming_convention = {"ix": "ix_%(column_0_label)s", "pk": "pkey_%(table_name)s", "uq": "%(table_name)s_%(column_0_name)s_uniq"}\n`;
const orm = (convention: boolean | string, name: string) => `from sqlmodel import Field, SQLModel

${typeof convention === "string" ? convention : convention ? CONVENTION : ""}

class Thing(SQLModel, table=True):  # type: ignore
    __tablename__ = "${name}"
    __table_args__ = {"schema": "core"}
    id: int = Field(primary_key=True)
    label: str = Field(unique=True)
    note: str = Field(index=True)
`;

let pg: TestPostgres;
let first: Session;
const repos: TempRepo[] = [];

before(async () => {
  pg = await startTestPostgres();
  first = await openTestSession(pg.adminUrl, process.cwd());
});

after(async () => {
  await first?.close();
  for (const r of repos) r.cleanup();
  await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
});

/** The script generate would write, without the one line that is the clock (`Create Date:`). */
async function scriptOf(s: Session, repo: TempRepo): Promise<string> {
  const out = await generateIn(s, repo);
  assert.equal(out.kind, "written", JSON.stringify(out));
  return out.kind === "written" ? out.writes[0]!.content.replace(/^Create Date: .*$/m, "") : "";
}

test("the same repos generated in two orders, in two helper processes, give byte-identical scripts", async () => {
  const named = await repoWith(first, pg.adminUrl, orm(true, "dset"), orm(true, "dataset"));
  const plain = await repoWith(first, pg.adminUrl, orm(false, "item"), orm(false, "entry"));
  const mixed = await repoWith(first, pg.adminUrl, orm(false, "sample"), orm(true, "specimen"));
  repos.push(named, plain, mixed);
  const forward = [await scriptOf(first, named), await scriptOf(first, plain), await scriptOf(first, mixed)];
  const second = await openTestSession(pg.adminUrl, process.cwd());
  try {
    const backward = [
      await scriptOf(second, mixed),
      await scriptOf(second, plain),
      await scriptOf(second, named),
    ].reverse();
    assert.deepEqual(backward, forward);
  } finally {
    await second.close();
  }
  // The tree without a convention got none from the one imported before it: no constraint is renamed.
  assert.doesNotMatch(forward[1]!, /RENAME CONSTRAINT/, forward[1]);
  assert.match(forward[0]!, /RENAME CONSTRAINT pk_dset TO pk_dataset/);
  assert.match(forward[0]!, /RENAME CONSTRAINT uq_dset_label TO uq_dataset_label/);
});

test("constraint renames after a table rename name what the database has (not the new convention's names for the old table), rows survive", async () => {
  const repo = await repoWith(first, pg.adminUrl, orm(OLD_CONVENTION, "run"), orm(true, "execution"));
  repos.push(repo);
  const text = await generateAndProve(first, pg.adminUrl, repo, {
    seed: ["INSERT INTO core.run (id, label, note) VALUES (1, 'x', 'n')"],
    after: [["SELECT id, label, note FROM core.execution", [{ id: 1, label: "x", note: "n" }]]],
    before: [["SELECT id, label FROM core.run", [{ id: 1, label: "x" }]]],
  });
  assert.match(text, /RENAME CONSTRAINT pkey_run TO pk_execution/);
  assert.match(text, /RENAME CONSTRAINT run_label_uniq TO uq_execution_label/);
});
