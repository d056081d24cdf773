// `migrakit check --static` on malformed schema repos: each case gives its code, the documented exit code,
// and leaves every file as it was.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chain, headOf, initText, makeSchemaRepo, scriptText, type RepoSpec } from "../helpers/schema-repo.js";
import { runCli } from "../helpers/cli.js";

const three = chain(3, { released: 2 });
const [a, b, c] = three as [(typeof three)[0], (typeof three)[0], (typeof three)[0]];
const initFor = (scripts: RepoSpec["scripts"], extra: Record<string, unknown> = {}) => ({
  version: "0.2.0",
  migration: headOf(scripts ?? []),
  ...extra,
});

interface Case {
  name: string;
  spec: RepoSpec;
  code: string;
  exit: 1 | 2;
  /** A part of the report that must name the place of the problem. */
  where?: string;
  /** Extra arguments after `check --static`. */
  args?: string[];
}

const cases: Case[] = [
  {
    name: "_migration is not the head",
    spec: { scripts: three, init: { version: "0.2.0", migration: b.revision } },
    code: "EMIGRAKIT_MIGRATION_MISMATCH",
    exit: 1,
    where: "__init__.py:",
  },
  {
    name: "_migration missing",
    spec: { scripts: three, init: { version: "0.2.0" } },
    code: "EMIGRAKIT_MIGRATION_MISSING",
    exit: 1,
  },
  {
    name: "__version__ missing",
    spec: { scripts: three, init: { migration: c.revision } },
    code: "EMIGRAKIT_VERSION_MISSING",
    exit: 1,
  },
  {
    name: "__version__ not PEP 440",
    spec: { scripts: three, init: { migration: c.revision, version: "one.two" } },
    code: "EMIGRAKIT_VERSION_INVALID",
    exit: 1,
  },
  { name: "no __init__.py", spec: { scripts: three, init: null }, code: "EMIGRAKIT_INIT_MISSING", exit: 1 },
  {
    name: "__init__.py not UTF-8",
    spec: { scripts: three, init: Buffer.from([0x5f, 0x5f, 0xff, 0xfe, 0x0a]) },
    code: "EMIGRAKIT_INIT_UNREADABLE",
    exit: 1,
  },
  {
    name: "computed __version__",
    spec: { scripts: three, init: `_migration = "${c.revision}"\n__version__ = get_version()\n` },
    code: "EMIGRAKIT_INIT_VALUE_UNREADABLE",
    exit: 1,
    where: "__init__.py:2",
  },
  {
    name: "bad _schema_id",
    spec: { scripts: three, init: initFor(three, { schemaId: "Bad-Id" }) },
    code: "EMIGRAKIT_SCHEMA_ID_INVALID",
    exit: 1,
  },
  {
    name: "empty versions folder with _migration set",
    spec: { scripts: [], init: { version: "0.1.0", migration: "dd2b4a9499f2" } },
    code: "EMIGRAKIT_MIGRATION_MISMATCH",
    exit: 1,
  },
  {
    name: "script not UTF-8",
    spec: {
      scripts: [a, b, { ...c, raw: Buffer.concat([Buffer.from(scriptText(c)), Buffer.from([0xc3, 0x28])]) }],
      init: initFor(three),
    },
    code: "EMIGRAKIT_SCRIPT_NOT_UTF8",
    exit: 1,
  },
  {
    name: "script with a syntax error",
    spec: { scripts: [a, b, { ...c, upgrade: 'op.execute("unterminated)' }], init: initFor(three) },
    code: "EMIGRAKIT_SCRIPT_SYNTAX",
    exit: 1,
  },
  {
    name: "unbalanced brackets",
    spec: {
      scripts: [a, b, { ...c, upgrade: "op.add_column('t', sa.Column('c', sa.Integer())" }],
      init: initFor(three),
    },
    code: "EMIGRAKIT_SCRIPT_SYNTAX",
    exit: 1,
  },
  {
    name: "impossible date in the name",
    spec: { scripts: [a, b, { ...c, date: "2023-02-30" }], init: initFor(three) },
    code: "EMIGRAKIT_SCRIPT_DATE",
    exit: 1,
  },
  {
    name: "revision assignment missing",
    spec: {
      scripts: [a, b, { ...c, raw: scriptText(c).replace(/^revision = .*$/m, "") }],
      init: { version: "0.2.0", migration: c.revision },
    },
    code: "EMIGRAKIT_REVISION_MISSING",
    exit: 1,
  },
  {
    name: "down_revision missing",
    spec: { scripts: [a, b, { ...c, raw: scriptText(c).replace(/^down_revision = .*$/m, "") }], init: initFor(three) },
    code: "EMIGRAKIT_DOWN_REVISION_MISSING",
    exit: 1,
  },
  {
    name: "file name and revision differ",
    spec: { scripts: [a, b, { ...c, file: `2023-02-16-aaaaaaaaaaaa-vx_x_x.py` }], init: initFor(three) },
    code: "EMIGRAKIT_REVISION_NAME_MISMATCH",
    exit: 1,
  },
  {
    name: "unreleased revision not 12 hex",
    spec: {
      scripts: [
        a,
        b,
        {
          ...c,
          revision: "NOT-HEX",
          file: "2023-02-16-NOThex-vx_x_x.py",
          raw: scriptText({ ...c, revision: "NOThex" }),
        },
      ],
      init: { version: "0.2.0", migration: "NOThex" },
    },
    code: "EMIGRAKIT_REVISION_FORMAT",
    exit: 1,
  },
  {
    name: "unreleased script without header",
    spec: { scripts: [a, b, { ...c, header: null }], init: initFor(three) },
    code: "EMIGRAKIT_HEADER_MISSING",
    exit: 1,
  },
  {
    name: "unreleased script with a released header",
    spec: { scripts: [a, b, { ...c, header: "v0.3.0." }], init: initFor(three) },
    code: "EMIGRAKIT_HEADER_MISMATCH",
    exit: 1,
  },
  {
    name: "released script with the wrong header version",
    spec: { scripts: [a, { ...b, header: "v0.9.0." }, c], init: initFor(three) },
    code: "EMIGRAKIT_HEADER_MISMATCH",
    exit: 1,
  },
  {
    name: "released script still headed vX.X.X",
    spec: { scripts: [a, { ...b, header: "vX.X.X." }, c], init: initFor(three) },
    code: "EMIGRAKIT_HEADER_MISMATCH",
    exit: 1,
  },
  {
    name: "two scripts with one revision",
    spec: { scripts: [a, b, c, { ...c, date: "2023-03-01" }], init: initFor(three) },
    code: "EMIGRAKIT_DUPLICATE_REVISION",
    exit: 1,
  },
  {
    name: "down_revision names a missing script",
    spec: { scripts: [a, b, { ...c, down: "ffffffffffff" }], init: initFor(three) },
    code: "EMIGRAKIT_MISSING_PARENT",
    exit: 1,
  },
  {
    name: "a cycle",
    spec: {
      scripts: [a, { ...b, down: c.revision }, { ...c, down: b.revision }],
      init: { version: "0.2.0", migration: c.revision },
    },
    code: "EMIGRAKIT_CYCLE",
    exit: 1,
  },
  {
    name: "two roots",
    spec: { scripts: [a, b, { ...c, down: null }], init: { version: "0.2.0", migration: c.revision } },
    code: "EMIGRAKIT_MULTIPLE_ROOTS",
    exit: 1,
    where: `set down_revision = "${b.revision}" (the head of the other chain)`,
  },
  {
    name: "two heads (two branches added a script)",
    spec: { scripts: [a, b, c, { revision: "0123456789ab", down: b.revision }], init: initFor(three) },
    code: "EMIGRAKIT_MULTIPLE_HEADS",
    exit: 1,
    where: "Run `migrakit rebase` after merging the other branch",
  },
  {
    name: "two heads, one released: rebase is the step",
    spec: { scripts: [a, b, { revision: "0123456789ab", down: a.revision }], init: initFor(three) },
    code: "EMIGRAKIT_MULTIPLE_HEADS",
    exit: 1,
    where: `of 0123456789ab (lnschema_demo/migrations/versions/`,
  },
  {
    name: "two released heads: not rebase (it cannot move them), a merge under the alembic convention",
    spec: {
      scripts: [a, b, { revision: "0123456789ab", down: a.revision, slug: "v0_2_0" }],
      init: { version: "0.2.0", migration: b.revision },
    },
    code: "EMIGRAKIT_MULTIPLE_HEADS",
    exit: 1,
    where: "alembic merge",
  },
  {
    name: "a merge revision",
    spec: {
      scripts: [a, b, { revision: "0123456789ab", down: a.revision }, { ...c, down: [b.revision, "0123456789ab"] }],
      init: initFor(three),
    },
    code: "EMIGRAKIT_MERGE_REVISION",
    exit: 1,
  },
  {
    name: "released after unreleased",
    spec: { scripts: [a, { ...b, slug: "vx_x_x" }, { ...c, slug: "v0_2_0" }], init: initFor(three) },
    code: "EMIGRAKIT_UNRELEASED_NOT_AT_TIP",
    exit: 1,
  },
  {
    name: "legacy name after an unreleased script",
    spec: { scripts: [a, { ...b, slug: "vx_x_x" }, { ...c, slug: "storage" }], init: initFor(three) },
    code: "EMIGRAKIT_SCRIPT_NAME",
    exit: 1,
  },
  {
    name: "released versions go backwards",
    spec: {
      scripts: [{ ...a, slug: "v0_5_0" }, { ...b, slug: "v0_2_0" }, c],
      init: { version: "0.5.0", migration: c.revision },
    },
    code: "EMIGRAKIT_RELEASE_ORDER",
    exit: 1,
  },
  {
    name: "script released ahead of __version__",
    spec: { scripts: [a, { ...b, slug: "v2_0_0" }, c], init: initFor(three) },
    code: "EMIGRAKIT_RELEASED_AHEAD",
    exit: 1,
  },
  {
    name: "unknown config key",
    spec: { scripts: three, init: initFor(three), files: { "migrakit.config.json": '{"baseLine": "replay"}' } },
    code: "EMIGRAKIT_CONFIG_UNKNOWN_KEY",
    exit: 2,
  },
  {
    name: "bad config value",
    spec: {
      scripts: three,
      init: initFor(three),
      files: { "package.json": '{"name":"x","migrakit":{"baseline":"sometimes"}}' },
    },
    code: "EMIGRAKIT_CONFIG_INVALID",
    exit: 2,
  },
  {
    name: "config file that is not JSON",
    spec: { scripts: three, init: initFor(three), files: { "migrakit.config.json": "{baseline: replay" } },
    code: "EMIGRAKIT_CONFIG_PARSE",
    exit: 2,
  },
  {
    name: "bad TOML in pyproject",
    spec: {
      scripts: three,
      init: initFor(three),
      files: { "pyproject.toml": '[tool.migrakit]\nbaseline = "replay\n' },
    },
    code: "EMIGRAKIT_CONFIG_PARSE",
    exit: 2,
  },
  {
    name: "bad database URL in pyproject",
    spec: {
      scripts: three,
      init: initFor(three),
      files: { "pyproject.toml": '[tool.migrakit]\ndatabase = "mysql://x"\n' },
    },
    code: "EMIGRAKIT_CONFIG_INVALID",
    exit: 2,
  },
  {
    name: "configured package without versions folder",
    spec: { scripts: three, init: initFor(three), files: { "migrakit.config.json": '{"packages": ["nothere"]}' } },
    code: "EMIGRAKIT_VERSIONS_MISSING",
    exit: 2,
  },
  {
    name: "--package naming no schema package",
    spec: {
      scripts: three,
      init: initFor(three),
      files: {
        "other_pkg/migrations/versions/.gitkeep": "",
        "other_pkg/__init__.py": initText({ version: "0.1.0", migration: null }),
      },
    },
    code: "EMIGRAKIT_UNKNOWN_PACKAGE",
    exit: 2,
    args: ["--package", "nope"],
  },
];

