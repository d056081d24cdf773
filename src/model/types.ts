// The schema-repo model (docs/spec.md §1) as plain data. Everything in src/model except repo.ts is pure:
// it turns text into these shapes and back, and never touches the file system, git or processes.

/** Where a value literal sits in a source text, so it can be rewritten without touching other bytes. */
export interface Span {
  /** 1-based line of the literal's first character. */
  line: number;
  /** Offsets into the source string: source.slice(start, end) is the literal including its quotes. */
  start: number;
  end: number;
}

/** One `name = value` assignment found at module level of a Python file. */
export interface Assignment<T> extends Span {
  value: T;
  /** The quote character used (`"`, `'`, or `""\"`-style triple quotes), null for None. */
  quote: string | null;
}

/** What the package's `__init__.py` says (docs/spec.md §1). */
export interface InitFile {
  /** `_migration = "…"` (null when `_migration = None`); undefined when absent. */
  migration?: Assignment<string | null>;
  /** `__version__ = "…"`; undefined when absent. */
  version?: Assignment<string>;
  /** `_schema_id = "…"`; undefined when absent. */
  schemaId?: Assignment<string>;
  /** Lines that assign one of the names above in a form we cannot read (e.g. computed): name → line. */
  unreadable: { name: string; line: number }[];
  /** A syntax problem that would stop Python importing the file (values after it were not read). */
  syntaxError?: { line: number; message: string } | null;
}

/** The parts of `{YYYY-MM-DD}-{revision}-{slug}.py`. */
export interface ScriptName {
  file: string;
  /** `YYYY-MM-DD`, or null for a name without the date prefix (legacy). */
  date: string | null;
  /** The revision part of the name, or null when the name has none we can see. */
  revision: string | null;
  /** The slug: `vx_x_x`, `v1_0_0`, `v0_30rc3`, or a legacy word like `jupynb`. */
  slug: string | null;
  /** `unreleased` for `vx_x_x`, `released` for a valid version slug, `legacy` for anything else. */
  kind: "unreleased" | "released" | "legacy";
  /** For kind `released`: the PEP 440 version the slug stands for (`v0_30rc3` → `0.30rc3`). */
  version: string | null;
}

/** The module docstring's first line, as the header of docs/spec.md §1. */
export interface ScriptHeader extends Span {
  /** The whole first line of the docstring without the opening quotes, e.g. `v1.0.0.` or `vX.X.X.`. */
  text: string;
  /** `unreleased` for `vX.X.X.`, `released` with `version` for `v1.0.0.`, `other` for anything else. */
  kind: "unreleased" | "released" | "other";
  version: string | null;
}

/** What a migration script's source says. */
export interface ScriptSource {
  header: ScriptHeader | null;
  /** `revision = "…"` in any form alembic writes (`revision: str = "…"`, single/double quotes). */
  revision: Assignment<string> | null;
  /**
   * `down_revision = …`: a string, a tuple/list of strings (merge), or None (root).
   * `value` is always a list: [] for None, one element for a plain string.
   */
  downRevision: Assignment<string[]> | null;
  /** `branch_labels` (alembic's multi-branch setup): [] for None or absent. */
  branchLabels: string[];
  /** `depends_on`: revisions (or branch labels) that must be applied first, without being a parent. */
  dependsOn: string[];
  /** Text problems that make the file unreadable for us (a Python syntax problem we can detect cheaply:
   * unterminated string or docstring, unbalanced brackets at module level, tabs/spaces mix is NOT one). */
  syntaxError: { line: number; message: string } | null;
}

/** One migration script: its name and its content. */
export interface Script {
  /** Path relative to the repository root, with `/` separators. */
  path: string;
  name: ScriptName;
  source: ScriptSource;
}

/** The shape of the revision graph built from scripts (docs/spec.md §1: one root, one head, linear). */
export interface RevisionGraph {
  /** revision → scripts defining it (more than one is a duplicate). */
  byRevision: Map<string, Script[]>;
  roots: string[];
  heads: string[];
  /** Revisions with more than one child. */
  branchPoints: string[];
  /** Revisions with more than one parent. */
  merges: string[];
  /** Each cycle as the list of revisions on it (each cycle reported once). */
  cycles: string[][];
  /** down_revision values naming a revision that no script defines. */
  missingParents: { revision: string; parent: string }[];
  /**
   * Each head's branch labels: those of the head and of the scripts below it down to the branch point it grows
   * from (a label there would name both branches). Several heads are one history only when each has its own.
   */
  headLabels: Map<string, string[]>;
  /** When the graph is a single linear chain: the revisions from root to head; otherwise null. */
  chain: string[] | null;
}
