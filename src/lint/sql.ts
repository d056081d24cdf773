// Raw SQL (op.execute, op.get_bind().execute) → actions (actions.ts), parsed by Postgres's own parser
// (libpg-query: the server's grammar compiled to WebAssembly, shipped inside the npm package). Loaded only
// when a script has raw SQL, so a run without any pays nothing for it. A statement that does not parse
// becomes an `unparseable` action: reported, never skipped.
import type { Action, ConstraintKind, TableName } from "./actions.js";
import { KNOWN_VOLATILE } from "./rules.js";

type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the parser's JSON AST

interface Parser {
  parseSync(sql: string): { stmts?: { stmt: Node }[] };
}

let parser: Promise<Parser> | undefined;

async function loadParser(): Promise<Parser> {
  parser ??= import("libpg-query").then(async (m) => {
    await m.loadModule();
    return m as unknown as Parser;
  });
  return parser;
}

/** The driver's placeholders (`%(name)s`, `%s`) as Postgres parameters, so the statement parses. */
export function withoutDriverPlaceholders(sql: string): string {
  return sql.replace(/%\([^)]*\)s|%s/g, "$1").replace(/%%/g, "%");
}

const str = (n: Node | undefined): string => n?.String?.sval ?? n?.sval ?? "";
const rangeVar = (r: Node | undefined): TableName => ({ schema: r?.schemaname ?? null, name: r?.relname ?? "?" });
const names = (list: Node[] | undefined) => (list ?? []).map(str);

function typeText(t: Node | undefined): string {
  const parts = names(t?.names).filter((n) => n !== "pg_catalog");
  const mods = (t?.typmods ?? [])
    .map((m: Node) => m.A_Const?.ival?.ival ?? m.A_Const?.ival ?? "")
    .filter((x: unknown) => x !== "");
  return `${parts.join(".")}${mods.length ? `(${mods.join(",")})` : ""}${t?.arrayBounds ? "[]" : ""}`;
}

function functionsIn(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const x of node) functionsIn(x, out);
  else if (node && typeof node === "object") {
    const n = node as Node;
    if (n.FuncCall) {
      const fn = names(n.FuncCall.funcname).at(-1);
      if (fn) out.add(fn.toLowerCase());
    }
    for (const v of Object.values(n)) functionsIn(v, out);
  }
  return out;
}

function constraintKind(contype: string): ConstraintKind | undefined {
  return (
    { CONSTR_UNIQUE: "unique", CONSTR_PRIMARY: "primary", CONSTR_CHECK: "check", CONSTR_FOREIGN: "foreign" } as const
  )[contype as "CONSTR_UNIQUE"];
}

/** The add-constraint action of a parsed constraint, none for a kind the lint has no rule for (NOT NULL, DEFAULT, …). */
function addConstraint(line: number | null, table: TableName, c: Node, usingIndex: boolean): Action[] {
  const kind = constraintKind(c.contype);
  if (!kind) return [];
  return [
    {
      line,
      kind: "add-constraint",
      table,
      constraint: kind,
      name: c.conname ?? null,
      notValid: !!c.skip_validation,
      usingIndex,
    },
  ];
}

function alterTable(s: Node, line: number | null): Action[] {
  const table = rangeVar(s.relation);
  const out: Action[] = [];
  for (const { AlterTableCmd: cmd } of (s.cmds ?? []) as Node[]) {
    if (!cmd) continue;
    switch (cmd.subtype) {
      case "AT_AddColumn": {
        const def = cmd.def?.ColumnDef ?? {};
        const constraints = ((def.constraints ?? []) as Node[]).map((c) => c.Constraint ?? {});
        const dflt = constraints.find((c) => c.contype === "CONSTR_DEFAULT");
        const identity =
          constraints.some((c) => c.contype === "CONSTR_IDENTITY") || /serial$/i.test(typeText(def.typeName));
        const volatile = identity
          ? ["nextval"]
          : [...functionsIn(dflt?.raw_expr, new Set())].filter((f) => KNOWN_VOLATILE.includes(f));
        out.push({
          line,
          kind: "add-column",
          table,
          column: def.colname ?? "?",
          notNull: constraints.some((c) => c.contype === "CONSTR_NOTNULL" || c.contype === "CONSTR_PRIMARY"),
          default: dflt ? "(expression)" : identity ? "(identity)" : null,
          volatile,
        });
        // A constraint written in the column's definition cannot be USING INDEX (only ADD CONSTRAINT can).
        for (const c of constraints) out.push(...addConstraint(line, table, c, false));
        break;
      }
      case "AT_DropColumn":
        out.push({ line, kind: "drop-column", table, column: cmd.name ?? "?" });
        break;
      case "AT_AlterColumnType":
        out.push({
          line,
          kind: "alter-type",
          table,
          column: cmd.name ?? "?",
          from: null,
          to: typeText(cmd.def?.ColumnDef?.typeName),
        });
        break;
      case "AT_SetNotNull":
        out.push({ line, kind: "set-not-null", table, column: cmd.name ?? "?", wasNullable: null });
        break;
      case "AT_AddConstraint": {
        const c = cmd.def?.Constraint ?? {};
        out.push(...addConstraint(line, table, c, !!c.indexname));
        break;
      }
    }
  }
  return out;
}

