// The result cache's inputs beyond the package: alembic.ini, .env, pyproject.toml, and the environment
// variables env.py reads (pure part here; the alembic.ini case end to end in repo-shapes.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { environmentInputs } from "../../src/checks/dynamic/result-cache.js";

const env = { DATABASE_URL: "postgresql://dev/app", OTHER: "x", PWD: "/somewhere", SHLVL: "2" };

test("variables env.py names literally are inputs, with their values; the rest are not", () => {
  const envPy = 'import os\nurl = os.environ["DATABASE_URL"]\nmode = os.getenv("APP_MODE")\n';
  assert.deepEqual(environmentInputs([envPy], env), ["APP_MODE=<unset>", "DATABASE_URL=postgresql://dev/app"]);
  assert.notDeepEqual(
    environmentInputs([envPy], { ...env, DATABASE_URL: "postgresql://dev/other" }),
    environmentInputs([envPy], env),
  );
});

test("a settings class or a dotenv read makes every variable but the volatile ones an input", () => {
  const settings = "from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    database_url: str\n";
  assert.deepEqual(environmentInputs([settings], env), ["DATABASE_URL=postgresql://dev/app", "OTHER=x"]);
  assert.deepEqual(environmentInputs(["import os\nconfig = dict(os.environ)\n"], env), [
    "DATABASE_URL=postgresql://dev/app",
    "OTHER=x",
  ]);
});

test("an env.py that reads nothing from the environment adds nothing (its docstring's 'environment' is not a read)", () => {
  assert.deepEqual(environmentInputs(['"""alembic environment."""\nfrom alembic import context\n'], env), []);
});
