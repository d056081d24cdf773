// The lint in the release: with the plugin's `lint` option the notes list each script's findings, and with
// `majorOnBreakingMigration` analyzeCommits makes a release that renames a table `major` (both off by
// default). The seed-style fixture's unreleased scripts rename core.dobject and index existing tables.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { fixtureRepo, serverForFile, type FixtureRepo } from "../check/dynamic-helpers.js";
import { testPythons } from "../helpers/python.js";
import { analyzeCommits, generateNotes } from "../../release-plugins/index.js";
import type { ReleaseContext } from "../../release-plugins/context.js";

const { pg, cache } = serverForFile();
const python = testPythons()[0]!.python;
const repos: FixtureRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));

function context(version: string): ReleaseContext {
  const repo = fixtureRepo("seed-style");
  repos.push(repo);
  const logged: string[] = [];
  const log = (...a: unknown[]) => void logged.push(a.join(" "));
  return {
    cwd: repo.dir,
    env: {
      ...process.env,
      MIGRAKIT_PYTHON: python,
      MIGRAKIT_DATABASE_URL: pg.adminUrl,
      XDG_CACHE_HOME: cache(),
      CI: "true",
    },
    logger: { log, warn: log, error: log, success: log },
    options: {},
    nextRelease: { version },
  };
}

test("the notes list the lint's warnings under the script they belong to", async () => {
  const notes = await generateNotes({ lint: true }, context("0.5.0"));
  const lines = notes.split("\n");
  const script = lines.findIndex((l) => l.includes("d6e7f8091a2b"));
  assert.ok(script >= 0, notes);
  assert.match(lines[script + 1]!, /^ {2}\* ⚠ `rename-table`: renames table core\.dobject to file$/);
  assert.ok(
    notes.includes("⚠ `add-foreign-key`: adds FOREIGN KEY fk_dataset_file_id_file on core.dataset without NOT VALID"),
    notes,
  );
});

test("majorOnBreakingMigration: a rename makes the release major; without the option nothing is decided", async () => {
  assert.equal(await analyzeCommits({ majorOnBreakingMigration: true }, context("0.5.0")), "major");
  assert.equal(await analyzeCommits({}, context("0.5.0")), null);
});
