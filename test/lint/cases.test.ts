// The safety lint's case table (issue 13), on real scripts, real alembic and a real Postgres: the example
// schema package, one released script that creates the "existing" tables (schema `lint`), and one
// unreleased script per case (some cases span two), all in one chain and one `migrakit check --json` run.
// Each case names the rules that must fire on its scripts, and nothing else may: every rule fires, stays
// quiet on its safe form and on a table created earlier in the release; markers, raw SQL and transaction
// control are cases of their own. Run on both Python stacks.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { check, serverForFile } from "../check/dynamic-helpers.js";
import { REPO_ROOT, testPythons } from "../helpers/python.js";
import type { Finding } from "../../src/errors/finding.js";
import { RULE_BY_ID } from "../../src/lint/rules.js";

/** The code each kind of rule reports under. */
const CODE_OF_KIND: Record<string, string> = {
  destructive: "EMIGRAKIT_LINT_DESTRUCTIVE",
  data: "EMIGRAKIT_LINT_DATA",
  lock: "EMIGRAKIT_LINT_LOCK",
  rename: "EMIGRAKIT_LINT_RENAME",
  transaction: "EMIGRAKIT_LINT_TRANSACTION",
  sql: "EMIGRAKIT_LINT_SQL_UNPARSEABLE",
};

interface CaseScript {
  upgrade: string;
  /** Module-level lines (markers, `migrakit_transaction = False`). */
  top?: string;
}

interface Case {
  name: string;
  /** Rule ids of the findings expected on the case's scripts (in order of appearance). */
  rules: string[];
  /** Other lint codes expected (markers). */
  codes?: string[];
  scripts: CaseScript[];
  /** Python lines for the released script, creating what the case needs besides its table lint.e_N. */
  existing?: string;
}

const one = (upgrade: string, top?: string): CaseScript[] => [{ upgrade, ...(top ? { top } : {}) }];

