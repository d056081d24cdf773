// The configuration keys of docs/spec.md §3, their defaults and their validators, as data. Pure.

export type Baseline = "replay" | "release" | "auto";
export type Convention = "lamin" | "alembic";

export interface Config {
  /** Schema package folders, relative to the repo root; empty = discover (the folders holding migrations/versions). */
  packages: string[];
  /** ORM file globs per package (relative to the package folder); empty = every .py outside migrations/. */
  orm: Record<string, string[]>;
  /** Python interpreter; undefined = discover ($MIGRAKIT_PYTHON, active venv, .venv/, python3). */
  python?: string;
  /** "embedded" or a Postgres URL. */
  database: string;
  baseline: Baseline;
  /** alembic version table; undefined = migration_{_schema_id} when _schema_id is set, else alembic_version. */
  versionTable?: string;
  requireDowngrade: boolean;
  allowDestructive: boolean;
  /** Release tags missing (shallow clone, no tag, no git): true = an error, false = a warning; undefined = an error under CI=true. */
  requireReleaseTags?: boolean;
  /** Major version of the Postgres the scripts are deployed to, for the lint's version-dependent rules; undefined = the server's. */
  postgresVersion?: number;
  /** Extra semver pre-release channel → PEP 440 letters (`{ "preview": "rc" }`). */
  prereleaseMap: Record<string, string>;
  /** docs/spec.md §3: naming and release rules; undefined = detect (alembic when alembic.ini/[tool.alembic] says where the scripts are). */
  convention?: Convention;
  /** The migrations folder (alembic's script_location) per package, relative to the repo root; `"*"` for every package. */
  migrations: Record<string, string>;
  /** History as it is: the naming and header rules apply only to scripts after this revision. */
  acceptHistoryUpTo?: string;
  /** Labelled branches (convention alembic): the branch label the hook's and generate's new script goes on. */
  generateHead?: string;
  /** deploy: Postgres lock_timeout / statement_timeout (durations: "5s", "0" = none) and lock-timeout retries. */
  lockTimeout?: string;
  statementTimeout?: string;
  retries?: number;
  /** deploy/status --targets default: a file of instances (one URL or libpq service per line), or the list itself. */
  targets?: string | string[];
}

export const DEFAULTS: Config = {
  packages: [],
  orm: {},
  database: "embedded",
  baseline: "auto",
  requireDowngrade: false,
  allowDestructive: false,
  prereleaseMap: {},
  migrations: {},
};

/** A validator returns the normalised value, or undefined with the description of what is expected. */
export type Validator = (value: unknown) => { ok: true; value: unknown } | { ok: false; expected: string };

const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === "string" && x.length > 0);
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

const duration: Validator = (v) =>
  (typeof v === "string" && /^\d+(\.\d+)?\s*(ms|s|sec|m|min|h)?$/i.test(v.trim())) || (typeof v === "number" && v >= 0)
    ? { ok: true, value: String(v) }
    : { ok: false, expected: 'a duration such as "500ms", "5s", "1min" ("0": no limit)' };
export const VALIDATORS: Record<keyof Config, Validator> = {
  packages: (v) => {
    if (typeof v === "string" && v) return { ok: true, value: [v] };
    if (isStringArray(v)) return { ok: true, value: v };
    return { ok: false, expected: "a folder name or a list of folder names" };
  },
  orm: (v) => {
    if (isStringArray(v)) return { ok: true, value: { "*": v } };
    if (v && typeof v === "object" && !Array.isArray(v) && Object.values(v).every(isStringArray))
      return { ok: true, value: v };
    return { ok: false, expected: "a list of globs, or an object mapping each package to a list of globs" };
  },
  python: (v) =>
    typeof v === "string" && v.trim()
      ? { ok: true, value: v }
      : { ok: false, expected: "the path or name of a Python interpreter" },
  database: (v) =>
    v === "embedded" || (typeof v === "string" && /^postgres(ql)?(\+[a-z0-9]+)?:\/\//.test(v))
      ? { ok: true, value: v }
      : { ok: false, expected: '"embedded" or a postgres:// URL' },
  baseline: (v) =>
    v === "replay" || v === "release" || v === "auto"
      ? { ok: true, value: v }
      : { ok: false, expected: '"replay", "release" or "auto"' },
  versionTable: (v) =>
    typeof v === "string" && identifier.test(v)
      ? { ok: true, value: v }
      : { ok: false, expected: "a table name (letters, digits, underscores)" },
  requireDowngrade: (v) => (typeof v === "boolean" ? { ok: true, value: v } : { ok: false, expected: "true or false" }),
  allowDestructive: (v) => (typeof v === "boolean" ? { ok: true, value: v } : { ok: false, expected: "true or false" }),
  requireReleaseTags: (v) =>
    typeof v === "boolean" ? { ok: true, value: v } : { ok: false, expected: "true or false" },
  postgresVersion: (v) =>
    typeof v === "number" && Number.isInteger(v) && v >= 9 && v <= 99
      ? { ok: true, value: v }
      : { ok: false, expected: "a Postgres major version such as 14" },
  prereleaseMap: (v) =>
    v &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => x === "a" || x === "b" || x === "rc" || x === "dev")
      ? { ok: true, value: v }
      : { ok: false, expected: 'an object mapping channel names to "a", "b", "rc" or "dev"' },
  convention: (v) =>
    v === "lamin" || v === "alembic" ? { ok: true, value: v } : { ok: false, expected: '"lamin" or "alembic"' },
  migrations: (v) => {
    if (typeof v === "string" && v.trim()) return { ok: true, value: { "*": v } };
    if (
      v &&
      typeof v === "object" &&
      !Array.isArray(v) &&
      Object.values(v).every((x) => typeof x === "string" && x.trim())
    )
      return { ok: true, value: v };
    return { ok: false, expected: "a folder, or an object mapping each package to its migrations folder" };
  },
  acceptHistoryUpTo: (v) =>
    typeof v === "string" && /^[A-Za-z0-9_]+$/.test(v)
      ? { ok: true, value: v }
      : { ok: false, expected: "a revision (the last script the naming and header rules leave alone)" },
  generateHead: (v) =>
    typeof v === "string" && v.trim()
      ? { ok: true, value: v }
      : { ok: false, expected: "a branch label (or a head's revision) for the new script" },
  lockTimeout: duration,
  statementTimeout: duration,
  retries: (v) =>
    Number.isInteger(v) && (v as number) >= 0
      ? { ok: true, value: v }
      : { ok: false, expected: "a whole number of retries (0: none)" },
  targets: (v) =>
    (typeof v === "string" && v) || isStringArray(v)
      ? { ok: true, value: v }
      : { ok: false, expected: "a file of instances, or a list of instance URLs / libpq service names" },
};

export const KEYS = Object.keys(VALIDATORS) as (keyof Config)[];