for (const k of cases) {
  test(`check --static: ${k.name} → ${k.code}`, (t) => {
    const repo = makeSchemaRepo(k.spec);
    t.after(() => repo.cleanup());
    const before = repo.snapshot();
    const args = ["check", "--static", ...(k.args ?? [])];
    const r = runCli([...args, "--json"], { cwd: repo.dir });
    const out = JSON.parse(r.stdout) as { findings?: { code: string }[]; errors?: { code: string }[] };
    const codes = [...(out.findings ?? []), ...(out.errors ?? [])].map((f) => f.code);
    assert.ok(codes.includes(k.code), `expected ${k.code}, got ${codes.join(", ") || "nothing"}\n${r.stderr}`);
    assert.equal(r.status, k.exit, r.stderr);
    const text = runCli(args, { cwd: repo.dir });
    assert.equal(text.status, k.exit);
    assert.doesNotMatch(text.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, "no stack trace for an expected failure");
    assert.match(text.stderr, new RegExp(`${k.code}: .+\\n  fix: .+`));
    if (k.where) assert.ok(text.stderr.includes(k.where), `report names ${k.where}:\n${text.stderr}`);
    assert.deepEqual(repo.snapshot(), before, "no file is modified");
  });
}

test("check --static: a clean repo passes with exit 0", (t) => {
  const scripts = chain(5, { released: 3 });
  const repo = makeSchemaRepo({ scripts, init: { version: "0.3.0", migration: headOf(scripts) } });
  t.after(() => repo.cleanup());
  repo.git("tag", "v0.3.0"); // released scripts: without their tag the released-unchanged rule says it could not run
  const r = runCli(["check", "--static"], { cwd: repo.dir });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /no problems found/);
});

