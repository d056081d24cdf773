// Issue 16, "bad-input handling retried with new cases": what a hostile new user found after the listed
// defects were fixed, each through the real CLI on a real repo. (No Python or Postgres needed here.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.js";
import { chain, makeSchemaRepo } from "../helpers/schema-repo.js";

test("`migrations` pointing at a folder without versions/: the message names that folder and the fix names `migrations`", (t) => {
  const scripts = chain(1);
  const repo = makeSchemaRepo({
    scripts,
    files: { "migrakit.config.json": JSON.stringify({ migrations: { lnschema_demo: "db/alembic" } }) },
  });
  t.after(() => repo.cleanup());
  const r = runCli(["check", "--static"], { cwd: repo.dir });
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /error EMIGRAKIT_VERSIONS_MISSING: .*db\/alembic\/versions does not exist/);
  assert.match(r.stderr, /fix: .*`migrations`/);
  // The fix followed: `migrations` names the folder that holds versions/.
  repo.write("migrakit.config.json", JSON.stringify({ migrations: { lnschema_demo: "lnschema_demo/migrations" } }));
  const fixed = runCli(["check", "--static"], { cwd: repo.dir });
  assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
});
