// The safety rules: each has a stable id (the name users write in `# migrakit: allow <id> …` markers and
// that docs/lint.md has a section for), a kind (the finding's code), a severity and a one-line why. A rule
// looks at one action with what is known around it: whether the table is new in this release (created by
// an earlier op of the same lint run: no rows, nobody reads it yet, so lock and data rules do not apply),
// whether the script runs in a transaction, and the Postgres version. Pure.
import { tableLabel, type Action, type TableName } from "./actions.js";
import { typeChange } from "./pg-types.js";

export type RuleKind = "destructive" | "data" | "lock" | "rename" | "transaction" | "sql";

export interface Rule {
  id: string;
  kind: RuleKind;
  severity: "error" | "warning";
  why: string;
}

const rule = (id: string, kind: RuleKind, severity: "error" | "warning", why: string): Rule => ({
  id,
  kind,
  severity,
  why,
});

export const RULES: Rule[] = [
  rule("drop-table", "destructive", "error", "its rows are gone for good, and running code that reads it fails"),
  rule("drop-column", "destructive", "error", "its values are gone for good, and running code that selects it fails"),
  rule("drop-schema", "destructive", "error", "every table in it is gone for good"),
  rule(
    "drop-type",
    "destructive",
    "error",
    "columns of that type must have been dropped or converted first; a deployed package still using it breaks",
  ),
  rule(
    "narrow-type",
    "destructive",
    "error",
    "values that do not fit the new type make the deploy fail, or are cut (and the table is rewritten)",
  ),
  rule("drop-enum-value", "destructive", "error", "rows holding the removed value make the conversion fail"),
  rule("truncate", "destructive", "error", "every row of the table is deleted"),
  rule(
    "add-not-null-column",
    "data",
    "error",
    "on a table with rows it fails: the existing rows have no value for the new column",
  ),
  rule(
    "set-not-null",
    "data",
    "warning",
    "fails if any row holds NULL, and scans the whole table under an ACCESS EXCLUSIVE lock",
  ),
  rule("add-unique", "data", "warning", "fails if existing rows hold duplicates"),
  rule(
    "add-check",
    "data",
    "warning",
    "validates every existing row under a lock that blocks writes, and fails on a row that breaks it",
  ),
  rule(
    "add-foreign-key",
    "data",
    "warning",
    "validates every existing row, locking both tables against writes, and fails on an orphan row",
  ),
  rule(
    "index-not-concurrent",
    "lock",
    "warning",
    "blocks writes to the table (CREATE) or all access (DROP) until it finishes",
  ),
  rule(
    "rewrite-type",
    "lock",
    "warning",
    "rewrites the whole table and its indexes under an ACCESS EXCLUSIVE lock (reads and writes wait)",
  ),
  rule(
    "volatile-default",
    "lock",
    "warning",
    "a volatile default is computed for every row: the table is rewritten under an ACCESS EXCLUSIVE lock",
  ),
  rule("add-constraint-without-index", "lock", "warning", "builds its index while holding a lock that blocks writes"),
  rule(
    "rename-table",
    "rename",
    "warning",
    "a deployed older package still uses the old name and breaks until it is upgraded",
  ),
  rule(
    "rename-column",
    "rename",
    "warning",
    "a deployed older package still uses the old name and breaks until it is upgraded",
  ),
  rule(
    "transaction-control",
    "transaction",
    "error",
    "the script runs in deploy's transaction: a COMMIT inside it makes the deploy half-done on a failure, and an autocommit block cannot be rolled back",
  ),
  rule("unparseable-sql", "sql", "warning", "the lint cannot see what it does"),
];

export const RULE_BY_ID: Record<string, Rule> = Object.fromEntries(RULES.map((r) => [r.id, r]));

export interface Hit {
  rule: string;
  /** What the marker names: `schema.table`, `schema.table.column`, or the object's own name. */
  object: string;
  what: string;
  /** The table whose size matters (lock and rewrite rules, with `check --against`). */
  table?: TableName;
  line: number | null;
}

export interface RuleContext {
  /** The table was created earlier in this release (or this script): no rows yet, nobody uses it yet. */
  isNew(table: TableName): boolean;
  /** The index was created earlier in this release. */
  isNewIndex(name: string | null): boolean;
  transactional: boolean;
  /** The major version of the Postgres the scripts are deployed to. */
  postgresVersion: number;
}

const columnLabel = (t: TableName, c: string) => `${tableLabel(t)}.${c}`;

/** Functions whose value changes per row; Postgres's catalog says so for recorded ops, this list serves raw SQL. */
export const KNOWN_VOLATILE = [
  "random",
  "gen_random_uuid",
  "uuid_generate_v1",
  "uuid_generate_v4",
  "clock_timestamp",
  "timeofday",
  "nextval",
  "txid_current",
  "statement_timestamp",
];

