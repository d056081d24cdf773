// The canonical text of a database schema, from rows read out of the catalogue (fingerprint.ts).
// Pure: everything sorted by name, one line per fact, so two databases with the same schema give the
// same text whatever order things were created in, and a diff of two texts shows what differs.
// Column order is left out on purpose: a downgrade that re-adds a column puts it last, and alembic
// (like migrakit's comparison) does not consider physical column order part of the schema.
import { createHash } from "node:crypto";

export interface SchemaSnapshot {
  schemas: string[];
  relations: { schema: string; name: string; kind: string; definition?: string }[];
  columns: {
    schema: string;
    table: string;
    name: string;
    type: string;
    notNull: boolean;
    default: string | null;
    identity: string;
    generated: string;
  }[];
  constraints: { schema: string; table: string; name: string; type: string; definition: string }[];
  indexes: { schema: string; table: string; name: string; definition: string }[];
  sequences: { schema: string; name: string; definition: string }[];
  enums: { schema: string; name: string; labels: string[] }[];
}

const CONSTRAINT_KINDS: Record<string, string> = {
  p: "primary key",
  u: "unique",
  f: "foreign key",
  c: "check",
  x: "exclusion",
  t: "trigger",
  n: "not null",
};
const RELATION_KINDS: Record<string, string> = {
  r: "table",
  p: "partitioned table",
  v: "view",
  m: "materialized view",
  f: "foreign table",
};

const byName =
  <T>(key: (x: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

export function renderSchema(s: SchemaSnapshot): string {
  const out: string[] = [];
  for (const schema of [...s.schemas].sort()) out.push(`schema ${schema}`);
  for (const e of [...s.enums].sort(byName((x) => `${x.schema}.${x.name}`)))
    out.push(`enum ${e.schema}.${e.name} (${e.labels.join(", ")})`);
  for (const q of [...s.sequences].sort(byName((x) => `${x.schema}.${x.name}`)))
    out.push(`sequence ${q.schema}.${q.name} ${q.definition}`);
  const key = (x: { schema: string; table: string; name: string }) => `${x.schema}.${x.table}\u0000${x.name}`;
  const columns = [...s.columns].sort(byName(key));
  const constraints = [...s.constraints].sort(byName(key));
  const indexes = [...s.indexes].sort(byName(key));
  for (const r of [...s.relations].sort(byName((x) => `${x.schema}.${x.name}`))) {
    const kind = RELATION_KINDS[r.kind] ?? r.kind;
    out.push(`${kind} ${r.schema}.${r.name}` + (r.definition ? ` as ${r.definition.replace(/\s+/g, " ").trim()}` : ""));
    const mine = (x: { schema: string; table: string }) => x.schema === r.schema && x.table === r.name;
    for (const c of columns.filter(mine)) {
      const parts = [`  column ${c.name} ${c.type}`, c.notNull ? "not null" : "null"];
      if (c.default !== null) parts.push(`default ${c.default}`);
      if (c.identity) parts.push(`identity ${c.identity === "a" ? "always" : "by default"}`);
      if (c.generated) parts.push("generated stored");
      out.push(parts.join(" "));
    }
    for (const c of constraints.filter(mine))
      out.push(`  constraint ${c.name} ${CONSTRAINT_KINDS[c.type] ?? c.type} ${c.definition}`);
    for (const i of indexes.filter(mine)) out.push(`  index ${i.name} ${i.definition}`);
  }
  return out.join("\n") + "\n";
}

export function hashText(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Does `table` of `schema` match one of the exclusions (`name` in any schema, or `schema.name`)? Pure. */
export function isExcluded(schema: string, table: string, exclude: readonly string[]): boolean {
  return exclude.some((x) => x === table || x === `${schema}.${table}`);
}
