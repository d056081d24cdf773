// Transaction control written in a script's text (`op.execute("COMMIT")`, `autocommit_block()`, a
// `connection.commit()`): it escapes deploy's all-or-nothing, since what ran before it stays committed when
// a later statement fails. Found in code only (comments and docstrings are skipped). Pure.
//
// One form is accepted: an `autocommit_block()` whose body is nothing but `ALTER TYPE … ADD VALUE IF NOT
// EXISTS …` statements — what `generate` writes for Postgres before 12, which refuses ADD VALUE in a
// transaction. The statement is idempotent and a label no row uses harms nothing when the rest rolls back.
//
// The static check reports what this finds (EMIGRAKIT_SCRIPT_TRANSACTION_CONTROL); the lint, which sees the
// same statements while the script runs, leaves those lines to it and reports only control the text does
// not show (SQL built at run time, a helper's commit), so one statement is never reported under two codes.

const SQL_CONTROL =
  /\b(?:execute|text|exec_driver_sql)\s*\(\s*[rbuf]*(["'])\s*(COMMIT|ROLLBACK|BEGIN|START\s+TRANSACTION|END|SAVEPOINT|RELEASE\s+SAVEPOINT)\b[^"']*\1/i;
const API_CONTROL = /\b(autocommit_block)\s*\(|\.(commit|rollback)\s*\(\s*\)/;
const AUTOCOMMIT_WITH = /^(\s*)with\s+[\w.]+\(\)\.autocommit_block\(\)\s*:\s*$/;
// One statement in one literal (no `;`: nothing else rides along), double- or single-quoted.
const ADD_VALUE_SQL = String.raw`ALTER\s+TYPE\s+[^;]+?\s+ADD\s+VALUE\s+IF\s+NOT\s+EXISTS\s+`;
const ADD_VALUE = new RegExp(
  String.raw`^\s*(?:op\.)?execute\(\s*[rbu]*(?:"${ADD_VALUE_SQL}[^";]*"|'${ADD_VALUE_SQL}[^';]*')\s*\)\s*$`,
  "i",
);

/**
 * Both patterns at once, over the whole text (case-insensitive, so it matches whenever either does): nearly every
 * script has neither, and then one native search replaces splitting it into lines and two searches per line.
 */
const ANY_CONTROL = new RegExp(`${SQL_CONTROL.source}|${API_CONTROL.source}`, "i");

/** The code lines of a Python text with their numbers, docstrings and comments blanked (good enough here). */
function codeLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let inDoc: string | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    let l = raw;
    if (inDoc) {
      const end = l.indexOf(inDoc);
      if (end < 0) return;
      l = l.slice(end + 3);
      inDoc = null;
    }
    const open = /^\s*[rbuf]*("""|''')/.exec(l);
    if (open) {
      const rest = l.slice(open[0].length);
      if (!rest.includes(open[1]!)) {
        inDoc = open[1]!;
        return;
      }
      return;
    }
    out.push({ line: i + 1, text: l.replace(/#.*$/, "") });
  });
  return out;
}

const indentOf = (t: string) => /^\s*/.exec(t)![0].length;

/** Lines of `with …autocommit_block():` whose whole body is idempotent ADD VALUE statements. */
function acceptedBlocks(lines: { line: number; text: string }[]): Set<number> {
  const out = new Set<number>();
  lines.forEach(({ line, text }, i) => {
    const open = AUTOCOMMIT_WITH.exec(text);
    if (!open) return;
    const body: string[] = [];
    for (const next of lines.slice(i + 1)) {
      if (!next.text.trim()) continue;
      if (indentOf(next.text) <= open[1]!.length) break;
      body.push(next.text);
    }
    if (body.length > 0 && body.every((b) => ADD_VALUE.test(b))) out.add(line);
  });
  return out;
}

/** The declaration that the script runs outside deploy's transaction (the same test as src/deploy/script-facts.ts). */
const NON_TRANSACTIONAL = /^migrakit_transaction\s*(?::\s*bool\s*)?=\s*False\b/m;

export interface TextControl {
  /** Statements that control the transaction: [line, what]. */
  flagged: { line: number; what: string }[];
  /** Lines of the accepted form (an autocommit block of ADD VALUE IF NOT EXISTS only). */
  accepted: number[];
}

export function transactionControl(text: string): TextControl {
  if (!ANY_CONTROL.test(text)) return { flagged: [], accepted: [] };
  // A script that declares it runs alone, outside the transaction, is where autocommit_block() belongs.
  if (NON_TRANSACTIONAL.test(text)) return { flagged: [], accepted: [] };
  const lines = codeLines(text);
  const accepted = acceptedBlocks(lines);
  const flagged: TextControl["flagged"] = [];
  for (const { line, text: code } of lines) {
    if (accepted.has(line)) continue;
    const sql = SQL_CONTROL.exec(code);
    const api = API_CONTROL.exec(code);
    const what = sql ? sql[2]!.toUpperCase().replace(/\s+/g, " ") : api ? `${api[1] ?? api[2]}()` : null;
    if (what) flagged.push({ line, what });
  }
  return { flagged, accepted: [...accepted] };
}