// `T` stands for the case's existing table (lint.e_<n>), `N` for a new one (lint.n_<n>).
const CASES: Case[] = [
  // destructive
  { name: "drop table", rules: ["drop-table"], scripts: one(`op.drop_table("T", schema="lint")`) },
  {
    name: "drop table created in the same script",
    rules: [],
    scripts: one(
      `op.create_table("N", sa.Column("id", sa.Integer(), primary_key=True), schema="lint")\nop.drop_table("N", schema="lint")`,
    ),
  },
  {
    name: "drop table accepted by a marker",
    rules: [],
    scripts: one(
      `op.drop_table("T", schema="lint")`,
      "# migrakit: allow drop-table lint.T — replaced by lint.e_keep in this release",
    ),
  },
  {
    name: "marker without a reason is refused",
    rules: ["drop-table"],
    codes: ["EMIGRAKIT_LINT_MARKER_INVALID"],
    scripts: one(`op.drop_table("T", schema="lint")`, "# migrakit: allow drop-table lint.T"),
  },
  {
    name: "stale marker",
    rules: [],
    codes: ["EMIGRAKIT_LINT_MARKER_STALE"],
    scripts: one(
      `op.add_column("T", sa.Column("extra", sa.String(), nullable=True), schema="lint")`,
      "# migrakit: allow drop-column lint.T.note — moved to notes",
    ),
  },
  { name: "drop column", rules: ["drop-column"], scripts: one(`op.drop_column("T", "note", schema="lint")`) },
  {
    name: "drop column accepted by a marker",
    rules: [],
    scripts: one(
      `op.drop_column("T", "note", schema="lint")`,
      "# migrakit: allow drop-column lint.T.note — replaced by notes, backfilled in 0.3",
    ),
  },
  {
    name: "drop column of a table created in an earlier script of the release",
    rules: [],
    scripts: [
      {
        upgrade: `op.create_table("N", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("x", sa.String()), schema="lint")`,
      },
      { upgrade: `op.drop_column("N", "x", schema="lint")` },
    ],
  },
  {
    name: "drop schema",
    rules: ["drop-schema"],
    scripts: one(`op.execute("CREATE SCHEMA lint_tmp")\nop.execute("DROP SCHEMA lint_tmp")`),
  },
  {
    name: "narrow VARCHAR(50) to VARCHAR(20)",
    rules: ["narrow-type"],
    scripts: one(`op.alter_column("T", "v50", type_=sa.String(20), schema="lint")`),
  },
  {
    name: "widen VARCHAR(50) to VARCHAR(100) (no rewrite)",
    rules: [],
    scripts: one(`op.alter_column("T", "v50", type_=sa.String(100), schema="lint")`),
  },
  {
    name: "VARCHAR to VARCHAR(10)",
    rules: ["narrow-type"],
    scripts: one(`op.alter_column("T", "vs", type_=sa.String(10), schema="lint")`),
  },
  {
    name: "TEXT to VARCHAR(10)",
    rules: ["narrow-type"],
    scripts: one(`op.alter_column("T", "t", type_=sa.String(10), schema="lint")`),
  },
  {
    name: "VARCHAR(50) to TEXT (no rewrite)",
    rules: [],
    scripts: one(`op.alter_column("T", "v50", type_=sa.Text(), schema="lint")`),
  },
  {
    name: "NUMERIC(10,2) to NUMERIC(8,2)",
    rules: ["narrow-type"],
    scripts: one(`op.alter_column("T", "num", type_=sa.Numeric(8, 2), schema="lint")`),
  },
  {
    name: "NUMERIC(10,2) to NUMERIC(12,2) (no rewrite)",
    rules: [],
    scripts: one(`op.alter_column("T", "num", type_=sa.Numeric(12, 2), schema="lint")`),
  },
  {
    name: "BIGINT to INTEGER",
    rules: ["narrow-type"],
    scripts: one(`op.alter_column("T", "big", type_=sa.Integer(), schema="lint")`),
  },
  {
    name: "INTEGER to BIGINT rewrites",
    rules: ["rewrite-type"],
    scripts: one(`op.alter_column("T", "i", type_=sa.BigInteger(), schema="lint")`),
  },
  {
    name: "narrowing on a table created earlier in the release",
    rules: [],
    scripts: [
      {
        upgrade: `op.create_table("N", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("v", sa.String(50)), schema="lint")`,
      },
      { upgrade: `op.alter_column("N", "v", type_=sa.String(5), schema="lint")` },
    ],
  },
  {
    name: "drop an enum value",
    rules: ["drop-enum-value", "drop-type"],
    existing: `op.execute("CREATE TYPE lint.mood AS ENUM ('sad', 'ok', 'happy')")\nop.add_column("T", sa.Column("mood", postgresql.ENUM(name="mood", schema="lint", create_type=False)), schema="lint")`,
    scripts: one(
      [
        `postgresql.ENUM("ok", "happy", name="mood2", schema="lint").create(op.get_bind())`,
        `op.alter_column("T", "mood", type_=postgresql.ENUM("ok", "happy", name="mood2", schema="lint", create_type=False), postgresql_using="mood::text::lint.mood2", schema="lint")`,
        `op.execute("DROP TYPE lint.mood")`,
      ].join("\n"),
    ),
  },
  { name: "truncate", rules: ["truncate"], scripts: one(`op.execute("TRUNCATE lint.T")`) },
  // data-dependent
  {
    name: "add NOT NULL column without a default",
    rules: ["add-not-null-column"],
    scripts: one(`op.add_column("T", sa.Column("req", sa.Integer(), nullable=False), schema="lint")`),
  },
  {
    name: "add NOT NULL column with a constant default",
    rules: [],
    scripts: one(
      `op.add_column("T", sa.Column("req", sa.Integer(), nullable=False, server_default="0"), schema="lint")`,
    ),
  },
  {
    name: "add NOT NULL column to a table created earlier in the release",
    rules: [],
    scripts: [
      { upgrade: `op.create_table("N", sa.Column("id", sa.Integer(), primary_key=True), schema="lint")` },
      { upgrade: `op.add_column("N", sa.Column("req", sa.Integer(), nullable=False), schema="lint")` },
    ],
  },
  {
    name: "SET NOT NULL",
    rules: ["set-not-null"],
    scripts: one(`op.alter_column("T", "note", nullable=False, schema="lint")`),
  },
  {
    name: "unique index built concurrently, outside a transaction",
    rules: ["add-unique"],
    scripts: one(
      `with op.get_context().autocommit_block():\n    op.create_index("ix_T_vs", "T", ["vs"], unique=True, schema="lint", postgresql_concurrently=True)`,
      "migrakit_transaction = False",
    ),
  },
  {
    name: "unique constraint on an existing table",
    rules: ["add-unique", "add-constraint-without-index"],
    scripts: one(`op.create_unique_constraint("uq_T_vs", "T", ["vs"], schema="lint")`),
  },
  {
    name: "CHECK without NOT VALID",
    rules: ["add-check"],
    scripts: one(`op.create_check_constraint("ck_T_i", "T", "i > 0", schema="lint")`),
  },
  {
    name: "CHECK NOT VALID in raw SQL",
    rules: [],
    scripts: one(`op.execute("ALTER TABLE lint.T ADD CONSTRAINT ck_T_i CHECK (i > 0) NOT VALID")`),
  },
  {
    name: "FOREIGN KEY without NOT VALID",
    rules: ["add-foreign-key"],
    scripts: one(
      `op.create_foreign_key("fk_T_ref", "T", "T", ["ref"], ["id"], source_schema="lint", referent_schema="lint")`,
    ),
  },
  {
    name: "FOREIGN KEY NOT VALID in raw SQL",
    rules: [],
    scripts: one(
      `op.execute("ALTER TABLE lint.T ADD CONSTRAINT fk_T_ref FOREIGN KEY (ref) REFERENCES lint.T (id) NOT VALID")`,
    ),
  },
  // locks and rewrites
  {
    name: "index without CONCURRENTLY",
    rules: ["index-not-concurrent"],
    scripts: one(`op.create_index("ix_T_i", "T", ["i"], schema="lint")`),
  },
  {
    name: "index CONCURRENTLY in a non-transactional script",
    rules: [],
    scripts: one(
      `with op.get_context().autocommit_block():\n    op.create_index("ix_T_i", "T", ["i"], schema="lint", postgresql_concurrently=True)`,
      "migrakit_transaction = False",
    ),
  },
  {
    name: "index on a table created earlier in the release",
    rules: [],
    scripts: [
      {
        upgrade: `op.create_table("N", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("i", sa.Integer()), schema="lint")`,
      },
      { upgrade: `op.create_index("ix_N_i", "N", ["i"], schema="lint")` },
    ],
  },
  {
    name: "drop index without CONCURRENTLY",
    rules: ["index-not-concurrent"],
    existing: `op.create_index("ix_T_old", "T", ["i"], schema="lint")`,
    scripts: one(`op.drop_index("ix_T_old", table_name="T", schema="lint")`),
  },
  {
    name: "volatile default",
    rules: ["volatile-default"],
    scripts: one(`op.add_column("T", sa.Column("r", sa.Float(), server_default=sa.text("random()")), schema="lint")`),
  },
  {
    name: "stable default now() (no rewrite from Postgres 11)",
    rules: [],
    scripts: one(`op.add_column("T", sa.Column("at", sa.DateTime(), server_default=sa.func.now()), schema="lint")`),
  },
  {
    name: "ADD PRIMARY KEY without USING INDEX",
    rules: ["add-constraint-without-index"],
    existing: `op.create_table("k_T", sa.Column("id", sa.Integer(), nullable=False), schema="lint")`,
    scripts: one(`op.create_primary_key("pk_k_T", "k_T", ["id"], schema="lint")`),
  },
  {
    name: "ADD PRIMARY KEY USING INDEX in raw SQL",
    rules: [],
    existing: `op.create_table("k_T", sa.Column("id", sa.Integer(), nullable=False), schema="lint")\nop.create_index("ix_k_T", "k_T", ["id"], unique=True, schema="lint")`,
    scripts: one(`op.execute("ALTER TABLE lint.k_T ADD CONSTRAINT pk_k_T PRIMARY KEY USING INDEX ix_k_T")`),
  },
  // backward-incompatible
  {
    name: "rename column",
    rules: ["rename-column"],
    scripts: one(`op.alter_column("T", "note", new_column_name="remark", schema="lint")`),
  },
  { name: "rename table", rules: ["rename-table"], scripts: one(`op.rename_table("T", "T_renamed", schema="lint")`) },
  {
    name: "rename column of a table created earlier in the release",
    rules: [],
    scripts: [
      {
        upgrade: `op.create_table("N", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("x", sa.String()), schema="lint")`,
      },
      { upgrade: `op.alter_column("N", "x", new_column_name="y", schema="lint")` },
    ],
  },
  // transaction control
  // A literal op.execute("COMMIT") or autocommit_block() is refused by the static rule (EMIGRAKIT_SCRIPT_TRANSACTION_CONTROL,
  // before any of this runs); the recorded ops and the parser also see a COMMIT inside a longer SQL text.
  {
    name: "COMMIT inside a multi-statement SQL text",
    rules: ["transaction-control"],
    scripts: one(`op.execute("UPDATE lint.T SET note = 'x' WHERE id = 0; COMMIT")`),
  },
  // raw SQL
  {
    name: "raw SQL drop column",
    rules: ["drop-column"],
    scripts: one(`op.execute("ALTER TABLE lint.T DROP COLUMN note")`),
  },
  {
    name: "SQL sent past alembic (bind.execute)",
    rules: ["set-not-null"],
    scripts: one(`op.get_bind().execute(sa.text("ALTER TABLE lint.T ALTER COLUMN note SET NOT NULL"))`),
  },
  {
    name: "raw SQL data migration with a bound value",
    rules: [],
    scripts: one(`op.execute(sa.text("UPDATE lint.T SET note = :v WHERE note IS NULL").bindparams(v="x"))`),
  },
  {
    name: "a DO block is reported as not checked",
    rules: ["unparseable-sql"],
    scripts: one(`op.execute("DO $$ BEGIN PERFORM 1; END $$")`),
  },
];

