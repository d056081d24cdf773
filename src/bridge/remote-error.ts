// A failed request as a MigrakitError (pure): the repo's code raising is a check failure (exit 1); a missing
// module or an unreachable database is the machine's problem (exit 3). Params are kept with the URL
// redacted, so the error can be printed or logged as it is.
import { MigrakitError } from "../errors/index.js";
import { redactSecrets } from "../util/redact.js";
import { missingPackages, requirementFor } from "./preflight.js";
import type { RemoteError } from "./contract.js";

/** Params fit for an error: every string with a password hidden. */
export function redactParams(params: object): Record<string, unknown> {
  return JSON.parse(redactSecrets(JSON.stringify(params))) as Record<string, unknown>;
}

/** The innermost frame of a Python traceback: `file:line`, or undefined. */
export function lastFrame(traceback: string): string | undefined {
  const frames = [...traceback.matchAll(/File "([^"]+)", line (\d+)/g)];
  const last = frames.at(-1);
  return last ? `${last[1]}:${last[2]}` : undefined;
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
  const details = {
    method,
    params: safe,
    type: error.type,
    message: redactSecrets(error.message),
    traceback: redactSecrets(error.traceback),
    where: lastFrame(error.traceback),
    category: error.category,
  };
  // The bridge's guard (python/migrakit_bridge/guard.py) stopped env.py connecting elsewhere: configuration.
  if (error.type === "ForeignDatabaseError") return new MigrakitError("EMIGRAKIT_ENV_FOREIGN_DATABASE", details);
  return new MigrakitError(
    error.category === "database" ? "EMIGRAKIT_BRIDGE_DATABASE" : "EMIGRAKIT_PYTHON_ERROR",
    details,
  );
}

/**
 * For callers that report the repo's failures as findings (src/checks/dynamic): the Python failure behind
 * an error, when the error is the repo's code raising; undefined for everything else.
 */
export function remoteFailureOf(err: unknown): { type: string; message: string; traceback: string } | undefined {
  if (!(err instanceof MigrakitError) || err.code !== "EMIGRAKIT_PYTHON_ERROR") return undefined;
  const d = err.details as { type: string; message: string; traceback: string };
  return { type: d.type, message: d.message, traceback: d.traceback };
}