test("check --static: GitHub annotations carry file and line", (t) => {
  const repo = makeSchemaRepo({ scripts: three, init: { version: "0.2.0", migration: b.revision } });
  t.after(() => repo.cleanup());
  const r = runCli(["check", "--static"], { cwd: repo.dir, env: { GITHUB_ACTIONS: "true" } });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^::error file=lnschema_demo\/__init__\.py,line=\d+,title=EMIGRAKIT_MIGRATION_MISMATCH::/m);
});

test("check --static: a released script changed since its release tag", (t) => {
  const repo = makeSchemaRepo({ scripts: three, init: initFor(three) });
  t.after(() => repo.cleanup());
  repo.git("tag", "v0.2.0");
  const path = `${repo.pkg}/migrations/versions/${`2023-02-11-${b.revision}-v0_2_0.py`}`;
  repo.write(path, repo.read(path).replace("pass", 'op.execute("select 1")'));
  const r = runCli(["check", "--static", "--json"], { cwd: repo.dir });
  assert.equal(r.status, 1);
  const out = JSON.parse(r.stdout) as { findings: { code: string; file: string }[] };
  assert.deepEqual(
    out.findings.map((f) => [f.code, f.file]),
    [["EMIGRAKIT_RELEASED_CHANGED", path]],
  );
  // Tags packed by git gc are found too.
  repo.git("pack-refs", "--all");
  const packed = JSON.parse(runCli(["check", "--static", "--json"], { cwd: repo.dir }).stdout) as {
    findings: { code: string }[];
  };
  assert.deepEqual(
    packed.findings.map((f) => f.code),
    ["EMIGRAKIT_RELEASED_CHANGED"],
  );
});

