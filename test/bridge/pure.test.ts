// Pure parts of the bridge client: wire format, candidate order, preflight, error mapping.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRequest, LineSplitter, parseResponse } from "../../src/bridge/protocol.js";
import { pythonCandidates } from "../../src/bridge/interpreter.js";
import {
  atLeast,
  missingRequirements,
  pipCommand,
  preflightError,
  requirementFor,
} from "../../src/bridge/preflight.js";
import { innermost, remoteError, remoteFailureOf } from "../../src/bridge/remote-error.js";
import type { PythonVersions } from "../../src/bridge/contract.js";

test("requests are one JSON line; responses parse or say why not", () => {
  assert.equal(encodeRequest(3, "heads", { package: "p" }), '{"id":3,"method":"heads","params":{"package":"p"}}\n');
  assert.deepEqual(parseResponse('{"id":3,"result":["abc"]}'), { id: 3, result: ["abc"] });
  assert.deepEqual(parseResponse('{"id":4,"error":{"type":"E","message":"m","traceback":"t","category":"database"}}'), {
    id: 4,
    error: { type: "E", message: "m", traceback: "t", category: "database", frames: [] },
  });
  const frame = { file: "pkg/_core.py", line: 7, function: "<module>", code: "x = 1 / 0" };
  const answer = { type: "E", message: "m", traceback: "t", category: "error", frames: [frame, { file: "x" }, 3] };
  assert.deepEqual(parseResponse(JSON.stringify({ id: 5, error: answer })), {
    id: 5,
    error: { ...answer, frames: [frame] },
  });
  assert.equal(parseResponse("Traceback (most recent call last):"), "not JSON");
  assert.equal(parseResponse("[1]"), "not a JSON object");
  assert.equal(parseResponse('{"result":1}'), "no numeric id");
  assert.equal(parseResponse('{"id":1}'), "neither a result nor an error");
});

test("lines are split across chunks", () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push('{"id":1,'), []);
  assert.deepEqual(s.push('"result":1}\n{"id"'), ['{"id":1,"result":1}']);
  assert.deepEqual(s.push(':2,"result":2}\r\n\n'), ['{"id":2,"result":2}']);
  assert.deepEqual(s.push("tail"), []);
  assert.deepEqual(s.end(), ["tail"]);
});

test("interpreter candidates follow docs/spec.md §3", () => {
  const c = pythonCandidates({
    configPython: "py/bin/python",
    cwd: "/repo",
    env: { MIGRAKIT_PYTHON: "/m/python", VIRTUAL_ENV: "/venv" },
    platform: "linux",
  });
  assert.deepEqual(
    c.map((x) => [x.python, x.source, x.explicit]),
    [
      ["py/bin/python", "config", true],
      ["/m/python", "MIGRAKIT_PYTHON", true],
      ["/venv/bin/python", "VIRTUAL_ENV", false],
      ["/repo/.venv/bin/python", ".venv", false],
      ["python3", "PATH", false],
      ["python", "PATH", false],
    ],
  );
  assert.deepEqual(
    pythonCandidates({ cwd: "/repo", env: {}, platform: "linux" }).map((x) => x.source),
    [".venv", "PATH", "PATH"],
  );
});

const complete: PythonVersions = {
  python: "3.11.7",
  executable: "/x/python",
  implementation: "CPython",
  alembic: "1.9.4",
  sqlalchemy: "1.4.41",
  sqlmodel: "0.0.8",
  pydantic: "1.10.27",
  psycopg2: "2.9.13",
  psycopg: null,
  driver: "psycopg2",
  protocol: 1,
};

