// Which dropped + added columns (and tables) are renames. Pure: alembic's structured diffs in, rename
// instructions out; the bridge then rewrites its ops accordingly (python/migrakit_bridge/renames.py).
//
// alembic reports a renamed column as remove_column + add_column and the data is lost. A pair is taken as a
// rename only when it is unambiguous: in one table, the dropped column and the added one have the same type,
// nullability, primary-key flag and server default, and neither has another candidate. A table pair is a
// rename when the dropped and the added table (same schema) have exactly the same columns. Everything else
// that could be a rename is reported with the `--rename` option that would make it one.
import { MigrakitError } from "../errors/index.js";
import type { Diff } from "../bridge/types.js";

export type Rename =
  | { kind: "column"; schema: string | null; table: string; from: string; to: string; how: RenameSource; note?: string }
  | { kind: "table"; schema: string | null; from: string; to: string; how: RenameSource; note?: string };

/** detected: paired here; explicit: --rename; recorded: read back from the script being refreshed. */
export type RenameSource = "detected" | "explicit" | "recorded";

/** A --rename argument before it is matched against the diffs: `T.OLD=NEW`, `S.T.OLD=NEW` or `OLD=NEW`. */
export interface RenameRequest {
  path: string[];
  to: string;
  text: string;
  /** For a rename read back from a script: the reason it states, kept so a refresh does not churn. */
  note?: string;
}

export interface Ambiguity {
  kind: "column" | "table";
  schema: string | null;
  table?: string;
  /** The dropped names and the added names that could pair up. */
  dropped: string[];
  added: string[];
  /** The exact options that would settle it, one per candidate pair. */
  options: string[];
}

export interface RenamePlan {
  renames: Rename[];
  ambiguous: Ambiguity[];
  /** Explicit requests that name no dropped + added pair. */
  unmatched: RenameRequest[];
}

interface ColumnDiff {
  kind: "add_column" | "remove_column";
  schema: string | null;
  table: string;
  column: string;
  type: string | null;
  nullable: boolean;
  primary_key: boolean;
  server_default: string | null;
}