test("check --static: every package of a repo that holds several", (t) => {
  const repo = makeSchemaRepo({
    scripts: three,
    init: initFor(three),
    files: {
      "other_pkg/migrations/versions/.gitkeep": "",
      "other_pkg/__init__.py": initText({ version: "0.1.0", migration: "abcdefabcdef" }),
    },
  });
  t.after(() => repo.cleanup());
  repo.git("tag", "v0.2.0");
  const r = runCli(["check", "--static", "--json"], { cwd: repo.dir });
  assert.equal(r.status, 1);
  const out = JSON.parse(r.stdout) as { packages: string[]; findings: { code: string; file: string }[] };
  assert.deepEqual(out.packages, ["lnschema_demo", "other_pkg"]);
  assert.deepEqual(
    out.findings.map((f) => [f.code, f.file]),
    [["EMIGRAKIT_MIGRATION_MISMATCH", "other_pkg/__init__.py"]],
  );
  assert.equal(runCli(["check", "--static", "--package", "lnschema_demo"], { cwd: repo.dir }).status, 0);
});

test("check: an unknown option is a usage error (exit 2)", (t) => {
  const repo = makeSchemaRepo({ scripts: three, init: initFor(three) });
  t.after(() => repo.cleanup());
  assert.equal(runCli(["check", "--statik"], { cwd: repo.dir }).status, 2);
  assert.equal(runCli(["check", "--static", "--cwd", "/does/not/exist"], { cwd: repo.dir }).status, 2);
});
