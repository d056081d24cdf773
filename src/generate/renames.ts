// Which dropped + added columns (and tables) are renames. Pure: alembic's structured diffs in, rename
// instructions out; the bridge then rewrites its ops accordingly (python/migrakit_bridge/renames.py).
//
// alembic reports a renamed column as remove_column + add_column (a renamed or moved table as remove_table
// + add_table) and the data is lost. The pairing rules (docs/commands.md, "How renames are paired"):
// - columns of one table pair when they have the same type, primary-key flag and server default, and the
//   same nullability or a relaxed one (NOT NULL → NULL);
// - among several candidates the best is taken: the same foreign-key target first, then the same
//   nullability, then alike names (inside a paired table also the same position); only a true tie asks
//   (EMIGRAKIT_RENAME_AMBIGUOUS);
// - tables pair, in any schema, when every column pairs (same names first, the rest by the rules above)
//   and the table keeps its name (a move to another schema), or keeps every column name, or (in one
//   schema) has a name alike the old one and keeps at least half its column names; the renamed columns
//   inside it come with it.
// Everything that could be a rename and is not settled is reported with the `--rename` option for it.
import { MigrakitError } from "../errors/index.js";
import {
  type ColumnDiff,
  type Diff,
  type FkDiff,
  isColumnDiff,
  isFkDiff,
  isTableDiff,
  type RenameInstruction,
  type TableDiff,
} from "../bridge/contract.js";
import { assign, nameSimilarity, type Candidate } from "./pairing.js";

export type Rename =
  | { kind: "column"; schema: string | null; table: string; from: string; to: string; how: RenameSource; note?: string }
  | {
      kind: "table";
      schema: string | null;
      from: string;
      to: string;
      toSchema?: string | null;
      how: RenameSource;
      note?: string;
    };

/** detected: paired here; explicit: --rename; recorded: read back from the script being refreshed. */
export type RenameSource = "detected" | "explicit" | "recorded";

