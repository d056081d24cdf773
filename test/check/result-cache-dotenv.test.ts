// The check's result cache keys on the `.env` a settings module reads (docs/spec.md §3 result cache): env.py and
// the models import `settings.py`, which loads `.env` the way python-dotenv does. Changing only `.env` (which
// here adds a table to the models) is a real run again, not the cached pass.
import { test } from "node:test";
import assert from "node:assert/strict";
import { testPythons } from "../helpers/python.js";
import { check, fixtureRepo, serverForFile } from "./dynamic-helpers.js";

const { pg, cache } = serverForFile();

const SETTINGS = [
  '"""The app\'s settings: KEY=VALUE lines of the .env beside this file, as python-dotenv reads them."""',
  "from pathlib import Path",
  "",
  "_values = {}",
  '_dotenv = Path(__file__).resolve().parent / ".env"',
  "if _dotenv.exists():",
  "    for _line in _dotenv.read_text().splitlines():",
  '        if "=" in _line and not _line.lstrip().startswith("#"):',
  '            _key, _value = _line.split("=", 1)',
  "            _values[_key.strip()] = _value.strip()",
  "",
  'DATABASE_URL = _values.get("DATABASE_URL", "postgresql://app@localhost/app")',
  'AUDIT_TABLE = _values.get("AUDIT_TABLE") == "1"',
  "",
].join("\n");

const AUDIT_MODEL = [
  "",
  "import settings  # noqa: E402",
  "",
  "if settings.AUDIT_TABLE:",
  "",
  "    class Audit(Base):",
  '        __tablename__ = "audit"',
  "        id = Column(Integer, primary_key=True)",
  "",
].join("\n");

for (const { name, python } of testPythons()) {
  test(`${name}: changing only .env (read by env.py's settings module) is not answered from the cache`, () => {
    const repo = fixtureRepo("alembic-app");
    try {
      repo.write(
        "package.json",
        `${JSON.stringify({ migrakit: { packages: ["."], convention: "alembic" } }, null, 2)}\n`,
      );
      repo.write("settings.py", SETTINGS);
      repo.write(".env", "DATABASE_URL=postgresql://app@localhost/app\nAUDIT_TABLE=0\n");
      repo.write("app/models.py", repo.read("app/models.py") + AUDIT_MODEL);
      // env.py takes its URL from the settings, as apps do (migrakit hands it the scratch database all the same).
      repo.edit(
        "alembic/env.py",
        "config = context.config\n",
        'config = context.config\n\nimport settings  # noqa: E402\n\nconfig.set_main_option("sqlalchemy.url", settings.DATABASE_URL)\n',
      );
      repo.commit("settings from .env");
      const home = cache();
      const run = () => check(repo.dir, { python, databaseUrl: pg.adminUrl, cacheHome: home });
      const first = run();
      assert.equal(first.status, 0, first.all);
      const again = run();
      assert.equal(again.status, 0, again.all);
      assert.match(again.stderr, /answered from the cache/, "nothing changed: the cache answers");
      // Only .env changes: the models now have a table no script creates.
      repo.write(".env", "DATABASE_URL=postgresql://app@localhost/app\nAUDIT_TABLE=1\n");
      const changed = run();
      assert.doesNotMatch(changed.stderr, /answered from the cache/);
      assert.equal(changed.status, 1, changed.all);
      assert.match(changed.all, /EMIGRAKIT_MODELS_MISMATCH/);
      assert.match(changed.all, /audit/);
    } finally {
      repo.cleanup();
    }
  });
}
