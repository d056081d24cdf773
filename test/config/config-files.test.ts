// Configuration files a hostile or merely unusual user writes: prototype-named keys in JSON (issue 16 item 17)
// and every TOML spelling of the `tool.migrakit` table (item 18), through the real CLI.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chain, headOf, makeSchemaRepo } from "../helpers/schema-repo.js";
import { runCli } from "../helpers/cli.js";

const scripts = chain(2, { released: 1 });
const init = { version: "0.1.0", migration: headOf(scripts) };

function codesOf(files: Record<string, string>): {
  status: number | null;
  errors: { code: string; message: string }[];
  stderr: string;
} {
  const repo = makeSchemaRepo({ scripts, init, files });
  try {
    const r = runCli(["check", "--static", "--json"], { cwd: repo.dir });
    const out = JSON.parse(r.stdout) as {
      errors?: { code: string; message: string }[];
      findings?: { code: string; message: string }[];
    };
    return { status: r.status, errors: [...(out.errors ?? []), ...(out.findings ?? [])], stderr: r.stderr };
  } finally {
    repo.cleanup();
  }
}

for (const key of ["__proto__", "toString", "constructor", "hasOwnProperty"]) {
  test(`config: a key named ${key} in migrakit.config.json is an unknown key (exit 2), not a crash`, () => {
    const r = codesOf({ "migrakit.config.json": `{"${key}": ${key === "toString" ? "1" : "{}"}}` });
    assert.equal(r.status, 2, r.stderr);
    assert.deepEqual(
      r.errors.map((e) => e.code),
      ["EMIGRAKIT_CONFIG_UNKNOWN_KEY"],
    );
    assert.ok(r.errors[0]!.message.includes(key), r.errors[0]!.message);
    assert.doesNotMatch(r.stderr, /is not a function|\n\s+at /);
  });
}

test("config: a prerelease channel named like an Object member is not a PEP 440 letter", (t) => {
  const repo = makeSchemaRepo({ scripts, init });
  t.after(() => repo.cleanup());
  const r = runCli(["release-prepare", "--version", "1.0.0-constructor.1", "--dry-run"], { cwd: repo.dir });
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /EMIGRAKIT_VERSION_UNMAPPABLE/);
});

// Each spelling sets packages = ["nothere"], which check --static reports as EMIGRAKIT_VERSIONS_MISSING: proof the
// table was read.
const spellings: [string, string][] = [
  ["[tool.migrakit]", '[tool.migrakit]\npackages = ["nothere"]\n'],
  ["[tool] + dotted key", '[tool]\nmigrakit.packages = ["nothere"]\n'],
  ["quoted key", '[tool."migrakit"]\npackages = ["nothere"]\n'],
  ["spaced header", '[ tool . migrakit ]\npackages = ["nothere"]\n'],
  ["inline table", 'tool = { migrakit = { packages = ["nothere"] } }\n'],
  ["top-level dotted key", 'tool.migrakit.packages = ["nothere"]\n'],
  ["only a sub-table [tool.migrakit.orm]", '[tool.migrakit.orm]\nnothere = ["*.py"]\n[tool.migrakit.x]\n'],
];

for (const [name, toml] of spellings) {
  test(`config: pyproject ${name} is read`, () => {
    const r = codesOf({ "pyproject.toml": `${toml}\n[project]\nname = "demo"\n` });
    assert.equal(r.status, 2, r.stderr);
    const expected = name.startsWith("only a sub-table")
      ? "EMIGRAKIT_CONFIG_UNKNOWN_KEY"
      : "EMIGRAKIT_VERSIONS_MISSING";
    assert.deepEqual(
      r.errors.map((e) => e.code),
      [expected],
      JSON.stringify(r.errors),
    );
  });
}

test("config: [tool.migrakit.orm] gives the orm setting", () => {
  const r = codesOf({ "pyproject.toml": '[tool.migrakit.orm]\nlnschema_demo = "not-a-list"\n' });
  assert.equal(r.status, 2, r.stderr);
  assert.deepEqual(
    r.errors.map((e) => e.code),
    ["EMIGRAKIT_CONFIG_INVALID"],
  );
  assert.match(r.errors[0]!.message, /orm/);
});

test("config: a pyproject without tool.migrakit leaves the defaults", () => {
  const r = codesOf({ "pyproject.toml": '[project]\nname = "migrakit-user"\n[tool.black]\nline-length = 100\n' });
  assert.equal(r.status, 0, r.stderr);
});
