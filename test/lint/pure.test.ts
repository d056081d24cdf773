// The lint's pure parts: type changes, rules on actions, markers, the SQL reader, sizes, and the whole
// lint over recorded ops (as the bridge answers them) without Python or Postgres.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseType, typeChange } from "../../src/lint/pg-types.js";
import { evaluate, RULES, type RuleContext } from "../../src/lint/rules.js";
import { markerMatches, readMarkers } from "../../src/lint/markers.js";
import { sqlActions, withoutDriverPlaceholders } from "../../src/lint/sql.js";
import { formatBytes, formatRows, describeSize } from "../../src/lint/sizes.js";
import { lintScripts } from "../../src/lint/lint.js";
import { generatedDrops } from "../../src/lint/generated.js";
import type { Recorded } from "../../src/lint/recorded.js";

const existing: RuleContext = { isNew: () => false, isNewIndex: () => false, transactional: true, postgresVersion: 17 };
const T = { schema: "core", name: "run" };

test("type changes: which narrow, which rewrite, which are a catalog change only", () => {
  const cases: [string, string, string][] = [
    ["character varying(50)", "VARCHAR(20)", "narrowing"],
    ["character varying(50)", "VARCHAR(100)", "no-rewrite"],
    ["character varying", "VARCHAR(10)", "narrowing"],
    ["text", "VARCHAR(10)", "narrowing"],
    ["character varying(50)", "TEXT", "no-rewrite"],
    ["text", "VARCHAR", "no-rewrite"],
    ["numeric(10,2)", "NUMERIC(8, 2)", "narrowing"],
    ["numeric(10,2)", "NUMERIC(12, 2)", "no-rewrite"],
    ["numeric(10,2)", "NUMERIC(12, 4)", "rewrite"],
    ["numeric(10,2)", "NUMERIC", "no-rewrite"],
    ["bigint", "INTEGER", "narrowing"],
    ["integer", "BIGINT", "rewrite"],
    ["integer", "INTEGER", "same"],
    ["timestamp without time zone", "TIMESTAMP WITH TIME ZONE", "rewrite"],
    ["double precision", "REAL", "narrowing"],
    ["character varying(5)[]", "VARCHAR(5)[]", "same"],
  ];
  for (const [from, to, want] of cases) assert.equal(typeChange(from, to), want, `${from} → ${to}`);
  assert.deepEqual(parseType("character varying(50)"), { base: "varchar", args: [50], array: false });
});

test("rules: each destructive rule fires on an existing table and not on a new one", () => {
  const isNew: RuleContext = { ...existing, isNew: () => true };
  const drop = { line: 3, kind: "drop-column" as const, table: T, column: "note" };
  assert.deepEqual(
    evaluate(drop, existing).map((h) => [h.rule, h.object]),
    [["drop-column", "core.run.note"]],
  );
  assert.deepEqual(evaluate(drop, isNew), []);
  assert.deepEqual(
    evaluate({ line: 1, kind: "drop-schema", schema: "core" }, isNew).map((h) => h.rule),
    ["drop-schema"],
    "a schema is never new",
  );
});

test("rules: defaults rewrite before Postgres 11, volatile ones always", () => {
  const add = {
    line: 1,
    kind: "add-column" as const,
    table: T,
    column: "at",
    notNull: false,
    default: "now()",
    volatile: [],
  };
  assert.deepEqual(evaluate(add, existing), []);
  assert.deepEqual(
    evaluate(add, { ...existing, postgresVersion: 10 }).map((h) => h.rule),
    ["volatile-default"],
  );
  assert.deepEqual(
    evaluate({ ...add, volatile: ["random"] }, existing).map((h) => h.rule),
    ["volatile-default"],
  );
});

test("rules: transaction control only matters in a transactional script; enum labels lost", () => {
  const tx = { line: 1, kind: "transaction" as const, what: "COMMIT" };
  assert.deepEqual(
    evaluate(tx, existing).map((h) => h.rule),
    ["transaction-control"],
  );
  assert.deepEqual(evaluate(tx, { ...existing, transactional: false }), []);
  const alter = {
    line: 1,
    kind: "alter-type" as const,
    table: T,
    column: "mood",
    from: { type: "mood", nullable: true, enum_labels: ["a", "b"] },
    to: "mood2",
    toLabels: ["a"],
  };
  assert.deepEqual(
    evaluate(alter, existing).map((h) => [h.rule, h.what]),
    [["drop-enum-value", "converts core.run.mood to an enum without 'b'"]],
  );
});

test("every rule has an id, a why and a section in docs/lint.md", async () => {
  const { readFileSync } = await import("node:fs");
  const { REPO_ROOT } = await import("../helpers/python.js");
  const docs = readFileSync(`${REPO_ROOT}/docs/lint.md`, "utf8");
  for (const r of RULES) {
    assert.match(r.id, /^[a-z]+(-[a-z]+)*$/);
    assert.ok(r.why.length > 10);
    assert.ok(docs.includes(`### \`${r.id}\``), `docs/lint.md has a section for ${r.id}`);
  }
});

