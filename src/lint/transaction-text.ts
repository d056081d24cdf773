// A script that controls the transaction itself (`op.execute("COMMIT")`, `autocommit_block()`, a
// `connection.commit()`) escapes deploy's all-or-nothing: what ran before it stays committed when a later
// statement fails. Found statically, in code only (comments and docstrings are skipped). Pure. A script
// that needs statements Postgres refuses in a transaction declares `migrakit_transaction = False` instead.
import { finding, type Finding } from "../errors/finding.js";
import type { ScriptFile } from "../model/repo.js";

const SQL_CONTROL =
  /\b(?:execute|text|exec_driver_sql)\s*\(\s*[rbuf]*(["'])\s*(COMMIT|ROLLBACK|BEGIN|START\s+TRANSACTION|END|SAVEPOINT|RELEASE\s+SAVEPOINT)\b[^"']*\1/i;
const API_CONTROL = /\b(autocommit_block)\s*\(|\.(commit|rollback)\s*\(\s*\)/;

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

/** The declaration that the script runs outside deploy's transaction (the same test as src/deploy/script-facts.ts). */
const NON_TRANSACTIONAL = /^migrakit_transaction\s*(?::\s*bool\s*)?=\s*False\b/m;

export function transactionControlFindings(s: ScriptFile): Finding[] {
  const out: Finding[] = [];
  // A script that declares it runs alone, outside the transaction, is where autocommit_block() belongs.
  if (NON_TRANSACTIONAL.test(s.text)) return out;
  for (const { line, text } of codeLines(s.text)) {
    const sql = SQL_CONTROL.exec(text);
    const api = API_CONTROL.exec(text);
    const what = sql ? sql[2]!.toUpperCase().replace(/\s+/g, " ") : api ? `${api[1] ?? api[2]}()` : null;
    if (what) out.push(finding("EMIGRAKIT_SCRIPT_TRANSACTION_CONTROL", { file: s.path, line }, { what }));
  }
  return out;
}
