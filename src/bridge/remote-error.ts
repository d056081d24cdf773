// A failed request as a MigrakitError (pure): the repo's code raising is a check failure (exit 1); a missing
// module or an unreachable database is the machine's problem (exit 3). Params are kept with the URL
// redacted, so the error can be printed or logged as it is.
import { MigrakitError } from "../errors/index.js";
import { redactSecrets } from "../util/redact.js";
import { missingPackages, requirementFor } from "./preflight.js";
import type { PythonFrame, RemoteError } from "./contract.js";

/** Params fit for an error: every string with a password hidden. */
export function redactParams(params: object): Record<string, unknown> {
  return JSON.parse(redactSecrets(JSON.stringify(params))) as Record<string, unknown>;
}

/** Where the repo's code failed, `file:line` of the innermost of its frames (undefined: none is the repo's). */
export function innermost(frames: PythonFrame[]): string | undefined {
  const last = frames.at(-1);
  return last ? `${last.file}:${last.line}` : undefined;
}

export function remoteError(python: string, method: string, params: object, error: RemoteError): MigrakitError {
  const safe = redactParams(params);
  if (error.category === "missing_module" && error.module) {
    const err = missingPackages(python, [requirementFor(error.module)]);
    return new MigrakitError(err.code, {
      ...err.details,
      method,
      params: safe,
      module: error.module,
      traceback: error.traceback,
    });
  }
  const frames = error.frames.map((f) => ({ ...f, code: redactSecrets(f.code) }));
  const details = {
    method,
    params: safe,
    type: error.type,
    message: redactSecrets(error.message),
    traceback: redactSecrets(error.traceback),
    where: innermost(frames),
    frames,
    category: error.category,
  };
  // The bridge's guard (python/migrakit_bridge/guard.py) stopped env.py connecting elsewhere: configuration.
  if (error.type === "ForeignDatabaseError") return new MigrakitError("EMIGRAKIT_ENV_FOREIGN_DATABASE", details);
  return new MigrakitError(
    error.category === "database" ? "EMIGRAKIT_BRIDGE_DATABASE" : "EMIGRAKIT_PYTHON_ERROR",
    details,
  );
}

/** A failure of the repo's code, as the dynamic checks report it (src/checks/dynamic/failure.ts). */
export interface RemoteFailure {
  type: string;
  /** Secrets redacted. */
  message: string;
  frames: PythonFrame[];
}

/**
 * For callers that report the repo's failures as findings (src/checks/dynamic): the Python failure behind
 * an error, when the error is the repo's code raising; undefined for everything else.
 */
export function remoteFailureOf(err: unknown): RemoteFailure | undefined {
  if (!(err instanceof MigrakitError) || err.code !== "EMIGRAKIT_PYTHON_ERROR") return undefined;
  const d = err.details as Partial<RemoteFailure>;
  return { type: d.type ?? "Error", message: d.message ?? "", frames: d.frames ?? [] };
}