/** The actions of one parsed statement. */
export function statementActions(stmt: Node, line: number | null): Action[] {
  const [type, s] = Object.entries(stmt)[0] ?? ["", {}];
  switch (type) {
    case "CreateStmt":
      return [{ line, kind: "create-table", table: rangeVar(s.relation) }];
    case "CreateTableAsStmt":
      return [{ line, kind: "create-table", table: rangeVar(s.into?.rel) }];
    case "AlterTableStmt":
      return s.objtype === "OBJECT_TABLE" || s.objtype === undefined ? alterTable(s, line) : [];
    case "IndexStmt":
      return [
        {
          line,
          kind: "create-index",
          table: rangeVar(s.relation),
          name: s.idxname ?? null,
          unique: !!s.unique,
          concurrently: !!s.concurrent,
        },
      ];
    case "DropStmt": {
      const objects = ((s.objects ?? []) as Node[]).map((o) => names(o.List?.items ?? [o]));
      const out: Action[] = [];
      for (const parts of objects) {
        const name: TableName =
          parts.length > 1 ? { schema: parts.at(-2)!, name: parts.at(-1)! } : { schema: null, name: parts[0] ?? "?" };
        if (s.removeType === "OBJECT_TABLE") out.push({ line, kind: "drop-table", table: name });
        else if (s.removeType === "OBJECT_SCHEMA")
          out.push({ line, kind: "drop-schema", schema: parts.join(".") || str((s.objects ?? [])[0]) });
        else if (s.removeType === "OBJECT_TYPE") out.push({ line, kind: "drop-type", type: parts.join(".") || "?" });
        else if (s.removeType === "OBJECT_INDEX")
          out.push({ line, kind: "drop-index", table: null, name: parts.join("."), concurrently: !!s.concurrent });
      }
      return out;
    }
    case "TruncateStmt":
      return ((s.relations ?? []) as Node[]).map((r) => ({
        line,
        kind: "truncate" as const,
        table: rangeVar(r.RangeVar),
      }));
    case "RenameStmt":
      if (s.renameType === "OBJECT_TABLE")
        return [{ line, kind: "rename-table", table: rangeVar(s.relation), to: s.newname }];
      if (s.renameType === "OBJECT_COLUMN")
        return [{ line, kind: "rename-column", table: rangeVar(s.relation), column: s.subname, to: s.newname }];
      return [];
    case "DoStmt":
      // The body is PL/pgSQL, which this parser does not read: say so rather than pass it silently.
      return [
        {
          line,
          kind: "unparseable",
          sql: "DO $$ … $$",
          error: "the body of a DO block is PL/pgSQL and is not checked",
        },
      ];
    case "TransactionStmt":
      return [
        {
          line,
          kind: "transaction",
          what: String(s.kind ?? "TRANS_STMT")
            .replace(/^TRANS_STMT_/, "")
            .replace(/_/g, " "),
        },
      ];
    default:
      return [];
  }
}

/** Every statement of one SQL text, as actions; what does not parse becomes one `unparseable` action. */
export async function sqlActions(sql: string, line: number | null, params: boolean): Promise<Action[]> {
  const { parseSync } = await loadParser();
  const text = params ? withoutDriverPlaceholders(sql) : sql;
  let parsed: { stmts?: { stmt: Node }[] };
  try {
    parsed = parseSync(text);
  } catch (err) {
    return [{ line, kind: "unparseable", sql: text.trim(), error: err instanceof Error ? err.message : String(err) }];
  }
  return (parsed.stmts ?? []).flatMap((s) => statementActions(s.stmt, line));
}
