import { show, type Catalogue } from "../catalogue.js";

// The safety lint (src/lint/, docs/lint.md): what an unreleased script does to a live Postgres. One code per
// kind of risk; the rule id (a stable name such as `drop-column`) is in the message, and every rule's safe
// recipe is in docs/lint.md under its id. Each finding can be accepted with a reviewable marker line.
const acceptOr = (d: Record<string, unknown>) =>
  `Follow the safe recipe in docs/lint.md#${show(d.rule)}, or accept it on purpose with this line in the script: # migrakit: allow ${show(d.rule)} ${show(d.object)} — <why it is safe>`;

export const lintCodes = {
  EMIGRAKIT_LINT_DESTRUCTIVE: {
    exit: 1,
    title: "A script destroys data (drop, narrowing type change, truncate)",
    message: (d) => `${show(d.rule)}: ${show(d.what)} — ${show(d.why)}`,
    fix: (d) => `${acceptOr(d)} (or set \`allowDestructive: true\` for the whole repo).`,
  },
  EMIGRAKIT_LINT_DATA: {
    exit: 1,
    title: "A script fails or not depending on the rows already there",
    message: (d) => `${show(d.rule)}: ${show(d.what)} — ${show(d.why)}`,
    fix: (d) => `${acceptOr(d)}.`,
  },
  EMIGRAKIT_LINT_LOCK: {
    exit: 1,
    title: "A script locks or rewrites an existing table",
    message: (d) => `${show(d.rule)}: ${show(d.what)} — ${show(d.why)}${d.size ? ` (${show(d.size)})` : ""}`,
    fix: (d) => `${acceptOr(d)}.`,
  },
  EMIGRAKIT_LINT_RENAME: {
    exit: 1,
    title: "A script renames what running code still uses",
    message: (d) => `${show(d.rule)}: ${show(d.what)} — ${show(d.why)}`,
    fix: (d) => `${acceptOr(d)}.`,
  },
  EMIGRAKIT_LINT_TRANSACTION: {
    exit: 1,
    title: "A script controls the transaction it runs in",
    message: (d) => `${show(d.rule)}: ${show(d.what)} — ${show(d.why)}`,
    fix: (d) =>
      `Remove it, or mark the script as non-transactional with a line \`migrakit_transaction = False\` (deploy then applies it on its own), or accept it: # migrakit: allow ${show(d.rule)} ${show(d.object)} — <reason>`,
  },
  EMIGRAKIT_LINT_SQL_UNPARSEABLE: {
    exit: 1,
    title: "SQL in a script could not be parsed, so the lint could not check it",
    message: (d) => `${show(d.rule)}: ${show(d.what)} — the safety rules could not be applied to it`,
    fix: (d) =>
      `Check the statement in psql; if it is right, accept it unchecked: # migrakit: allow unparseable-sql ${show(d.object)} — <reason>`,
  },
  EMIGRAKIT_LINT_MARKER_INVALID: {
    exit: 1,
    title: "A `# migrakit: allow` marker is incomplete",
    message: (d) => `the marker \`${show(d.marker)}\` needs a rule id, an object and a reason after a dash`,
    fix: () =>
      "Write it as `# migrakit: allow <rule-id> <object> — <reason>` (rule ids: docs/lint.md), e.g. `# migrakit: allow drop-column core.run.note — replaced by run.notes in 0.31`.",
  },
  EMIGRAKIT_LINT_MARKER_STALE: {
    exit: 1,
    title: "A `# migrakit: allow` marker matches nothing the script does",
    message: (d) =>
      `the marker allows ${show(d.rule)} on ${show(d.object)}, but the script does not do that (any more)`,
    fix: () =>
      "Delete the marker line, or correct its rule id and object (`schema.table` or `schema.table.column`, as the finding names it).",
  },
  EMIGRAKIT_LINT_HISTORY_NOT_REPLAYED: {
    exit: 1,
    title: "`check --all` could not lint the released scripts",
    message: (d) =>
      `the released scripts do not upgrade an empty database (${show(d.error)}), so --all could not record what they do; only the unreleased ones were linted`,
    fix: () =>
      "Nothing to fix for the unreleased scripts. To lint the history, make it replay from empty (the first script creates what it needs), or run without --all.",
  },
} satisfies Catalogue;
