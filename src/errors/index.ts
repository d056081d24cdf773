import type { Catalogue, Details, ErrorDefinition, ExitCode } from "./catalogue.js";
import { redactSecrets } from "../util/redact.js";
import { usageCodes } from "./codes/usage.js";
import { configCodes } from "./codes/config.js";
import { staticCodes } from "./codes/static.js";
import { bridgeCodes } from "./codes/bridge.js";
import { databaseCodes } from "./codes/database.js";
import { releaseCodes } from "./codes/release.js";
import { checkCodes } from "./codes/check.js";
import { generateCodes } from "./codes/generate.js";
import { deployCodes } from "./codes/deploy.js";
import { runCodes } from "./codes/run.js";
import { lintCodes } from "./codes/lint.js";

export type { Catalogue, Details, ErrorDefinition, ExitCode } from "./catalogue.js";

/** Every code migrakit can report, by area. */
export const catalogue = {
  ...usageCodes,
  ...configCodes,
  ...staticCodes,
  ...bridgeCodes,
  ...databaseCodes,
  ...releaseCodes,
  ...checkCodes,
  ...generateCodes,
  ...deployCodes,
  ...runCodes,
  ...lintCodes,
} satisfies Catalogue;

/** Every code, as a union of its literals: a typo in a code is a compile error, not a crash at run time. */
export type ErrorCode = keyof typeof catalogue;

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(catalogue, code);

export function definition(code: ErrorCode): ErrorDefinition {
  const def = (catalogue as Record<string, ErrorDefinition | undefined>)[code];
  if (!def) throw new Error(`internal: unknown error code ${code}`);
  return def;
}

/** An expected failure: printed as code, message and fix, without a stack trace. */
export class MigrakitError extends Error {
  readonly code: ErrorCode;
  readonly fix: string;
  readonly exitCode: ExitCode;
  readonly details: Details;
  /** Further errors reported together with this one (all problems at once). */
  readonly others: MigrakitError[];

  constructor(code: ErrorCode, details: Details = {}, others: MigrakitError[] = []) {
    const def = definition(code);
    super(redactSecrets(def.message(details)));
    this.name = "MigrakitError";
    this.code = code;
    this.fix = redactSecrets(def.fix(details));
    this.exitCode = def.exit;
    this.details = details;
    this.others = others;
  }

  /** All errors this one stands for, itself first. */
  all(): MigrakitError[] {
    return [this, ...this.others];
  }
}

/** Throw all collected errors at once (the first carries the others), or nothing when there are none. */
export function throwAll(errors: MigrakitError[]): void {
  if (errors.length === 0) return;
  const [first, ...rest] = errors;
  throw new MigrakitError(first!.code, first!.details, rest);
}

export function isMigrakitError(e: unknown): e is MigrakitError {
  return e instanceof MigrakitError;
}
