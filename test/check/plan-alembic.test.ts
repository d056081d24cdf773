// The chain the checks and generate work on under convention alembic (pure but for reading the fixture):
// uncommitted scripts are the unreleased tip, and a merged history runs parents first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { planChain } from "../../src/checks/dynamic/chain-plan.js";
import { readSchemaRepo } from "../../src/model/repo.js";
import { fixtureRepo } from "./dynamic-helpers.js";

const script = (rev: string, down: string) =>
  `"""${rev}"""\nrevision = "${rev}"\ndown_revision = ${down}\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`;

test("convention alembic: pending scripts are the unreleased tip; none pending, everything is history", async () => {
  const repo = fixtureRepo("alembic-app");
  try {
    repo.write("alembic/versions/20240105_bbbbbbbbbbbb_next.py", script("bbbbbbbbbbbb", '"1a2b3c4d5e6f"'));
    const read = await readSchemaRepo(repo.dir, ".");
    assert.equal(read.convention, "alembic");
    assert.deepEqual(planChain(read)!.unreleased, []);
    const pending = { ...read, pending: new Set(["alembic/versions/20240105_bbbbbbbbbbbb_next.py"]) };
    const plan = planChain(pending)!;
    assert.deepEqual(
      plan.unreleased.map((s) => s.source.revision?.value),
      ["bbbbbbbbbbbb"],
    );
    assert.equal(plan.releasedHead, "1a2b3c4d5e6f");
    // The same pending set means nothing to a lamin repo: its names decide.
    assert.deepEqual(planChain({ ...pending, convention: "lamin" })!.unreleased, []);
  } finally {
    repo.cleanup();
  }
});

test("convention alembic: a branch and its merge form one chain, parents before children; lamin has none", async () => {
  const repo = fixtureRepo("alembic-app");
  try {
    repo.write("alembic/versions/b.py", script("bbbbbbbbbbbb", '"1a2b3c4d5e6f"'));
    repo.write("alembic/versions/a.py", script("aaaaaaaaaaaa", '"1a2b3c4d5e6f"'));
    repo.write("alembic/versions/m.py", script("cccccccccccc", '("bbbbbbbbbbbb", "aaaaaaaaaaaa")'));
    const read = await readSchemaRepo(repo.dir, ".");
    assert.deepEqual(
      planChain(read)!.chain.map((s) => s.source.revision?.value),
      ["1a2b3c4d5e6f", "aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"],
    );
    assert.equal(planChain(read)!.head, "cccccccccccc");
    assert.equal(planChain({ ...read, convention: "lamin" }), null);
  } finally {
    repo.cleanup();
  }
});

test("convention alembic: labelled branches are one plan: depends_on orders it, the replay ends on every branch; the static rules accept them, lamin's do not", async () => {
  const { staticFindings } = await import("../../src/checks/static.js");
  const repo = fixtureRepo("alembic-branches");
  try {
    // A tie broken by revision would put 0b0b0b0b0b02 before 0a0a0a0a0a02 were it not for its depends_on.
    repo.edit("alembic/versions/0a0a0a0a0a02_post.py", /0a0a0a0a0a02/g, "0c0c0c0c0c02");
    repo.edit("alembic/versions/0b0b0b0b0b02_audit_post.py", '"0a0a0a0a0a02"', '"0c0c0c0c0c02"');
    const read = await readSchemaRepo(repo.dir, ".");
    assert.equal(read.convention, "alembic");
    const plan = planChain(read)!;
    const order = plan.chain.map((s) => s.source.revision?.value);
    assert.ok(order.indexOf("0c0c0c0c0c02") < order.indexOf("0b0b0b0b0b02"), order.join(" "));
    assert.deepEqual([...plan.heads].sort(), ["0b0b0b0b0b02", "0c0c0c0c0c02"]);
    assert.deepEqual([...plan.releasedHeads].sort(), ["0b0b0b0b0b02", "0c0c0c0c0c02"]);
    assert.deepEqual(staticFindings(read), []);
    // Uncommitted, the audit branch's scripts are the tip; the replay still ends on the default branch too.
    const pending = planChain({
      ...read,
      pending: new Set(["alembic/versions/0b0b0b0b0b01_audit.py", "alembic/versions/0b0b0b0b0b02_audit_post.py"]),
    })!;
    assert.deepEqual(
      pending.unreleased.map((s) => s.source.revision?.value),
      ["0b0b0b0b0b01", "0b0b0b0b0b02"],
    );
    assert.deepEqual(pending.releasedHeads, ["0c0c0c0c0c02"]);
    // Under lamin several heads stay an error, labels or not.
    const lamin = { ...read, convention: "lamin" as const };
    assert.equal(planChain(lamin), null);
    assert.ok(staticFindings(lamin).some((f) => f.code === "EMIGRAKIT_MULTIPLE_HEADS"));
  } finally {
    repo.cleanup();
  }
});