export function evaluate(a: Action, c: RuleContext): Hit[] {
  const line = a.line;
  const hit = (rule: string, object: string, what: string, table?: TableName): Hit => ({
    rule,
    object,
    what,
    line,
    ...(table ? { table } : {}),
  });
  switch (a.kind) {
    case "drop-table":
      return c.isNew(a.table) ? [] : [hit("drop-table", tableLabel(a.table), `drops table ${tableLabel(a.table)}`)];
    case "drop-column":
      return c.isNew(a.table)
        ? []
        : [hit("drop-column", columnLabel(a.table, a.column), `drops column ${columnLabel(a.table, a.column)}`)];
    case "drop-schema":
      return [hit("drop-schema", a.schema, `drops schema ${a.schema}`)];
    case "drop-type":
      return [hit("drop-type", a.type, `drops type ${a.type}`)];
    case "truncate":
      return c.isNew(a.table) ? [] : [hit("truncate", tableLabel(a.table), `truncates ${tableLabel(a.table)}`)];
    case "rename-table":
      return c.isNew(a.table)
        ? []
        : [hit("rename-table", tableLabel(a.table), `renames table ${tableLabel(a.table)} to ${a.to}`)];
    case "rename-column":
      return c.isNew(a.table)
        ? []
        : [
            hit(
              "rename-column",
              columnLabel(a.table, a.column),
              `renames column ${columnLabel(a.table, a.column)} to ${a.to}`,
            ),
          ];
    case "add-column": {
      if (c.isNew(a.table)) return [];
      const out: Hit[] = [];
      const object = columnLabel(a.table, a.column);
      if (a.notNull && a.default === null)
        out.push(hit("add-not-null-column", object, `adds NOT NULL column ${object} without a server default`));
      if (a.default !== null && (a.volatile.length > 0 || c.postgresVersion < 11)) {
        const reason = a.volatile.length > 0 ? `volatile ${a.volatile.join(", ")}()` : `any default before Postgres 11`;
        out.push(hit("volatile-default", object, `adds ${object} with DEFAULT ${a.default} (${reason})`, a.table));
      }
      return out;
    }
    case "alter-type": {
      if (c.isNew(a.table)) return [];
      const object = columnLabel(a.table, a.column);
      if (!a.from)
        return [
          hit(
            "rewrite-type",
            object,
            `changes the type of ${object} to ${a.to} (from a type the lint could not read: check whether it rewrites)`,
            a.table,
          ),
        ];
      const lost = a.from.enum_labels && a.toLabels ? a.from.enum_labels.filter((l) => !a.toLabels!.includes(l)) : [];
      if (lost.length)
        return [
          hit(
            "drop-enum-value",
            object,
            `converts ${object} to an enum without ${lost.map((l) => `'${l}'`).join(", ")}`,
          ),
        ];
      const change = a.from.enum_labels && a.toLabels ? "rewrite" : typeChange(a.from.type, a.to);
      if (change === "narrowing")
        return [hit("narrow-type", object, `narrows ${object} from ${a.from.type} to ${a.to}`)];
      if (change === "rewrite")
        return [
          hit(
            "rewrite-type",
            object,
            `changes ${object} from ${a.from.type} to ${a.to}, which rewrites the table`,
            a.table,
          ),
        ];
      return []; // same, or binary-coercible (VARCHAR widening, VARCHAR → TEXT): a catalog change only
    }
    case "set-not-null":
      return c.isNew(a.table)
        ? []
        : [
            hit(
              "set-not-null",
              columnLabel(a.table, a.column),
              `sets ${columnLabel(a.table, a.column)} NOT NULL`,
              a.table,
            ),
          ];
    case "create-index": {
      if (a.table && c.isNew(a.table)) return [];
      const label = a.name ?? "(unnamed)";
      const on = a.table ? ` on ${tableLabel(a.table)}` : "";
      const out: Hit[] = [];
      if (a.unique) out.push(hit("add-unique", a.name ?? label, `creates unique index ${label}${on}`));
      if (!a.concurrently)
        out.push(
          hit(
            "index-not-concurrent",
            a.name ?? label,
            `creates index ${label}${on} without CONCURRENTLY`,
            a.table ?? undefined,
          ),
        );
      return out;
    }
    case "drop-index":
      if (a.concurrently || c.isNewIndex(a.name) || (a.table && c.isNew(a.table))) return [];
      return [
        hit(
          "index-not-concurrent",
          a.name ?? "(unnamed)",
          `drops index ${a.name ?? "(unnamed)"} without CONCURRENTLY`,
          a.table ?? undefined,
        ),
      ];
    case "add-constraint": {
      if (c.isNew(a.table)) return [];
      const label = `${a.name ?? "(unnamed)"} on ${tableLabel(a.table)}`;
      const object = a.name ?? tableLabel(a.table);
      const out: Hit[] = [];
      if (a.constraint === "check" && !a.notValid)
        out.push(hit("add-check", object, `adds CHECK ${label} without NOT VALID`, a.table));
      if (a.constraint === "foreign" && !a.notValid)
        out.push(hit("add-foreign-key", object, `adds FOREIGN KEY ${label} without NOT VALID`, a.table));
      if ((a.constraint === "unique" || a.constraint === "primary") && !a.usingIndex) {
        if (a.constraint === "unique") out.push(hit("add-unique", object, `adds UNIQUE ${label}`));
        out.push(
          hit(
            "add-constraint-without-index",
            object,
            `adds ${a.constraint === "unique" ? "UNIQUE" : "PRIMARY KEY"} ${label} without USING INDEX`,
            a.table,
          ),
        );
      }
      return out;
    }
    case "transaction":
      return c.transactional
        ? [hit("transaction-control", a.what.replace(/\(\)$/, ""), `${a.what} in a script that runs in a transaction`)]
        : [];
    case "unparseable":
      return [
        hit("unparseable-sql", "sql", `\`${a.sql.length > 60 ? `${a.sql.slice(0, 60)}…` : a.sql}\` (${a.error})`),
      ];
    case "unrecorded":
      return [hit("unparseable-sql", "op", `an op the recorder could not read (${a.error})`)];
    case "create-table":
      return [];
  }
}
