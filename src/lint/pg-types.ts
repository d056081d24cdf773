// What changing a column's type does on Postgres: nothing to the rows (a catalog change), a rewrite of the
// whole table under ACCESS EXCLUSIVE, or a narrowing that can fail on (or cut) existing values. Types come as
// Postgres spells them (format_type: `character varying(50)`) or as SQLAlchemy compiles them (`VARCHAR(50)`).
// Pure. The no-rewrite cases are Postgres's binary-coercible ones (docs: ALTER TABLE, "Notes").

export interface PgType {
  base: string;
  /** Type modifiers: length, or precision and scale. */
  args: number[];
  array: boolean;
}

const ALIASES: Record<string, string> = {
  "character varying": "varchar",
  varchar: "varchar",
  character: "char",
  char: "char",
  bpchar: "char",
  text: "text",
  smallint: "int2",
  int2: "int2",
  integer: "int4",
  int: "int4",
  int4: "int4",
  serial: "int4",
  bigint: "int8",
  int8: "int8",
  bigserial: "int8",
  numeric: "numeric",
  decimal: "numeric",
  real: "float4",
  float4: "float4",
  "double precision": "float8",
  float8: "float8",
  float: "float8",
  boolean: "bool",
  bool: "bool",
  "timestamp without time zone": "timestamp",
  timestamp: "timestamp",
  "timestamp with time zone": "timestamptz",
  timestamptz: "timestamptz",
  "time without time zone": "time",
  time: "time",
  "time with time zone": "timetz",
  "bit varying": "varbit",
  varbit: "varbit",
};

export function parseType(text: string): PgType {
  let t = text.trim().toLowerCase().replace(/\s+/g, " ");
  let array = false;
  if (t.endsWith("[]")) {
    array = true;
    t = t.slice(0, -2).trim();
  }
  let args: number[] = [];
  // `timestamp(3) without time zone`: the modifier may stand inside the name.
  const m = /^([a-z_ ."0-9]*?)\s*\(([^)]*)\)\s*(.*)$/.exec(t);
  if (m) {
    args = m[2]!
      .split(",")
      .map((a) => Number(a.trim()))
      .filter((n) => Number.isFinite(n));
    t = `${m[1]}${m[3] ? ` ${m[3]}` : ""}`.trim();
  }
  t = t.replace(/^pg_catalog\./, "");
  return { base: ALIASES[t] ?? t, args, array };
}

export type TypeChange = "same" | "no-rewrite" | "rewrite" | "narrowing";

const INT_WIDTH: Record<string, number> = { int2: 2, int4: 4, int8: 8 };

/** What going from `from` to `to` does to a table that has rows. */
export function typeChange(fromText: string, toText: string): TypeChange {
  const from = parseType(fromText);
  const to = parseType(toText);
  if (from.array !== to.array) return "rewrite";
  const [a, b] = [from.base, to.base];
  const [fa, ta] = [from.args, to.args];
  if (a === b && fa.join() === ta.join()) return "same";
  const textual = (x: string) => x === "varchar" || x === "text";
  if (textual(a) && textual(b)) {
    const fromLen = a === "varchar" ? fa[0] : undefined;
    const toLen = b === "varchar" ? ta[0] : undefined;
    if (toLen === undefined) return "no-rewrite"; // to text or unbounded varchar
    if (fromLen === undefined || toLen < fromLen) return "narrowing";
    return "no-rewrite";
  }
  if (a === "char" && b === "char") return (ta[0] ?? 1) < (fa[0] ?? 1) ? "narrowing" : "rewrite";
  if (a === "char" && textual(b))
    return b === "varchar" && ta[0] !== undefined && ta[0] < (fa[0] ?? 1) ? "narrowing" : "rewrite";
  if (textual(a) && b === "char") return "narrowing";
  if (a in INT_WIDTH && b in INT_WIDTH) return INT_WIDTH[b]! < INT_WIDTH[a]! ? "narrowing" : "rewrite";
  if (a === "numeric" && b === "numeric") {
    if (ta.length === 0) return "no-rewrite"; // to unconstrained numeric
    if (fa.length === 0) return "narrowing";
    const [fp, fs = 0] = fa;
    const [tp, ts = 0] = ta;
    if (tp! < fp! || ts < fs || tp! - ts < fp! - fs) return "narrowing";
    return ts === fs ? "no-rewrite" : "rewrite";
  }
  if (a === "numeric" && b in INT_WIDTH) return "narrowing"; // the fraction is rounded away
  if ((a === "float8" || a === "numeric") && b === "float4") return "narrowing";
  if (a in INT_WIDTH && b === "numeric")
    return ta.length === 0
      ? "rewrite"
      : ta[0]! - (ta[1] ?? 0) < (INT_WIDTH[a] === 2 ? 5 : INT_WIDTH[a] === 4 ? 10 : 19)
        ? "narrowing"
        : "rewrite";
  if (a === "varbit" && b === "varbit")
    return ta[0] === undefined || (fa[0] !== undefined && ta[0] >= fa[0]) ? "no-rewrite" : "narrowing";
  if (a === "cidr" && b === "inet") return "no-rewrite";
  if ((a === "timestamp" || a === "timestamptz" || a === "time") && a === b)
    return (ta[0] ?? 6) < (fa[0] ?? 6) ? "narrowing" : "no-rewrite";
  if ((b === "text" || b === "varchar") && ta[0] === undefined) return "rewrite"; // anything to text keeps its values
  return "rewrite";
}