test("preflight: nothing missing, or exactly what is missing with the pip command", () => {
  assert.equal(preflightError("/x/python", complete), null);
  assert.deepEqual(missingRequirements({ ...complete, alembic: null, driver: null }), [
    "alembic>=1.8",
    "psycopg2-binary",
  ]);
  assert.deepEqual(missingRequirements({ ...complete, alembic: "1.7.7", sqlalchemy: "1.3.24" }), [
    "alembic>=1.8",
    "sqlalchemy>=1.4",
  ]);
  const err = preflightError("/my env/python", { ...complete, alembic: null });
  assert.equal(err?.code, "EMIGRAKIT_PYTHON_PACKAGE_MISSING");
  assert.equal(err?.exitCode, 3);
  assert.match(err!.message, /lacks alembic>=1\.8/);
  assert.equal(err!.fix, "Install it into that interpreter: '/my env/python' -m pip install 'alembic>=1.8'");
  const old = preflightError("/x/python", { ...complete, python: "3.7.17" });
  assert.equal(old?.code, "EMIGRAKIT_PYTHON_TOO_OLD");
  assert.equal(pipCommand("python3", ["psycopg[binary]"]), "python3 -m pip install 'psycopg[binary]'");
  assert.equal(requirementFor("psycopg2.extras"), "psycopg2-binary");
  assert.equal(requirementFor("lnschema_core"), "lnschema_core");
  assert.ok(atLeast("1.10.0", [1, 8]) && !atLeast("1.7.99", [1, 8]) && atLeast("2.0.0b3", [1, 4]));
});

const traceback =
  'Traceback (most recent call last):\n  File "/a/env.py", line 3, in <module>\n  File "/r/versions/2023-x.py", line 12, in upgrade\nZeroDivisionError: division by zero\n';
const frames = [
  { file: "/a/env.py", line: 3, function: "<module>", code: "run_migrations_online()" },
  {
    file: "pkg/migrations/versions/2023-x.py",
    line: 12,
    function: "upgrade",
    code: 'op.execute("postgresql://me:s3cret@db/x")',
  },
];

test("a Python error becomes a MigrakitError with method, redacted params and exit code", () => {
  const params = { package: "p", url: "postgresql://me:s3cret@db/x" };
  const err = remoteError("/x/python", "upgrade", params, {
    type: "ZeroDivisionError",
    message: "division by zero",
    traceback,
    category: "error",
    frames,
  });
  assert.equal(err.code, "EMIGRAKIT_PYTHON_ERROR");
  assert.equal(err.exitCode, 1);
  assert.equal(
    err.message,
    "upgrade failed in Python: ZeroDivisionError: division by zero (pkg/migrations/versions/2023-x.py:12)",
    "the innermost of the repo's frames Python reported",
  );
  assert.deepEqual(err.details.params, { package: "p", url: "postgresql://me:***@db/x" });
  assert.equal(err.details.traceback, traceback);
  const redacted = [frames[0], { ...frames[1], code: 'op.execute("postgresql://me:***@db/x")' }];
  assert.deepEqual(remoteFailureOf(err), { type: "ZeroDivisionError", message: "division by zero", frames: redacted });
  assert.equal(innermost([]), undefined);

  const db = remoteError("/x/python", "current", params, {
    type: "OperationalError",
    message: 'connection to "postgresql://me:s3cret@db/x" failed',
    traceback: "",
    category: "database",
    frames: [],
  });
  assert.equal(db.code, "EMIGRAKIT_BRIDGE_DATABASE");
  assert.equal(db.exitCode, 3);
  assert.doesNotMatch(db.message + JSON.stringify(db.details), /s3cret/);
  assert.equal(remoteFailureOf(db), undefined);

  const missing = remoteError("/x/python", "package", params, {
    type: "ModuleNotFoundError",
    message: "No module named 'sqlmodel'",
    traceback,
    category: "missing_module",
    frames: [],
    module: "sqlmodel",
  });
  assert.equal(missing.code, "EMIGRAKIT_PYTHON_PACKAGE_MISSING");
  assert.equal(missing.exitCode, 3);
  assert.equal(missing.fix, "Install it into that interpreter: /x/python -m pip install sqlmodel");
});
