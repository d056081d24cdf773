// withWrites (src/generate/with-writes.ts): the package after a plan's writes, without reading it again, is
// what reading it again from disk gives — a new script (sorted among the others, pending under the alembic
// convention), a refreshed one, and `_migration` in __init__.py. Real files in a temporary repo.
import { test } from "node:test";
import assert from "node:assert/strict";
import { makeSchemaRepo, scriptText } from "../helpers/schema-repo.js";
import { readSchemaRepo } from "../../src/model/repo.js";
import { withWrites } from "../../src/generate/with-writes.js";
import { writeFiles } from "../../src/generate/write-files.js";
import { setInitValue } from "../../src/model/init-file.js";
import type { FileWrite } from "../../src/generate/generate.js";

const VERSIONS = "lnschema_demo/migrations/versions";

test("a new script, a refreshed one and _migration: as a second read of the folder gives them", async (t) => {
  const repo = makeSchemaRepo({
    scripts: [
      { revision: "aaaa00000001", down: null, slug: "v0_1_0" },
      { revision: "cccc00000003", down: "aaaa00000001", date: "2024-05-01" },
    ],
  });
  t.after(() => repo.cleanup());
  const before = await readSchemaRepo(repo.dir, "lnschema_demo");
  const refreshed = before.scripts.find((s) => s.text.includes("cccc00000003"))!;
  const writes: FileWrite[] = [
    // Sorts before the refreshed one: its date is earlier.
    {
      path: `${VERSIONS}/2024-01-01-bbbb00000002-vx_x_x.py`,
      content: scriptText({ revision: "bbbb00000002", down: "cccc00000003", date: "2024-01-01" }),
      created: true,
    },
    { path: refreshed.path, content: refreshed.text.replace("pass", "op.execute('SELECT 1')"), created: false },
    {
      path: "lnschema_demo/__init__.py",
      content: setInitValue(before.init!.text!, "_migration", "bbbb00000002"),
      created: false,
    },
  ];
  writeFiles(repo.dir, writes);
  const read = await readSchemaRepo(repo.dir, "lnschema_demo");
  assert.deepEqual(withWrites(before, writes), read);

  // Under the alembic convention the new script is pending (not committed), the others keep what they had.
  const pendingBefore = { ...before, convention: "alembic" as const, pending: new Set<string>() };
  const after = withWrites(pendingBefore, writes);
  assert.deepEqual([...after.pending!], [`${VERSIONS}/2024-01-01-bbbb00000002-vx_x_x.py`]);
  assert.equal(pendingBefore.pending.size, 0, "the repo given is left as it was");
});

test("a write outside the versions folder and __init__.py is a bug, not silently ignored", async (t) => {
  const repo = makeSchemaRepo({ scripts: [{ revision: "aaaa00000001", down: null }] });
  t.after(() => repo.cleanup());
  const before = await readSchemaRepo(repo.dir, "lnschema_demo");
  assert.throws(
    () => withWrites(before, [{ path: "lnschema_demo/_core.py", content: "", created: false }]),
    /internal/,
  );
});
