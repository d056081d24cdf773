// Where the version lives (issue 11, item 10): `__version__` when it is a PEP 440 literal, else pyproject's
// static `[project] version`, else `[tool.poetry] version` — for a `__version__` read from importlib.metadata
// or left at a placeholder such as "develop". release-prepare bumps whichever is the source; the check's
// version rules read it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { packageVersionOf } from "../../src/model/package-version.js";
import { parseInitFile } from "../../src/model/init-file.js";
import { cleanEnv, MIGRAKIT_BIN, makeReleaseRepo, PKG, runPrepare, seedFile, VERSIONS } from "./release-repo.js";

const COMPUTED_INIT = `"""Core schema."""
from importlib.metadata import version

_schema_id = "yvzi"
_migration = "dd2b4a9499f2"
__version__ = version("lnschema_core")
`;
const DEVELOP_INIT = COMPUTED_INIT.replace('version("lnschema_core")', '"develop"').replace(
  "from importlib.metadata import version\n\n",
  "",
);
const POETRY =
  '[tool.poetry]\nname = "lnschema_core"\nversion = "0.26.2"  # the source\n\n[build-system]\nrequires = ["poetry-core"]\n';
const PROJECT = '[project]\nname = "lnschema_core"\nversion = "0.26.2"\n\n[tool.poetry]\nversion = "0.0.0"\n';

const init = (text: string) => ({ path: `${PKG}/__init__.py`, parsed: parseInitFile(text) });
const py = (text: string) => ({ path: "pyproject.toml", text });

test("the source: a version literal in __init__.py, else [project] version, else [tool.poetry] version", () => {
  const literal = '__version__ = "1.2.0"\n';
  assert.equal(packageVersionOf(init(literal), py(PROJECT))?.source, "__version__");
  assert.deepEqual(
    (({ value, source, file, line }) => ({ value, source, file, line }))(
      packageVersionOf(init(COMPUTED_INIT), py(POETRY))!,
    ),
    { value: "0.26.2", source: "[tool.poetry] version", file: "pyproject.toml", line: 3 },
  );
  assert.equal(packageVersionOf(init(DEVELOP_INIT), py(PROJECT))?.source, "[project] version");
  // No pyproject version: "develop" stays the source, and the check reports it as not PEP 440.
  assert.equal(
    packageVersionOf(init(DEVELOP_INIT), py('[project]\nname = "x"\ndynamic = ["version"]\n'))?.value,
    "develop",
  );
  assert.equal(packageVersionOf(init(COMPUTED_INIT), null), null);
});

for (const [label, initText, pyproject, table] of [
  ["__version__ from importlib.metadata, [tool.poetry] version", COMPUTED_INIT, POETRY, "[tool.poetry]"],
  ['__version__ = "develop", [project] version', DEVELOP_INIT, PROJECT, "[project]"],
] as const) {
  test(`${label}: release-prepare bumps pyproject and leaves __init__.py alone; check --static passes`, (t) => {
    const repo = makeReleaseRepo({ init: initText, files: { "pyproject.toml": pyproject } });
    t.after(() => repo.cleanupAll());
    const staticCheck = () =>
      spawnSync(process.execPath, [MIGRAKIT_BIN, "check", "--static"], {
        cwd: repo.dir,
        env: cleanEnv(),
        encoding: "utf8",
      });
    const before = staticCheck();
    assert.equal(before.status, 0, before.stdout + before.stderr);
    assert.doesNotMatch(before.stdout + before.stderr, /EMIGRAKIT_(INIT_VALUE_UNREADABLE|VERSION_)/);

    const r = runPrepare(repo, ["--version", "1.0.0"]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout + r.stderr,
      new RegExp(`\\${table.slice(0, -1)}\\] version "0\\.26\\.2" → "1\\.0\\.0" in pyproject\\.toml`),
    );
    assert.equal(repo.read(`${PKG}/__init__.py`), initText);
    assert.equal(repo.read("pyproject.toml"), pyproject.replace('version = "0.26.2"', 'version = "1.0.0"'));
    assert.equal(existsSync(repo.path(seedFile)), false);
    assert.ok(existsSync(repo.path(`${VERSIONS}/2023-02-16-dd2b4a9499f2-v1_0_0.py`)));
    const after = staticCheck();
    assert.equal(after.status, 0, after.stdout + after.stderr);
  });
}

test("the check's version rules read pyproject's version: a script released ahead of it, a version that is not PEP 440", (t) => {
  const repo = makeReleaseRepo({
    init: COMPUTED_INIT,
    files: { "pyproject.toml": POETRY.replace("0.26.2", "0.26.1") },
  });
  t.after(() => repo.cleanupAll());
  const run = () =>
    spawnSync(process.execPath, [MIGRAKIT_BIN, "check", "--static"], {
      cwd: repo.dir,
      env: cleanEnv(),
      encoding: "utf8",
    });
  const ahead = run();
  assert.equal(ahead.status, 1, ahead.stdout + ahead.stderr);
  assert.match(ahead.stdout + ahead.stderr, /EMIGRAKIT_RELEASED_AHEAD/);
  repo.write("pyproject.toml", POETRY.replace("0.26.2", "latest"));
  const invalid = run();
  assert.equal(invalid.status, 1, invalid.stdout + invalid.stderr);
  assert.match(invalid.stdout + invalid.stderr, /EMIGRAKIT_VERSION_INVALID/);
  assert.match(invalid.stdout + invalid.stderr, /\[tool\.poetry\] version of pyproject\.toml is "latest"/);
});
