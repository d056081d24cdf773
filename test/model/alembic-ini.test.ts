// alembic.ini and pyproject [tool.alembic] as the model reads them (pure).
import { test } from "node:test";
import assert from "node:assert/strict";
import { alembicFromPyproject, DEFAULT_FILE_TEMPLATE, parseAlembicIni } from "../../src/model/alembic-ini.js";

test("alembic.ini: %(here)s, relative paths from the ini's folder, continuation lines, comments, the URL's driver", () => {
  const ini = [
    "# a comment",
    "[alembic]",
    "script_location = %(here)s/alembic",
    "file_template = %%(year)d%%(month).2d_%%(rev)s_%%(slug)s",
    "prepend_sys_path = . src",
    "version_locations = %(here)s/alembic/versions",
    "    %(here)s/other/versions",
    "; another comment",
    "sqlalchemy.url = postgresql+asyncpg://u:secret@db/app",
    "",
    "[loggers]",
    "script_location = not/this",
  ].join("\n");
  assert.deepEqual(parseAlembicIni(ini, "backend"), {
    scriptLocation: "backend/alembic",
    versionLocations: ["backend/alembic/versions", "backend/other/versions"],
    fileTemplate: "%%(year)d%%(month).2d_%%(rev)s_%%(slug)s",
    prependSysPath: ["backend", "backend/src"],
    driver: "asyncpg",
  });
  assert.equal(parseAlembicIni(ini, ".")!.scriptLocation, "alembic");
});

test("alembic.ini: no [alembic] section is no settings; defaults for what it leaves out", () => {
  assert.equal(parseAlembicIni("[loggers]\nkeys = root\n", "."), null);
  assert.deepEqual(parseAlembicIni("[alembic]\nscript_location: migrations\n", "."), {
    scriptLocation: "migrations",
    versionLocations: [],
    fileTemplate: DEFAULT_FILE_TEMPLATE,
    prependSysPath: [],
  });
});

test("pyproject [tool.alembic]: the same settings from a parsed TOML table", () => {
  const doc = { tool: { alembic: { script_location: "%(here)s/db/migrations", prepend_sys_path: ["."] } } };
  assert.equal(alembicFromPyproject(doc, ".")!.scriptLocation, "db/migrations");
  assert.deepEqual(alembicFromPyproject(doc, ".")!.prependSysPath, ["."]);
  assert.equal(alembicFromPyproject({ tool: {} }, "."), null);
});
