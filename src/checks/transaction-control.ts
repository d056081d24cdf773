// The static rule over transaction control in a script's text (src/lint/transaction-text.ts finds it,
// and says which form is accepted): one finding per statement, under EMIGRAKIT_SCRIPT_TRANSACTION_CONTROL.
// A script that needs statements Postgres refuses in a transaction declares `migrakit_transaction = False`.
import { finding, type Finding } from "../errors/finding.js";
import { transactionControl } from "../lint/transaction-text.js";
import type { ScriptFile } from "../model/repo.js";

export function transactionControlFindings(s: ScriptFile): Finding[] {
  return transactionControl(s.text).flagged.map(({ line, what }) =>
    finding("EMIGRAKIT_SCRIPT_TRANSACTION_CONTROL", { file: s.path, line }, { what }),
  );
}
