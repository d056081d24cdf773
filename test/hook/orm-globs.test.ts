// The `orm` globs decide which staged files make the hook work: a staged file outside them starts nothing
// (a missing Python would not even be noticed), one inside them starts the real work (and here meets the
// missing Python: EMIGRAKIT_PYTHON_NOT_FOUND). Real git index, the real bin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.js";
import { chain, makeSchemaRepo } from "../helpers/schema-repo.js";

test("orm globs: a staged helper outside them is ignored, a staged model inside them runs the hook", (t) => {
  const repo = makeSchemaRepo({
    scripts: chain(1),
    files: {
      "package.json": JSON.stringify({ name: "x", private: true, migrakit: { orm: ["models/*.py"] } }),
      "lnschema_demo/models/core.py": "from sqlmodel import SQLModel\n",
      "lnschema_demo/helpers.py": "X = 1\n",
    },
  });
  t.after(() => repo.cleanup());
  const env = {
    MIGRAKIT_PYTHON: "/nonexistent/python",
    MIGRAKIT_DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none",
    CI: "true",
    MIGRAKIT_SKIP: "",
    HUSKY: "",
  };
  repo.write("lnschema_demo/helpers.py", "X = 2\n");
  repo.git("add", "lnschema_demo/helpers.py");
  const ignored = runCli(["hook", "pre-commit"], { cwd: repo.dir, env });
  assert.equal(ignored.status, 0, ignored.stderr);
  assert.equal(ignored.stderr.trim(), "", "nothing started for a file outside the orm globs");
  repo.git("commit", "-qm", "chore: helper");
  repo.write("lnschema_demo/models/core.py", "from sqlmodel import SQLModel  # edited\n");
  repo.git("add", "lnschema_demo/models/core.py");
  const ran = runCli(["hook", "pre-commit"], { cwd: repo.dir, env });
  assert.equal(ran.status, 3, ran.stderr);
  assert.match(ran.stderr, /EMIGRAKIT_PYTHON_NOT_FOUND/);
});
