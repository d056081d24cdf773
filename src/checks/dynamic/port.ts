// What the dynamic checks need from the Python bridge (src/bridge): its typed requests, and a way to tell a
// failure of the repo's code (a finding) from a failure of the machine (an environment error, exit 3).
import type { BridgeRequests, CompareResult, PackageParams } from "../../bridge/contract.js";
import type { RemoteFailure } from "./failure.js";

export type { CompareResult, PackageParams };

/** The bridge as the checks take it: the contract's one request (src/bridge/contract.ts). */
export type BridgePort = BridgeRequests;

/**
 * The repo's code failed (a traceback from env.py, a script, the ORM): the failure to report as a finding.
 * Anything else (a missing module, a dead helper, a database that went away) is returned as undefined
 * and re-thrown by the caller as the environment error it is.
 */
export type FailureOf = (err: unknown) => RemoteFailure | undefined;
