// A schema fingerprint for round-trip checks (upgrade, downgrade, upgrade again: same schema?), and row
// counts. Read from pg_catalog with search_path set to pg_catalog alone, so that every name in a
// definition Postgres prints is schema-qualified the same way in both databases compared.
import type pg from "pg";
import { connect, withClient } from "./connect.js";
import { hashText, isExcluded, renderSchema, type SchemaSnapshot } from "./fingerprint-text.js";
import { quoteIdent } from "./identifiers.js";

export interface FingerprintOptions {
  /** Only these schemas (default: every schema but the system ones). */
  schemas?: string[];
  /** Tables to leave out, as `name` or `schema.name` (the alembic version table, typically). */
  excludeTables?: string[];
}

const USER_SCHEMAS = `n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`;

// The catalogue queries of one snapshot, sent as one simple-protocol message: one round trip and one parse
// instead of eight (a check reads four fingerprints or more per run; about a third of each read went to the
// round trips). Each statement still runs under the search_path the first one sets.
const SNAPSHOT_SQL = [
  "SET search_path = pg_catalog",
  `SELECT n.nspname AS name FROM pg_namespace n WHERE ${USER_SCHEMAS}`,
  `SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
          CASE WHEN c.relkind IN ('v','m') THEN pg_get_viewdef(c.oid) END AS definition
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r','p','v','m','f') AND ${USER_SCHEMAS}`,
  `SELECT n.nspname AS schema, c.relname AS table, a.attname AS name,
          format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS "notNull",
          pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity::text AS identity, a.attgenerated::text AS generated
     FROM pg_attribute a
     JOIN pg_class c ON c.oid = a.attrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','p','v','m','f') AND ${USER_SCHEMAS}`,
  `SELECT n.nspname AS schema, c.relname AS table, k.conname AS name, k.contype::text AS type,
          pg_get_constraintdef(k.oid, true) AS definition
     FROM pg_constraint k
     JOIN pg_class c ON c.oid = k.conrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${USER_SCHEMAS}`,
  `SELECT n.nspname AS schema, t.relname AS table, i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
     FROM pg_index x
     JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE ${USER_SCHEMAS}`,
  `SELECT schemaname AS schema, sequencename AS name,
          format('%s start %s increment %s min %s max %s cache %s%s', data_type, start_value, increment_by,
                 min_value, max_value, cache_size, CASE WHEN cycle THEN ' cycle' ELSE '' END) AS definition
     FROM pg_sequences n WHERE schemaname NOT LIKE 'pg\\_%' AND schemaname <> 'information_schema'`,
  `SELECT n.nspname AS schema, t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
     FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE ${USER_SCHEMAS} GROUP BY n.nspname, t.typname`,
].join(";\n");

async function readSnapshot(client: pg.Client, opts: FingerprintOptions): Promise<SchemaSnapshot> {
  // Several statements in one query answer with one result each, in order (the SET's first).
  const results = (await client.query(SNAPSHOT_SQL)) as unknown as pg.QueryResult[];
  const rows = <T>(i: number) => results[i]!.rows as T[];
  const schemas = rows<{ name: string }>(1);
  const relations = rows<{ schema: string; name: string; kind: string; definition: string | null }>(2);
  const columns = rows<SchemaSnapshot["columns"][number]>(3);
  const constraints = rows<SchemaSnapshot["constraints"][number]>(4);
  const indexes = rows<SchemaSnapshot["indexes"][number]>(5);
  const sequences = rows<{ schema: string; name: string; definition: string }>(6);
  const enums = rows<{ schema: string; name: string; labels: string[] }>(7);
  const inSchemas = (schema: string) => !opts.schemas || opts.schemas.includes(schema);
  const exclude = opts.excludeTables ?? [];
  const keepTable = (x: { schema: string; table: string }) =>
    inSchemas(x.schema) && !isExcluded(x.schema, x.table, exclude);
  // What a schema holds, excluded tables (the version table) not counted.
  const occupied = new Set(
    [...relations.filter((r) => keepTable({ schema: r.schema, table: r.name })), ...sequences, ...enums].map(
      (x) => x.schema,
    ),
  );
  return {
    // An empty schema is no difference: migrakit creates the ORM's schemas before every upgrade (so a
    // script's downgrade cannot be asked to take one away), and nothing lives in it.
    schemas: schemas
      .map((s) => s.name)
      .filter((name) => occupied.has(name))
      .filter(inSchemas),
    relations: relations
      .filter((r) => keepTable({ schema: r.schema, table: r.name }))
      .map((r) => ({
        schema: r.schema,
        name: r.name,
        kind: r.kind,
        ...(r.definition ? { definition: r.definition } : {}),
      })),
    columns: columns.filter(keepTable),
    constraints: constraints.filter(keepTable),
    indexes: indexes.filter(keepTable),
    sequences: sequences.filter((s) => inSchemas(s.schema)),
    enums: enums.filter((e) => inSchemas(e.schema)),
  };
}

/** The schema of the database at `url` as canonical text and its sha256. */
export async function schemaFingerprint(
  url: string,
  opts: FingerprintOptions = {},
): Promise<{ text: string; hash: string }> {
  const text = await withClient(url, async (client) => renderSchema(await readSnapshot(client, opts)));
  return { text, hash: hashText(text) };
}

/**
 * Fingerprints of one database over one kept connection, for a check that reads several in a row (a
 * connection each would cost a server process each). `close()` before the database is dropped.
 */
export async function fingerprintReader(url: string, opts: FingerprintOptions = {}): Promise<FingerprintReader> {
  const client = await connect(url);
  let closed: Promise<void> | undefined;
  return {
    read: async () => renderSchema(await readSnapshot(client, opts)),
    close: () => (closed ??= client.end().catch(() => {})),
  };
}

export interface FingerprintReader {
  read(): Promise<string>;
  /** Ends the connection; a second call waits for the first. */
  close(): Promise<void>;
}

/**
 * A reader with the database's fingerprint as it is now already read (`first`): for a database that is only
 * read meanwhile, so that its first fingerprint costs nothing on the path of whoever takes it over.
 */
export async function readAhead(
  url: string,
  opts: FingerprintOptions = {},
): Promise<FingerprintReader & { first: string }> {
  const reader = await fingerprintReader(url, opts);
  try {
    return { ...reader, first: await reader.read() };
  } catch (err) {
    await reader.close();
    throw err;
  }
}

/** Exact row counts of every table (`schema.table` → rows), for checks that data survives a round trip. */
export async function rowCounts(url: string, schemas?: string[]): Promise<Record<string, number>> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r','p') AND ${USER_SCHEMAS} ORDER BY 1, 2`,
    );
    const counts: Record<string, number> = {};
    for (const r of rows) {
      if (schemas && !schemas.includes(r.schema)) continue;
      const res = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${quoteIdent(r.schema)}.${quoteIdent(r.name)}`,
      );
      counts[`${r.schema}.${r.name}`] = Number(res.rows[0]!.n);
    }
    return counts;
  });
}
