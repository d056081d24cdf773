// The configuration keys of docs/spec.md §3, their defaults and their validators, as data. Pure.

export type Baseline = "replay" | "release" | "auto";

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
  /** Extra semver pre-release channel → PEP 440 letters (`{ "preview": "rc" }`). */
  prereleaseMap: Record<string, string>;
}

export const DEFAULTS: Config = {
  packages: [],
  orm: {},
  database: "embedded",
  baseline: "auto",
  requireDowngrade: false,
  allowDestructive: false,
  prereleaseMap: {},
};

/** A validator returns the normalised value, or undefined with the description of what is expected. */
type Validator = (value: unknown) => { ok: true; value: unknown } | { ok: false; expected: string };

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string" && x.length > 0);
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const VALIDATORS: Record<keyof Config, Validator> = {
  packages: (v) => {
    if (typeof v === "string" && v) return { ok: true, value: [v] };
    if (isStringArray(v)) return { ok: true, value: v };
    return { ok: false, expected: "a folder name or a list of folder names" };
  },
  orm: (v) => {
    if (isStringArray(v)) return { ok: true, value: { "*": v } };
    if (v && typeof v === "object" && !Array.isArray(v) && Object.values(v).every(isStringArray)) return { ok: true, value: v };
    return { ok: false, expected: 'a list of globs, or an object mapping each package to a list of globs' };
  },
  python: (v) => (typeof v === "string" && v.trim() ? { ok: true, value: v } : { ok: false, expected: "the path or name of a Python interpreter" }),
  database: (v) =>
    v === "embedded" || (typeof v === "string" && /^postgres(ql)?(\+[a-z0-9]+)?:\/\//.test(v))
      ? { ok: true, value: v }
      : { ok: false, expected: '"embedded" or a postgres:// URL' },
  baseline: (v) => (v === "replay" || v === "release" || v === "auto" ? { ok: true, value: v } : { ok: false, expected: '"replay", "release" or "auto"' }),
  versionTable: (v) => (typeof v === "string" && identifier.test(v) ? { ok: true, value: v } : { ok: false, expected: "a table name (letters, digits, underscores)" }),
  requireDowngrade: (v) => (typeof v === "boolean" ? { ok: true, value: v } : { ok: false, expected: "true or false" }),
  allowDestructive: (v) => (typeof v === "boolean" ? { ok: true, value: v } : { ok: false, expected: "true or false" }),
  requireReleaseTags: (v) => (typeof v === "boolean" ? { ok: true, value: v } : { ok: false, expected: "true or false" }),
  prereleaseMap: (v) =>
    v && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => x === "a" || x === "b" || x === "rc" || x === "dev")
      ? { ok: true, value: v }
      : { ok: false, expected: 'an object mapping channel names to "a", "b", "rc" or "dev"' },
};

export const KEYS = Object.keys(VALIDATORS) as (keyof Config)[];