test("markers: rule, object and reason; without a reason it is invalid; public. is optional", () => {
  const { markers, invalid } = readMarkers(
    [
      "x = 1",
      "# migrakit: allow drop-column core.run.note — replaced by run.notes",
      "    # migrakit: allow drop-table run -- gone",
      "# migrakit: allow drop-table core.x",
      "# migrakit: allowed nothing",
    ].join("\n"),
  );
  assert.deepEqual(markers, [
    { line: 2, rule: "drop-column", object: "core.run.note", reason: "replaced by run.notes" },
    { line: 3, rule: "drop-table", object: "run", reason: "gone" },
  ]);
  assert.deepEqual(invalid, [{ line: 4, text: "# migrakit: allow drop-table core.x" }]);
  assert.ok(markerMatches(markers[1]!, "drop-table", "public.run"));
  assert.ok(!markerMatches(markers[1]!, "drop-column", "run"));
});

test("raw SQL: parsed by Postgres's parser into the same actions; garbage is reported, never skipped", async () => {
  const actions = await sqlActions(
    "ALTER TABLE core.run DROP COLUMN note; CREATE INDEX CONCURRENTLY ix ON core.run (a); COMMIT; TRUNCATE core.run",
    7,
    false,
  );
  assert.deepEqual(
    actions.map((a) => a.kind),
    ["drop-column", "create-index", "transaction", "truncate"],
  );
  const bad = await sqlActions("ALTER TABLEE core.run", 9, false);
  assert.equal(bad.length, 1);
  assert.equal(bad[0]!.kind, "unparseable");
  assert.equal(
    withoutDriverPlaceholders("UPDATE t SET a = %(a)s WHERE b = %s AND c LIKE 'x%%'"),
    "UPDATE t SET a = $1 WHERE b = $1 AND c LIKE 'x%'",
  );
});

test("constraints from SQL: in a column's definition and in ADD CONSTRAINT, one action each the lint has a rule for", async () => {
  const actions = await sqlActions(
    "ALTER TABLE core.run ADD COLUMN ref text NOT NULL UNIQUE; " +
      "ALTER TABLE core.run ADD CONSTRAINT pk_run PRIMARY KEY USING INDEX ix_run; " +
      "ALTER TABLE core.run ADD CONSTRAINT ck_run CHECK (a > 0) NOT VALID",
    3,
    false,
  );
  assert.deepEqual(
    actions.filter((a) => a.kind === "add-constraint"),
    [
      {
        line: 3,
        kind: "add-constraint",
        table: T,
        constraint: "unique",
        name: null,
        notValid: false,
        usingIndex: false,
      },
      {
        line: 3,
        kind: "add-constraint",
        table: T,
        constraint: "primary",
        name: "pk_run",
        notValid: false,
        usingIndex: true,
      },
      {
        line: 3,
        kind: "add-constraint",
        table: T,
        constraint: "check",
        name: "ck_run",
        notValid: true,
        usingIndex: false,
      },
    ],
  );
});

test("sizes are shown the way a person reads them", () => {
  assert.equal(formatRows(4_100_000), "4.1 M rows");
  assert.equal(formatRows(1), "1 row");
  assert.equal(formatBytes(2.3 * 1024 ** 3), "2.3 GB");
  assert.equal(describeSize(T, { rows: 12, bytes: 8192 }), "core.run on the instance: 12 rows, 8.0 kB");
});

test("generate's drops: table and column drops in alembic's rendering, with the marker to add", () => {
  const drops = generatedDrops(
    "    op.drop_index(op.f('ix_x'), table_name='user', schema='core')\n    op.drop_column('user', 'handle', schema='core')\n    op.drop_table('run')",
  );
  assert.deepEqual(
    drops.map((d) => [d.rule, d.object]),
    [
      ["drop-table", "run"],
      ["drop-column", "core.user.handle"],
    ],
  );
  assert.equal(drops[1]!.marker, "# migrakit: allow drop-column core.user.handle — <why this is safe>");
});

