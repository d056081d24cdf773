// The check's result cache keys on every file the ORM import loaded, not only the package's own: a repo-root
// `shared_settings.py` that the ORM imports invalidates a cached pass when it changes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { exampleRepo } from "../helpers/example-repo.js";
import { testPythons } from "../helpers/python.js";
import { check, serverForFile } from "./dynamic-helpers.js";

const { pg, cache } = serverForFile();

for (const { name, python } of testPythons()) {
  test(`${name}: editing a repo-root module the ORM imports (shared_settings.py) is not answered from the cache`, (t) => {
    const repo = exampleRepo();
    t.after(() => repo.cleanup());
    const core = `${repo.pkg}/_core.py`;
    repo.write("shared_settings.py", "EXTRA_TABLE = False\n");
    repo.write(
      core,
      repo.read(core) +
        [
          "",
          "import shared_settings  # noqa: E402",
          "",
          "if shared_settings.EXTRA_TABLE:",
          "",
          "    class Note(SQLModel, table=True):  # type: ignore",
          '        __table_args__ = {"schema": "core"}',
          "        id: str = Field(primary_key=True)",
          "",
        ].join("\n"),
    );
    repo.git("add", "-A");
    repo.git("commit", "-q", "-m", "feat: settings outside the package");
    const home = cache();
    const first = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: home });
    assert.equal(first.status, 0, first.all);
    const again = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: home });
    assert.equal(again.status, 0, again.all);
    assert.match(again.stderr, /answered from the cache/, "nothing changed: the cache answers");
    // Only the file outside the package changes: the ORM now has a table no script creates.
    repo.write("shared_settings.py", "EXTRA_TABLE = True\n");
    const changed = check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: home });
    assert.doesNotMatch(changed.stderr, /answered from the cache/);
    assert.equal(changed.status, 1, changed.all);
    assert.match(changed.all, /EMIGRAKIT_MODELS_MISMATCH/);
    assert.match(changed.all, /note/);
  });
}