const rev = (s: string) => createHash("sha1").update(s).digest("hex").slice(0, 12);
const RELEASED = rev("lint-released");

function fill(text: string, n: number) {
  return text
    .replace(/k_T/g, `k_${n}`)
    .replace(/_T_/g, `_${n}_`)
    .replace(/_T\b/g, `_${n}`)
    .replace(/\bT\b/g, `e_${n}`)
    .replace(/\bN\b/g, `n_${n}`);
}

const indent = (body: string) =>
  body
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");

function scriptFile(header: string, revision: string, down: string, body: string, top = "") {
  return [
    `"""${header}"""`,
    "from alembic import op",
    "import sqlalchemy as sa  # noqa",
    "from sqlalchemy.dialects import postgresql  # noqa",
    ...(top ? ["", top] : []),
    "",
    `revision = "${revision}"`,
    `down_revision = "${down}"`,
    "",
    "",
    "def upgrade() -> None:",
    indent(body),
    "",
    "",
    "def downgrade() -> None:",
    "    pass",
    "",
  ].join("\n");
}

interface Built {
  dir: string;
  /** script file (repo-relative) → case index */
  owner: Map<string, number>;
}

function buildRepo(): Built {
  const dir = mkdtempSync(join(tmpdir(), "migrakit-lint-cases-"));
  cpSync(join(REPO_ROOT, "examples/schema-repo"), dir, { recursive: true, filter: (s) => !s.includes("__pycache__") });
  const versions = "lnschema_demo/migrations/versions";
  const existing = [`op.execute("CREATE SCHEMA lint")`];
  CASES.forEach((c, n) => {
    existing.push(
      `op.create_table("e_${n}", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("v50", sa.String(50)), sa.Column("vs", sa.String()), sa.Column("t", sa.Text()), sa.Column("num", sa.Numeric(10, 2)), sa.Column("big", sa.BigInteger()), sa.Column("i", sa.Integer()), sa.Column("note", sa.String()), sa.Column("ref", sa.Integer()), schema="lint")`,
    );
    if (c.existing) existing.push(fill(c.existing, n));
  });
  writeFileSync(
    join(dir, versions, `2023-03-01-${RELEASED}-v0_3_0.py`),
    scriptFile("v0.3.0.", RELEASED, "dd2b4a9499f2", existing.join("\n")),
  );
  const owner = new Map<string, number>();
  let down = RELEASED;
  CASES.forEach((c, n) => {
    c.scripts.forEach((s, k) => {
      const revision = rev(`case-${n}-${k}`);
      const file = `${versions}/2023-03-02-${revision}-vx_x_x.py`;
      writeFileSync(
        join(dir, file),
        scriptFile("vX.X.X.", revision, down, fill(s.upgrade, n), s.top ? fill(s.top, n) : ""),
      );
      owner.set(file, n);
      down = revision;
    });
  });
  writeFileSync(
    join(dir, "lnschema_demo/__init__.py"),
    `"""lnschema_demo."""\n\n_schema_id = "demo"\n_migration = "${down}"\n__version__ = "0.3.0"\n\nfrom ._core import Run, Transform, User  # noqa: E402,F401\n`,
  );
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=t@example.com", ...args], { cwd: dir });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "lint cases");
  return { dir, owner };
}