/** A --rename argument before it is matched against the diffs: `T.OLD=NEW`, `S.T.OLD=NEW`, `OLD=NEW` or `S.OLD=S2.NEW`. */
export interface RenameRequest {
  path: string[];
  to: string;
  /** A table's new schema (`core.dset=other.dset`). */
  toSchema?: string;
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

interface Col {
  name: string;
  type: string | null;
  nullable: boolean;
  primary_key: boolean;
  server_default: string | null;
  position?: number | null;
  /** `table.column` the column's foreign key points at (table as the ORM names it, for a dropped one mapped). */
  fk?: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;

export function parseRenameArg(text: string): RenameRequest {
  const m = /^([^=\s]+)=([^=\s]+)$/.exec(text.trim());
  const path = m ? m[1]!.split(".") : [];
  const to = m ? m[2]!.split(".") : [];
  if (
    !m ||
    path.length > 3 ||
    !path.every((p) => IDENT.test(p)) ||
    to.length > 2 ||
    !to.every((p) => IDENT.test(p)) ||
    (to.length === 2 && path.length > 2)
  ) {
    throw new MigrakitError("EMIGRAKIT_RENAME_SYNTAX", { value: text });
  }
  return { path, to: to.at(-1)!, ...(to.length === 2 ? { toSchema: to[0]! } : {}), text: text.trim() };
}

const norm = (t: string | null | undefined) => (t ?? "").replace(/\s+/g, " ").trim().toUpperCase();

/**
 * A server default as the ORM would state it: a serial's `nextval('…_seq'::regclass)` (which SQLAlchemy 1.4
 * reflects, and an ORM autoincrement column never states) is none.
 */
const ownDefault = (d: string | null | undefined) => (d && /^nextval\(/i.test(d.trim()) ? null : (d ?? null));

/** Can the dropped column be the added one under another name? Same type, key and default; nullability equal or relaxed. */
function compatible(d: Col, a: Col): boolean {
  return (
    norm(d.type) === norm(a.type) &&
    Boolean(d.primary_key) === Boolean(a.primary_key) &&
    ownDefault(d.server_default) === ownDefault(a.server_default) &&
    (Boolean(d.nullable) === Boolean(a.nullable) || (!d.nullable && a.nullable))
  );
}

/**
 * How good a compatible pair is: FK target, then nullability, then name (see the header); inside a paired
 * table also the position (`withPosition`), which says little about a column renamed on its own.
 */
function columnScore(d: Col, a: Col, withPosition = false): number {
  let score = 0;
  if (d.fk && a.fk) score += d.fk === a.fk ? 8 : -4;
  else if (d.fk || a.fk) score -= 1;
  if (Boolean(d.nullable) === Boolean(a.nullable)) score += 2;
  score += 2 * nameSimilarity(d.name, a.name);
  if (withPosition && d.position != null && d.position === a.position) score += 0.5;
  return Math.round(score * 1000) / 1000;
}

/** Human words for why a pair was taken: `same type VARCHAR, NOT NULL, primary key, no default`. */
export function describeShape(c: {
  type: string | null;
  nullable: boolean;
  primary_key: boolean;
  server_default: string | null;
}): string {
  return [
    `same type ${c.type ?? "?"}`,
    c.nullable ? "nullable" : "NOT NULL",
    ...(c.primary_key ? ["primary key"] : []),
    c.server_default ? `default ${c.server_default}` : "no default",
  ].join(", ");
}

const tableKey = (schema: string | null, table: string) => `${schema ?? ""}\u0000${table}`;
/** `public` written out and the default schema (null) are the same place. */
const sameSchema = (a: string | null | undefined, b: string | null | undefined) => (a ?? "public") === (b ?? "public");

/** The rename as `--rename` spells it (also how the script records it). */
export function renameOption(r: {
  kind: "column" | "table";
  from: string;
  to: string;
  table?: string;
  schema?: string | null;
  toSchema?: string | null;
}): string {
  if (r.kind === "table") {
    const moved = r.toSchema !== undefined && !sameSchema(r.toSchema, r.schema);
    return `${r.schema ? `${r.schema}.` : ""}${r.from}=${moved ? `${r.toSchema ?? "public"}.` : ""}${r.to}`;
  }
  return `${r.schema ? `${r.schema}.` : ""}${r.table}.${r.from}=${r.to}`;
}

/** Shorter spelling for suggestions (the table name alone says which table when no other schema has one). */
function suggestion(
  kind: "column" | "table",
  table: string | undefined,
  from: string,
  to: string,
  fromSchema?: string | null,
  toSchema?: string | null,
): string {
  if (kind === "table") return `--rename ${renameOption({ kind, schema: fromSchema, from, to, toSchema })}`;
  return `--rename ${table}.${from}=${to}`;
}

function matchRequest(req: RenameRequest, cols: ColumnDiff[], tables: TableDiff[], how: RenameSource): Rename | null {
  const p = req.path;
  // A table: OLD=NEW, SCHEMA.OLD=NEW or SCHEMA.OLD=SCHEMA2.NEW when such a table pair exists.
  if (p.length <= 2) {
    const schema = p.length === 2 ? p[0]! : undefined;
    const old = p.at(-1)!;
    const drop = tables.find(
      (t) => t.kind === "remove_table" && t.table === old && (schema === undefined || sameSchema(t.schema, schema)),
    );
    const add =
      drop &&
      tables.find(
        (t) => t.kind === "add_table" && t.table === req.to && sameSchema(t.schema, req.toSchema ?? drop.schema),
      );
    if (drop && add)
      return {
        kind: "table",
        schema: drop.schema,
        from: old,
        to: req.to,
        ...(sameSchema(add.schema, drop.schema) ? {} : { toSchema: add.schema }),
        how,
      };
  }
  if (p.length >= 2 && req.toSchema === undefined) {
    const schema = p.length === 3 ? p[0]! : undefined;
    const [table, old] = p.slice(-2) as [string, string];
    const drop = cols.find(
      (c) =>
        c.kind === "remove_column" &&
        c.table === table &&
        c.column === old &&
        (schema === undefined || c.schema === schema),
    );
    const add =
      drop &&
      cols.find((c) => c.kind === "add_column" && c.table === table && c.schema === drop.schema && c.column === req.to);
    if (drop && add) return { kind: "column", schema: drop.schema, table, from: old, to: req.to, how };
  }
  return null;
}

/** A column request inside a table that is added (and so may be the new name of a renamed table). */
function innerRequest(req: RenameRequest, tables: TableDiff[]): { table: TableDiff; from: string; to: string } | null {
  if (req.path.length < 2 || req.toSchema !== undefined) return null;
  const schema = req.path.length === 3 ? req.path[0]! : undefined;
  const [table, from] = req.path.slice(-2) as [string, string];
  const add = tables.find(
    (t) =>
      t.kind === "add_table" &&
      t.table === table &&
      (schema === undefined || sameSchema(t.schema, schema)) &&
      t.columns.some((c) => c.name === req.to),
  );
  return add ? { table: add, from, to: req.to } : null;
}

export interface PlanOptions {
  /** --rename requests: always win; each must match a drop + add pair. */
  explicit?: RenameRequest[];
  /** Renames read back from the script being refreshed: applied when they still match, else forgotten. */
  recorded?: RenameRequest[];
  /** --no-renames: no detection (explicit and recorded renames still apply). */
  detect?: boolean;
}

interface Inner {
  pairs: { d: Col; a: Col; forced?: RenameRequest & { how: RenameSource } }[];
  ties: { drops: Col[]; adds: Col[]; pairs: [Col, Col][] }[];
  sameNamed: number;
  /** Every column of both tables paired, no tie, no same-named column of another shape. */
  complete: boolean;
  score: number;
}

type Forced = Map<string, (RenameRequest & { how: RenameSource })[]>;

function fkTargets(
  fks: Omit<FkDiff, "kind" | "schema" | "table">[],
  mapTable: (schema: string | null, t: string) => string,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const fk of fks)
    fk.columns.forEach((c, i) =>
      out.set(c, `${mapTable(fk.referred_schema, fk.referred_table)}.${fk.referred_columns[i] ?? ""}`),
    );
  return out;
}

/** Pair the columns of a dropped table with those of an added one: forced pairs, same names, then by score. */
function innerMatch(
  d: TableDiff,
  a: TableDiff,
  forced: (RenameRequest & { how: RenameSource })[],
  mapTable: (schema: string | null, t: string) => string,
): Inner {
  const dFk = fkTargets(d.foreign_keys ?? [], mapTable);
  const aFk = fkTargets(a.foreign_keys ?? [], (_s, t) => t);
  const dCols: Col[] = d.columns.map((c) => ({ ...c, fk: dFk.get(c.name) }));
  const aCols: Col[] = a.columns.map((c) => ({ ...c, fk: aFk.get(c.name) }));
  const pairs: Inner["pairs"] = [];
  const usedD = new Set<Col>();
  const usedA = new Set<Col>();
  let sameNamed = 0;
  let clash = false;
  for (const req of forced) {
    const dc = dCols.find((c) => c.name === req.path.at(-1));
    const ac = aCols.find((c) => c.name === req.to);
    if (dc && ac && !usedD.has(dc) && !usedA.has(ac)) {
      pairs.push({ d: dc, a: ac, forced: req });
      usedD.add(dc);
      usedA.add(ac);
    }
  }
  for (const dc of dCols) {
    const ac = aCols.find((c) => c.name === dc.name && !usedA.has(c));
    if (!ac || usedD.has(dc)) continue;
    if (!compatible(dc, ac) && !compatible(ac, dc)) clash = true;
    pairs.push({ d: dc, a: ac });
    usedD.add(dc);
    usedA.add(ac);
    sameNamed++;
  }
  const candidates: Candidate<Col, Col>[] = [];
  for (const dc of dCols)
    if (!usedD.has(dc))
      for (const ac of aCols)
        if (!usedA.has(ac) && compatible(dc, ac))
          candidates.push({ drop: dc, add: ac, score: columnScore(dc, ac, true) });
  const got = assign(candidates);
  for (const c of got.pairs) {
    pairs.push({ d: c.drop, a: c.add });
    usedD.add(c.drop);
    usedA.add(c.add);
  }
  const ties = got.ties.map((t) => ({
    drops: t.drops,
    adds: t.adds,
    pairs: t.pairs.map((p) => [p.drop, p.add] as [Col, Col]),
  }));
  const complete = !clash && !ties.length && usedD.size === dCols.length && usedA.size === aCols.length;
  return { pairs, ties, sameNamed, complete, score: got.pairs.reduce((n, c) => n + c.score, 0) };
}

function tableScore(d: TableDiff, a: TableDiff, inner: Inner): number {
  return (
    Math.round(
      ((d.table === a.table ? 10 : 0) +
        (sameSchema(d.schema, a.schema) ? 2 : 0) +
        3 * nameSimilarity(d.table, a.table) +
        inner.sameNamed +
        inner.score / 10) *
        1000,
    ) / 1000
  );
}

/**
 * A detected table pair must be recognisable: its name kept (a move), or every column's name kept, or (in
 * one schema) half its columns' names kept and a name alike the old one (`dset_dobject` → `dfolder_dobject`).
 */
function recognisable(d: TableDiff, a: TableDiff, inner: Inner): boolean {
  if (!inner.complete) return false;
  if (d.table === a.table || inner.sameNamed === d.columns.length) return true;
  if (!sameSchema(d.schema, a.schema)) return false;
  return inner.sameNamed > 0 && inner.sameNamed * 2 >= d.columns.length && nameSimilarity(d.table, a.table) >= 0.3;
}

export function planRenames(diffs: Diff[], o: PlanOptions = {}): RenamePlan {
  const cols = diffs.filter(isColumnDiff);
  const tables = diffs.filter(isTableDiff);
  const fks = diffs.filter(isFkDiff);
  const renames: Rename[] = [];
  const unmatched: RenameRequest[] = [];
  const usedCols = new Set<string>();
  const usedTables = new Set<string>();
  const tableFrom = (r: { schema: string | null; from: string }) => `-${tableKey(r.schema, r.from)}`;
  const tableTo = (r: { schema: string | null; to: string; toSchema?: string | null }) =>
    `+${tableKey(r.toSchema !== undefined ? r.toSchema : r.schema, r.to)}`;
  const take = (r: Rename) => {
    if (r.kind === "table") {
      usedTables.add(tableFrom(r));
      usedTables.add(tableTo(r));
    } else {
      usedCols.add(`-${tableKey(r.schema, r.table)}\u0000${r.from}`);
      usedCols.add(`+${tableKey(r.schema, r.table)}\u0000${r.to}`);
    }
    renames.push(r);
  };
  const taken = (r: Rename) =>
    r.kind === "table"
      ? usedTables.has(tableFrom(r)) || usedTables.has(tableTo(r))
      : usedCols.has(`-${tableKey(r.schema, r.table)}\u0000${r.from}`) ||
        usedCols.has(`+${tableKey(r.schema, r.table)}\u0000${r.to}`);
  // Column requests inside an added table: pairs forced on that table's inner matching.
  const forced: Forced = new Map();
  const innerExplicit: RenameRequest[] = [];
  for (const [how, list] of [
    ["explicit", o.explicit ?? []],
    ["recorded", o.recorded ?? []],
  ] as const) {
    for (const req of list) {
      const r = matchRequest(req, cols, tables, how);
      if (r) {
        if (!taken(r)) take(how === "recorded" && req.note ? { ...r, note: req.note } : r);
        continue;
      }
      const inner = innerRequest(req, tables);
      if (inner) {
        const key = tableKey(inner.table.schema, inner.table.table);
        forced.set(key, [...(forced.get(key) ?? []), { ...req, how }]);
        if (how === "explicit") innerExplicit.push(req);
      } else if (how === "explicit") unmatched.push(req);
    }
  }
  const ambiguous: Ambiguity[] = [];
  const renamedTo = (schema: string | null, t: string) => {
    const r = renames.find((x) => x.kind === "table" && x.from === t && sameSchema(x.schema, schema));
    return r ? r.to : t;
  };
  const forcedOf = (a: TableDiff) => forced.get(tableKey(a.schema, a.table)) ?? [];

  // Tables first: a renamed table's columns are not candidates of their own.
  if (o.detect !== false) {
    const drops = tables.filter((t) => t.kind === "remove_table" && !usedTables.has(`-${tableKey(t.schema, t.table)}`));
    const adds = tables.filter((t) => t.kind === "add_table" && !usedTables.has(`+${tableKey(t.schema, t.table)}`));
    const candidates: Candidate<TableDiff, TableDiff>[] = [];
    for (const d of drops)
      for (const a of adds) {
        const inner = innerMatch(d, a, forcedOf(a), renamedTo);
        if (recognisable(d, a, inner)) candidates.push({ drop: d, add: a, score: tableScore(d, a, inner) });
      }
    const got = assign(candidates);
    for (const c of got.pairs) {
      const moved = !sameSchema(c.drop.schema, c.add.schema);
      take({
        kind: "table",
        schema: c.drop.schema,
        from: c.drop.table,
        to: c.add.table,
        ...(moved ? { toSchema: c.add.schema } : {}),
        how: "detected",
      });
    }
    for (const t of got.ties) {
      ambiguous.push({
        kind: "table",
        schema: t.drops[0]!.schema,
        dropped: t.drops.map((d) =>
          sameSchema(d.schema, t.drops[0]!.schema) ? d.table : `${d.schema ?? "public"}.${d.table}`,
        ),
        added: t.adds.map((a) =>
          sameSchema(a.schema, t.drops[0]!.schema) ? a.table : `${a.schema ?? "public"}.${a.table}`,
        ),
        options: t.pairs.map((p) =>
          suggestion(
            "table",
            undefined,
            p.drop.table,
            p.add.table,
            sameSchema(p.drop.schema, p.add.schema) ? undefined : p.drop.schema,
            sameSchema(p.drop.schema, p.add.schema) ? undefined : p.add.schema,
          ),
        ),
      });
    }
  }

  // The columns inside each renamed or moved table come with it.
  const innerUsed = new Set<RenameRequest>();
  for (const r of [...renames]) {
    if (r.kind !== "table") continue;
    const d = tables.find((t) => t.kind === "remove_table" && t.table === r.from && sameSchema(t.schema, r.schema));
    const a = tables.find(
      (t) =>
        t.kind === "add_table" &&
        t.table === r.to &&
        sameSchema(t.schema, r.toSchema !== undefined ? r.toSchema : r.schema),
    );
    if (!d || !a) continue;
    const inner = innerMatch(d, a, forcedOf(a), renamedTo);
    for (const p of inner.pairs) {
      if (p.d.name === p.a.name) continue;
      if (p.forced) innerUsed.add(p.forced);
      if (!p.forced && o.detect === false) continue;
      const how: RenameSource = p.forced ? p.forced.how : "detected";
      const note =
        p.forced?.how === "recorded"
          ? p.forced.note
          : how === "detected"
            ? `${describeShape(p.a)}, in the renamed table`
            : undefined;
      renames.push({
        kind: "column",
        schema: a.schema,
        table: a.table,
        from: p.d.name,
        to: p.a.name,
        how,
        ...(note ? { note } : {}),
      });
    }
    if (o.detect !== false)
      for (const t of inner.ties) {
        ambiguous.push({
          kind: "column",
          schema: a.schema,
          table: a.table,
          dropped: t.drops.map((c) => c.name),
          added: t.adds.map((c) => c.name),
          options: t.pairs.map(([dc, ac]) => suggestion("column", a.table, dc.name, ac.name)),
        });
      }
  }
  for (const req of innerExplicit) if (![...innerUsed].some((u) => u.text === req.text)) unmatched.push(req);
  if (o.detect === false) return { renames, ambiguous, unmatched };

  const dFks = new Map<string, string>();
  const aFks = new Map<string, string>();
  for (const fk of fks) {
    const into = fk.kind === "remove_fk" ? dFks : aFks;
    const ref = fk.kind === "remove_fk" ? renamedTo(fk.referred_schema, fk.referred_table) : fk.referred_table;
    fk.columns.forEach((c, i) =>
      into.set(`${tableKey(fk.schema, fk.table)}\u0000${c}`, `${ref}.${fk.referred_columns[i] ?? ""}`),
    );
  }
  const byTable = new Map<string, { schema: string | null; table: string; drops: Col[]; adds: Col[] }>();
  for (const c of cols) {
    const key = tableKey(c.schema, c.table);
    if (usedCols.has(`${c.kind === "remove_column" ? "-" : "+"}${key}\u0000${c.column}`)) continue;
    const g = byTable.get(key) ?? { schema: c.schema, table: c.table, drops: [], adds: [] };
    const col: Col = {
      name: c.column,
      type: c.type,
      nullable: c.nullable,
      primary_key: c.primary_key,
      server_default: c.server_default,
      position: c.position,
      fk: (c.kind === "remove_column" ? dFks : aFks).get(`${key}\u0000${c.column}`),
    };
    (c.kind === "remove_column" ? g.drops : g.adds).push(col);
    byTable.set(key, g);
  }
  for (const g of byTable.values()) {
    const candidates: Candidate<Col, Col>[] = [];
    for (const d of g.drops)
      for (const a of g.adds) if (compatible(d, a)) candidates.push({ drop: d, add: a, score: columnScore(d, a) });
    const got = assign(candidates);
    for (const c of got.pairs)
      take({ kind: "column", schema: g.schema, table: g.table, from: c.drop.name, to: c.add.name, how: "detected" });
    for (const t of got.ties) {
      ambiguous.push({
        kind: "column",
        schema: g.schema,
        table: g.table,
        dropped: t.drops.map((c) => c.name),
        added: t.adds.map((c) => c.name),
        options: t.pairs.map((p) => suggestion("column", g.table, p.drop.name, p.add.name)),
      });
    }
  }
  return { renames, ambiguous, unmatched };
}

/** The shape words for a detected column rename (for the output and the script comment). */
export function renameReason(r: Rename, diffs: Diff[]): string {
  if (r.how === "explicit") return "--rename";
  if (r.how === "recorded") return r.note ?? "kept from the script";
  if (r.note) return r.note;
  if (r.kind === "table") {
    const moved = r.toSchema !== undefined ? `moved to schema ${r.toSchema ?? "public"}` : "";
    const inner = diffs.length && r.from !== r.to ? "matching columns" : "same columns";
    return moved ? `${moved}, ${inner}` : inner;
  }
  const added = diffs
    .filter(isColumnDiff)
    .find((c) => c.kind === "add_column" && c.schema === r.schema && c.table === r.table && c.column === r.to);
  if (!added) return "same column";
  const dropped = diffs
    .filter(isColumnDiff)
    .find((c) => c.kind === "remove_column" && c.schema === r.schema && c.table === r.table && c.column === r.from);
  return dropped && !dropped.nullable && added.nullable
    ? `${describeShape(added)} (was NOT NULL)`
    : describeShape(added);
}

/** One line for people: `column core.transform.version → v (same type VARCHAR, NOT NULL, primary key, no default)`. */
export function describeRename(r: Rename, reason: string): string {
  const where =
    r.kind === "table"
      ? `table ${r.schema ? `${r.schema}.` : ""}${r.from}`
      : `column ${r.schema ? `${r.schema}.` : ""}${r.table}.${r.from}`;
  const to = r.kind === "table" && r.toSchema !== undefined ? `${r.toSchema ?? "public"}.${r.to}` : r.to;
  return `${where} → ${to} (${reason})`;
}

/** The instructions the bridge's `generate` takes. */
export function bridgeInstructions(renames: Rename[]): RenameInstruction[] {
  return renames.map((r) =>
    r.kind === "table"
      ? {
          kind: r.kind,
          schema: r.schema,
          from: r.from,
          to: r.to,
          ...(r.toSchema !== undefined ? { to_schema: r.toSchema } : {}),
        }
      : { kind: r.kind, schema: r.schema, table: r.table, from: r.from, to: r.to },
  );
}
