// What deploy needs to know about a script's text (pure): its content hash (line endings normalised, so a
// checkout with CRLF does not count as an edit), whether it declares `migrakit_transaction = False`, and
// every drop its upgrade() makes (named in the deploy prompt and the --sql output until the safety lint
// reports them itself), and the tables it creates.
import { createHash } from "node:crypto";

export interface Drop {
  kind: "table" | "column" | "index" | "constraint" | "sql";
  /** `core.run`, `core.run.name`, or the SQL statement's first words. */
  name: string;
  line: number;
}

export interface ScriptFacts {
  checksum: string;
  transactional: boolean;
  drops: Drop[];
  /** Tables its upgrade() creates with `op.create_table` (`bionty.gene`; unqualified when no schema=). */
  creates: string[];
}

export function scriptChecksum(text: string): string {
  return createHash("sha256").update(text.replace(/\r\n?/g, "\n"), "utf8").digest("hex");
}

export function declaresNoTransaction(text: string): boolean {
  return /^migrakit_transaction\s*(?::\s*bool\s*)?=\s*False\b/m.test(text);
}

/** The lines of `def upgrade(...)`, with their 1-based numbers. */
function upgradeBody(text: string): { line: number; text: string }[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const start = lines.findIndex((l) => /^def upgrade\s*\(/.test(l));
  if (start < 0) return [];
  const out: { line: number; text: string }[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    if (/^\S/.test(lines[i]!) && !/^\)/.test(lines[i]!)) break;
    out.push({ line: i + 1, text: lines[i]! });
  }
  return out;
}

const STR = `["']([^"']+)["']`;
const SCHEMA = new RegExp(`schema\\s*=\\s*${STR}`);

function qualified(schema: string | undefined, ...parts: string[]): string {
  return [schema, ...parts].filter(Boolean).join(".");
}

export function scriptDrops(text: string): Drop[] {
  const body = upgradeBody(text);
  const out: Drop[] = [];
  let batchTable: string | undefined;
  // A call may span lines: look at each op call with the next few lines joined.
  for (let i = 0; i < body.length; i++) {
    const { line, text: l } = body[i]!;
    const joined = body
      .slice(i, i + 6)
      .map((b) => b.text.trim())
      .join(" ");
    const schema = SCHEMA.exec(joined.split(/\)\s*$/)[0] ?? joined)?.[1];
    const batch = new RegExp(`batch_alter_table\\(\\s*${STR}`).exec(l);
    if (batch) batchTable = batch[1];
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`\\bop\\.drop_table\\(\\s*${STR}`).exec(joined)) && /op\.drop_table\(/.test(l))
      out.push({ kind: "table", name: qualified(schema, m[1]!), line });
    else if (
      (m = new RegExp(`\\bop\\.drop_column\\(\\s*${STR}\\s*,\\s*${STR}`).exec(joined)) &&
      /op\.drop_column\(/.test(l)
    )
      out.push({ kind: "column", name: qualified(schema, m[1]!, m[2]!), line });
    else if (
      (m = new RegExp(`\\bbatch_op\\.drop_column\\(\\s*${STR}`).exec(joined)) &&
      /batch_op\.drop_column\(/.test(l)
    )
      out.push({ kind: "column", name: qualified(undefined, batchTable ?? "?", m[1]!), line });
    else if (
      (m = new RegExp(`\\bop\\.drop_index\\(\\s*(?:op\\.f\\(\\s*)?${STR}`).exec(joined)) &&
      /op\.drop_index\(/.test(l)
    )
      out.push({ kind: "index", name: qualified(schema, m[1]!), line });
    else if (
      (m = new RegExp(`\\bop\\.drop_constraint\\(\\s*(?:op\\.f\\(\\s*)?${STR}\\s*,\\s*${STR}`).exec(joined)) &&
      /op\.drop_constraint\(/.test(l)
    )
      out.push({ kind: "constraint", name: `${m[1]} on ${qualified(schema, m[2]!)}`, line });
    else if (
      (m =
        /\b(DROP\s+(?:TABLE|COLUMN|SCHEMA|TYPE|VIEW|INDEX(?:\s+CONCURRENTLY)?)\s+(?:IF\s+EXISTS\s+)?(?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))*|TRUNCATE\s+(?:TABLE\s+)?(?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))*)/i.exec(
          l,
        )) &&
      /execute|text\(|"|'/.test(l)
    )
      out.push({ kind: "sql", name: m[1]!.replace(/\s+/g, " "), line });
  }
  return out;
}

/** From `(` at `open`: the call's text up to its closing parenthesis (strings skipped), or the rest. */
function callText(text: string, open: number): string {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

/** The `name=` keyword of a call's own arguments (not of a nested call such as `sa.Enum(..., schema=…)`). */
function ownKeyword(args: string, name: string): string | undefined {
  let depth = 0;
  let quote: string | null = null;
  let found: string | undefined;
  const kw = new RegExp(`^${name}\\s*=\\s*${STR}`);
  for (let i = 0; i < args.length; i++) {
    const ch = args[i]!;
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") depth--;
    else if (depth === 0 && (i === 0 || /[\s,]/.test(args[i - 1]!))) {
      const m = kw.exec(args.slice(i));
      if (m) found = m[1];
    }
  }
  return found;
}

/**
 * The tables upgrade() creates (`op.create_table("gene", …, schema="bionty")` → `bionty.gene`): what the
 * package owns in a database it shares with other packages (see readInstance).
 */
export function scriptCreates(text: string): string[] {
  const body = upgradeBody(text)
    .map((b) => b.text)
    .join("\n");
  const out: string[] = [];
  for (const m of body.matchAll(new RegExp(`\\bop\\.create_table\\(\\s*${STR}`, "g"))) {
    const args = callText(body, m.index! + m[0].indexOf("("));
    out.push(qualified(ownKeyword(args, "schema"), m[1]!));
  }
  return out;
}

export function scriptFacts(text: string): ScriptFacts {
  return {
    checksum: scriptChecksum(text),
    transactional: !declaresNoTransaction(text),
    drops: scriptDrops(text),
    creates: scriptCreates(text),
  };
}