interface TableDiff {
  kind: "add_table" | "remove_table";
  schema: string | null;
  table: string;
  columns: { name: string; type: string | null; nullable: boolean; primary_key: boolean; server_default: string | null }[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;

export function parseRenameArg(text: string): RenameRequest {
  const m = /^([^=\s]+)=([^=\s]+)$/.exec(text.trim());
  const path = m ? m[1]!.split(".") : [];
  if (!m || path.length > 3 || !path.every((p) => IDENT.test(p)) || !IDENT.test(m[2]!)) {
    throw new MigrakitError("EMIGRAKIT_RENAME_SYNTAX", { value: text });
  }
  return { path, to: m[2]!, text: text.trim() };
}

const isColumn = (d: Diff): d is Diff & ColumnDiff => d.kind === "add_column" || d.kind === "remove_column";
const isTable = (d: Diff): d is Diff & TableDiff => d.kind === "add_table" || d.kind === "remove_table";

const norm = (t: string | null | undefined) => (t ?? "").replace(/\s+/g, " ").trim().toUpperCase();

/** What must be equal for a dropped and an added column to be the same column under another name. */
function columnShape(c: { type: string | null; nullable: boolean; primary_key: boolean; server_default: string | null }): string {
  return JSON.stringify([norm(c.type), Boolean(c.nullable), Boolean(c.primary_key), c.server_default ?? null]);
}

function tableShape(t: TableDiff): string {
  return JSON.stringify(t.columns.map((c) => [c.name, columnShape(c)]).sort());
}

/** Human words for why a pair was taken: `same type VARCHAR, NOT NULL, primary key, no default`. */
export function describeShape(c: { type: string | null; nullable: boolean; primary_key: boolean; server_default: string | null }): string {
  return [
    `same type ${c.type ?? "?"}`,
    c.nullable ? "nullable" : "NOT NULL",
    ...(c.primary_key ? ["primary key"] : []),
    c.server_default ? `default ${c.server_default}` : "no default",
  ].join(", ");
}

const tableKey = (schema: string | null, table: string) => `${schema ?? ""}\u0000${table}`;

/** The rename as `--rename` spells it (also how the script records it). */
export function renameOption(r: Pick<Rename, "kind" | "from" | "to"> & { table?: string; schema?: string | null }): string {
  if (r.kind === "table") return `${r.schema ? `${r.schema}.` : ""}${r.from}=${r.to}`;
  return `${r.schema ? `${r.schema}.` : ""}${r.table}.${r.from}=${r.to}`;
}

/** Shorter spelling for suggestions (the table name alone says which table when no other schema has one). */
function suggestion(kind: "column" | "table", table: string | undefined, from: string, to: string): string {
  return kind === "table" ? `--rename ${from}=${to}` : `--rename ${table}.${from}=${to}`;
}

/** Pairs where each side has exactly one candidate; the rest, when any candidate exists, is ambiguous. */
function pairUp<T>(drops: T[], adds: T[], same: (d: T, a: T) => boolean): { pairs: [T, T][]; tangled: { drops: T[]; adds: T[] } | null } {
  const cand = new Map<T, T[]>();
  const back = new Map<T, T[]>();
  for (const d of drops) for (const a of adds) if (same(d, a)) {
    cand.set(d, [...(cand.get(d) ?? []), a]);
    back.set(a, [...(back.get(a) ?? []), d]);
  }
  const pairs: [T, T][] = [];
  const tDrops = new Set<T>();
  const tAdds = new Set<T>();
  for (const [d, as] of cand) {
    if (as.length === 1 && back.get(as[0]!)!.length === 1) pairs.push([d, as[0]!]);
    else {
      tDrops.add(d);
      for (const a of as) tAdds.add(a);
    }
  }
  for (const [a, ds] of back) if (ds.length > 1) {
    tAdds.add(a);
    for (const d of ds) tDrops.add(d);
  }
  return { pairs, tangled: tDrops.size ? { drops: [...tDrops], adds: [...tAdds] } : null };
}

function matchRequest(req: RenameRequest, cols: ColumnDiff[], tables: TableDiff[], how: RenameSource): Rename | null {
  const p = req.path;
  // A table: OLD=NEW, or SCHEMA.OLD=NEW when such a table pair exists.
  if (p.length <= 2) {
    const schema = p.length === 2 ? p[0]! : undefined;
    const old = p.at(-1)!;
    const drop = tables.find((t) => t.kind === "remove_table" && t.table === old && (schema === undefined || t.schema === schema));
    const add = drop && tables.find((t) => t.kind === "add_table" && t.table === req.to && t.schema === drop.schema);
    if (drop && add) return { kind: "table", schema: drop.schema, from: old, to: req.to, how };
  }
  if (p.length >= 2) {
    const schema = p.length === 3 ? p[0]! : undefined;
    const [table, old] = p.slice(-2) as [string, string];
    const drop = cols.find((c) => c.kind === "remove_column" && c.table === table && c.column === old && (schema === undefined || c.schema === schema));
    const add = drop && cols.find((c) => c.kind === "add_column" && c.table === table && c.schema === drop.schema && c.column === req.to);
    if (drop && add) return { kind: "column", schema: drop.schema, table, from: old, to: req.to, how };
  }
  return null;
}

export interface PlanOptions {
  /** --rename requests: always win; each must match a drop + add pair. */
  explicit?: RenameRequest[];
  /** Renames read back from the script being refreshed: applied when they still match, else forgotten. */
  recorded?: RenameRequest[];
  /** --no-renames: no detection (explicit and recorded renames still apply). */
  detect?: boolean;
}

export function planRenames(diffs: Diff[], o: PlanOptions = {}): RenamePlan {
  const cols = diffs.filter(isColumn) as unknown as ColumnDiff[];
  const tables = diffs.filter(isTable) as unknown as TableDiff[];
  const renames: Rename[] = [];
  const unmatched: RenameRequest[] = [];
  const usedCols = new Set<string>();
  const usedTables = new Set<string>();
  const take = (r: Rename) => {
    if (r.kind === "table") {
      usedTables.add(`-${tableKey(r.schema, r.from)}`);
      usedTables.add(`+${tableKey(r.schema, r.to)}`);
    } else {
      usedCols.add(`-${tableKey(r.schema, r.table)}\u0000${r.from}`);
      usedCols.add(`+${tableKey(r.schema, r.table)}\u0000${r.to}`);
    }
    renames.push(r);
  };
  const taken = (r: Rename) =>
    r.kind === "table"
      ? usedTables.has(`-${tableKey(r.schema, r.from)}`) || usedTables.has(`+${tableKey(r.schema, r.to)}`)
      : usedCols.has(`-${tableKey(r.schema, r.table)}\u0000${r.from}`) || usedCols.has(`+${tableKey(r.schema, r.table)}\u0000${r.to}`);
  for (const req of o.explicit ?? []) {
    const r = matchRequest(req, cols, tables, "explicit");
    if (r && !taken(r)) take(r);
    else if (!r) unmatched.push(req);
  }
  for (const req of o.recorded ?? []) {
    const r = matchRequest(req, cols, tables, "recorded");
    if (r && !taken(r)) take(req.note ? { ...r, note: req.note } : r);
  }
  const ambiguous: Ambiguity[] = [];
  if (o.detect === false) return { renames, ambiguous, unmatched };

  // Tables first: a renamed table's columns are not candidates of their own.
  const bySchema = new Map<string, { drops: TableDiff[]; adds: TableDiff[] }>();
  for (const t of tables) {
    if (usedTables.has(`${t.kind === "remove_table" ? "-" : "+"}${tableKey(t.schema, t.table)}`)) continue;
    const g = bySchema.get(t.schema ?? "") ?? { drops: [], adds: [] };
    (t.kind === "remove_table" ? g.drops : g.adds).push(t);
    bySchema.set(t.schema ?? "", g);
  }
  for (const g of bySchema.values()) {
    const { pairs, tangled } = pairUp(g.drops, g.adds, (d, a) => tableShape(d) === tableShape(a));
    for (const [d, a] of pairs) take({ kind: "table", schema: d.schema, from: d.table, to: a.table, how: "detected" });
    if (tangled) {
      const schema = tangled.drops[0]!.schema;
      ambiguous.push({
        kind: "table",
        schema,
        dropped: tangled.drops.map((t) => t.table),
        added: tangled.adds.map((t) => t.table),
        options: tangled.drops.flatMap((d) => tangled.adds.filter((a) => tableShape(a) === tableShape(d)).map((a) => suggestion("table", undefined, d.table, a.table))),
      });
    }
  }

  const byTable = new Map<string, { schema: string | null; table: string; drops: ColumnDiff[]; adds: ColumnDiff[] }>();
  for (const c of cols) {
    const key = tableKey(c.schema, c.table);
    if (usedCols.has(`${c.kind === "remove_column" ? "-" : "+"}${key}\u0000${c.column}`)) continue;
    const g = byTable.get(key) ?? { schema: c.schema, table: c.table, drops: [], adds: [] };
    (c.kind === "remove_column" ? g.drops : g.adds).push(c);
    byTable.set(key, g);
  }
  for (const g of byTable.values()) {
    const { pairs, tangled } = pairUp(g.drops, g.adds, (d, a) => columnShape(d) === columnShape(a));
    for (const [d, a] of pairs) take({ kind: "column", schema: g.schema, table: g.table, from: d.column, to: a.column, how: "detected" });
    if (tangled) {
      ambiguous.push({
        kind: "column",
        schema: g.schema,
        table: g.table,
        dropped: tangled.drops.map((c) => c.column),
        added: tangled.adds.map((c) => c.column),
        options: tangled.drops.flatMap((d) =>
          tangled.adds.filter((a) => columnShape(a) === columnShape(d)).map((a) => suggestion("column", g.table, d.column, a.column)),
        ),
      });
    }
  }
  return { renames, ambiguous, unmatched };
}

/** The shape words for a detected column rename (for the output and the script comment). */
export function renameReason(r: Rename, diffs: Diff[]): string {
  if (r.how === "explicit") return "--rename";
  if (r.how === "recorded") return r.note ?? "kept from the script";
  if (r.kind === "table") return "same columns";
  const added = (diffs.filter(isColumn) as unknown as ColumnDiff[]).find(
    (c) => c.kind === "add_column" && c.schema === r.schema && c.table === r.table && c.column === r.to,
  );
  return added ? describeShape(added) : "same column";
}

/** One line for people: `column core.transform.version → v (same type VARCHAR, NOT NULL, primary key, no default)`. */
export function describeRename(r: Rename, reason: string): string {
  const where = r.kind === "table" ? `table ${r.schema ? `${r.schema}.` : ""}${r.from}` : `column ${r.schema ? `${r.schema}.` : ""}${r.table}.${r.from}`;
  return `${where} → ${r.to} (${reason})`;
}

/** The instructions the bridge's `generate` takes. */
export function bridgeInstructions(renames: Rename[]): { kind: "column" | "table"; schema: string | null; table?: string; from: string; to: string }[] {
  return renames.map((r) => (r.kind === "table" ? { kind: r.kind, schema: r.schema, from: r.from, to: r.to } : { kind: r.kind, schema: r.schema, table: r.table, from: r.from, to: r.to }));
}
