// Before the first real request: does the interpreter have what the bridge needs? (pure)
// The answer names exactly what is missing and the pip command that installs it into that interpreter.
import { MigrakitError } from "../errors/index.js";
import type { PythonVersions } from "./contract.js";

const MIN_PYTHON: [number, number] = [3, 8];

/** pip requirement for each module the bridge (or a schema package) imports. */
const REQUIREMENT_OF_MODULE: Record<string, string> = {
  alembic: "alembic>=1.8",
  sqlalchemy: "sqlalchemy>=1.4",
  sqlmodel: "sqlmodel",
  pydantic: "pydantic",
  psycopg2: "psycopg2-binary",
  psycopg: "psycopg[binary]",
  mako: "mako",
};

function parts(version: string): number[] {
  return version
    .split(/[.+-]/)
    .map((p) => parseInt(p, 10))
    .map((n) => (Number.isNaN(n) ? 0 : n));
}

/** a >= b, comparing release numbers. */
export function atLeast(version: string, min: number[]): boolean {
  const v = parts(version);
  for (let i = 0; i < min.length; i++) {
    const a = v[i] ?? 0;
    if (a !== min[i]) return a > min[i]!;
  }
  return true;
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

export function pipCommand(python: string, requirements: string[]): string {
  return [python, "-m", "pip", "install", ...requirements].map(shellQuote).join(" ");
}

/** The requirement that installs a Python module (a best guess for modules we do not know). */
export function requirementFor(module: string): string {
  const top = module.split(".")[0]!;
  return REQUIREMENT_OF_MODULE[top.toLowerCase()] ?? top;
}

/** Requirements the interpreter lacks for the bridge to work (empty when all is there). */
export function missingRequirements(v: PythonVersions): string[] {
  const missing: string[] = [];
  if (!v.alembic || !atLeast(v.alembic, [1, 8])) missing.push(REQUIREMENT_OF_MODULE.alembic!);
  if (!v.sqlalchemy || !atLeast(v.sqlalchemy, [1, 4])) missing.push(REQUIREMENT_OF_MODULE.sqlalchemy!);
  // psycopg 3 works only with SQLAlchemy 2, so the driver the bridge can use is the one to check.
  if (!v.driver) missing.push(REQUIREMENT_OF_MODULE.psycopg2!);
  return missing;
}

/** The error for an interpreter that cannot run the bridge, or null when it can. */
export function preflightError(python: string, v: PythonVersions): MigrakitError | null {
  if (!atLeast(v.python, MIN_PYTHON))
    return new MigrakitError("EMIGRAKIT_PYTHON_TOO_OLD", { python, version: v.python });
  const missing = missingRequirements(v);
  if (missing.length === 0) return null;
  return missingPackages(python, missing);
}

export function missingPackages(python: string, requirements: string[]): MigrakitError {
  return new MigrakitError("EMIGRAKIT_PYTHON_PACKAGE_MISSING", {
    python,
    missing: requirements.join(", "),
    pip: pipCommand(python, requirements),
  });
}
