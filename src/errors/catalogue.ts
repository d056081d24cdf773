// The one place where every expected failure is defined: a stable code, the exit code it ends a run with,
// a one-line message and a one-line fix, both built from the details of the case (docs/spec.md §4).
// Each area keeps its codes in its own file under ./codes so they can grow independently; docs/errors.md
// is generated from this catalogue (npm run docs:errors) and a test keeps the two in step.

export type ExitCode = 1 | 2 | 3 | 4;
export type Details = Record<string, unknown>;

export interface ErrorDefinition {
  exit: ExitCode;
  /** A short title for the docs. */
  title: string;
  message: (d: Details) => string;
  fix: (d: Details) => string;
}

export type Catalogue = Record<`EMIGRAKIT_${string}`, ErrorDefinition>;

/** Render a detail value for a message: strings as they are, the rest as JSON. */
export function show(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "(none)";
  return JSON.stringify(value);
}