const ruleOf = (f: Finding) => /^([a-z-]+):/.exec(f.message)?.[1] ?? "?";

const { pg, cache } = serverForFile();
let repo: Built;
before(() => {
  repo = buildRepo();
});
after(() => rmSync(repo.dir, { recursive: true, force: true }));

assert.ok(CASES.length + CASES.filter((c) => c.codes).length >= 40, "the table has at least 40 cases");

for (const { name, python } of testPythons()) {
  describe(`the lint's case table (${name} stack)`, () => {
    let byCase: Finding[][];
    before(() => {
      const r = check(repo.dir, {
        python,
        databaseUrl: pg.adminUrl,
        cacheHome: cache(),
        args: ["--json", "--no-cache"],
      });
      const doc = JSON.parse(r.stdout) as { findings: Finding[] };
      const upgradeFailed = doc.findings.filter(
        (f) => f.code === "EMIGRAKIT_UPGRADE_FAILED" || f.code === "EMIGRAKIT_REPLAY_FAILED",
      );
      assert.deepEqual(upgradeFailed, [], r.all);
      assert.ok(
        doc.findings.some((f) => f.code.startsWith("EMIGRAKIT_LINT_")),
        `the lint ran:\n${r.all}`,
      );
      byCase = CASES.map(() => []);
      for (const f of doc.findings) {
        if (!f.code.startsWith("EMIGRAKIT_LINT_")) continue;
        const n = repo.owner.get(f.file ?? "");
        assert.ok(n !== undefined, `a lint finding outside the case scripts: ${JSON.stringify(f)}`);
        byCase[n].push(f);
      }
    });
    CASES.forEach((c, n) => {
      test(c.name, () => {
        const found = byCase[n]!;
        const markers = found.filter((f) => f.code.startsWith("EMIGRAKIT_LINT_MARKER_"));
        const rules = found.filter((f) => !f.code.startsWith("EMIGRAKIT_LINT_MARKER_"));
        assert.deepEqual(rules.map(ruleOf), c.rules, JSON.stringify(found, null, 1));
        assert.deepEqual(
          markers.map((f) => f.code),
          c.codes ?? [],
          JSON.stringify(found, null, 1),
        );
        for (const f of rules) {
          const rule = RULE_BY_ID[ruleOf(f)]!;
          assert.equal(f.code, CODE_OF_KIND[rule.kind]);
          assert.equal(f.severity, rule.severity);
        }
        for (const f of found) assert.ok(f.line && f.line > 1, `a line on the script: ${JSON.stringify(f)}`);
      });
    });
  });
}