test("the whole lint over recorded ops: new tables exempt across scripts, markers, allowDestructive, stale markers", async () => {
  const recorded: Recorded = {
    a: { path: "a.py", transactional: true, ops: [{ op: "create_table", schema: "core", table: "fresh", line: 5 }] },
    b: {
      path: "b.py",
      transactional: true,
      ops: [
        { op: "drop_table", schema: "core", table: "fresh", line: 6 },
        { op: "drop_column", schema: "core", table: "run", column: "note", line: 7 },
        {
          op: "create_index",
          schema: "core",
          table: "run",
          name: "ix_run_a",
          unique: false,
          concurrently: false,
          line: 8,
        },
      ],
    },
  };
  const scripts = [
    { revision: "a", file: "a.py", text: "", release: "unreleased" },
    {
      revision: "b",
      file: "b.py",
      text: "# migrakit: allow index-not-concurrent ix_run_a — tiny table\n# migrakit: allow drop-table core.gone — old",
      release: "unreleased",
    },
  ];
  const r = await lintScripts({ scripts, recorded, allowDestructive: false, postgresVersion: 17 });
  assert.deepEqual(
    r.findings.map((f) => [f.code, f.line, f.severity]),
    [
      ["EMIGRAKIT_LINT_DESTRUCTIVE", 7, "error"],
      ["EMIGRAKIT_LINT_MARKER_STALE", 2, "warning"],
    ],
  );
  assert.equal(r.hits.find((h) => h.rule === "index-not-concurrent")?.accepted, "tiny table");
  const allowed = await lintScripts({ scripts, recorded, allowDestructive: true, postgresVersion: 17 });
  assert.deepEqual(
    allowed.findings.map((f) => f.code),
    ["EMIGRAKIT_LINT_MARKER_STALE"],
  );
  const sized = await lintScripts({
    scripts: [{ ...scripts[1]!, text: "" }],
    recorded,
    allowDestructive: true,
    postgresVersion: 17,
    sizes: new Map([["core.run", { rows: 4_100_000, bytes: 2.3 * 1024 ** 3 }]]),
  });
  const lock = sized.findings.find((f) => f.code === "EMIGRAKIT_LINT_LOCK")!;
  assert.match(lock.message, /\(core\.run on the instance: 4\.1 M rows, 2\.3 GB\)$/);
});

test("transaction control: generate's ADD VALUE form for Postgres before 12 is accepted, any other control is not", async () => {
  const { transactionControl } = await import("../../src/lint/transaction-text.js");
  const generated = [
    "def upgrade():",
    "    if (op.get_context().dialect.server_version_info or (12,)) < (12,):",
    "        with op.get_context().autocommit_block():",
    `            op.execute("ALTER TYPE core.kind ADD VALUE IF NOT EXISTS 'c' AFTER 'a'")`,
    `            op.execute("ALTER TYPE core.kind ADD VALUE IF NOT EXISTS 'd'")`,
    "    else:",
    `        op.execute("ALTER TYPE core.kind ADD VALUE IF NOT EXISTS 'c' AFTER 'a'")`,
  ].join("\n");
  assert.deepEqual(transactionControl(generated), { flagged: [], accepted: [3] });
  const block = (body: string[]) =>
    ["def upgrade():", "    with op.get_context().autocommit_block():", ...body.map((b) => `        ${b}`)].join("\n");
  // Not idempotent, something else in the block, or nothing in it: flagged as before.
  for (const body of [
    [`op.execute("ALTER TYPE kind ADD VALUE 'c'")`],
    [`op.execute("ALTER TYPE kind ADD VALUE IF NOT EXISTS 'c'")`, `op.execute("UPDATE t SET k = 'c'")`],
    [`op.execute("ALTER TYPE kind ADD VALUE IF NOT EXISTS 'c'; COMMIT")`],
    ["pass"],
  ])
    assert.deepEqual(
      transactionControl(block(body)).flagged,
      [{ line: 2, what: "autocommit_block()" }],
      body.join("; "),
    );
  // The block ends where the indentation does: a COMMIT after it is still found.
  const after = `${block([`op.execute("ALTER TYPE kind ADD VALUE IF NOT EXISTS 'c'")`])}\n    op.execute("COMMIT")`;
  assert.deepEqual(transactionControl(after), { flagged: [{ line: 4, what: "COMMIT" }], accepted: [2] });
});

test("transaction control is reported once: the lint leaves the lines the static rule speaks for", async () => {
  const text = [
    "def upgrade():",
    '    op.execute("COMMIT")',
    "    with op.get_context().autocommit_block():",
    `        op.execute("ALTER TYPE kind ADD VALUE IF NOT EXISTS 'c'")`,
    "    op.execute(sql_built_at_run_time)",
  ].join("\n");
  const recorded: Recorded = {
    a: {
      path: "a.py",
      transactional: true,
      ops: [
        { op: "execute", sql: "COMMIT", line: 2 },
        { op: "autocommit_block", line: 3 },
        { op: "execute", sql: "ALTER TYPE kind ADD VALUE IF NOT EXISTS 'c'", line: 4 },
        { op: "execute", sql: "COMMIT", line: 5 },
      ],
    },
  } as unknown as Recorded;
  const r = await lintScripts({
    scripts: [{ revision: "a", file: "a.py", text, release: "unreleased" }],
    recorded,
    allowDestructive: false,
    postgresVersion: 17,
  });
  // Line 2 is the static check's (EMIGRAKIT_SCRIPT_TRANSACTION_CONTROL), line 3 its accepted form; only the
  // COMMIT the text does not show is the lint's.
  assert.deepEqual(
    r.findings.map((f) => [f.code, f.line]),
    [["EMIGRAKIT_LINT_TRANSACTION", 5]],
  );
  // Deploy's prompt still names the COMMIT the static check reports (a hit, not a second finding).
  assert.deepEqual(
    r.hits.map((h) => [h.rule, h.line]),
    [
      ["transaction-control", 2],
      ["transaction-control", 5],
    ],
  );
});
