// What the dynamic checks need from the Python bridge (src/bridge): typed requests, and a way to tell a
// failure of the repo's code (a finding) from a failure of the machine (an environment error, exit 3).
import type { CompareResult, PackageParams } from "../../bridge/types.js";
import type { RemoteFailure } from "./failure.js";

export type { CompareResult, PackageParams };

export interface BridgePort {
  /**
   * With `record`, the answer carries what each script did (`recorded`, src/lint/recorded.ts); with
   * `compare`, the ORM compared with the database after the upgrade (`compared`, absent when that failed).
   */
  upgrade(p: PackageParams & { url: string; revision: string; record?: boolean; compare?: boolean }): Promise<unknown>;
  downgrade(p: PackageParams & { url: string; revision: string }): Promise<unknown>;
  stamp(p: PackageParams & { url: string; revision: string }): Promise<unknown>;
  create_all(p: PackageParams & { url: string }): Promise<unknown>;
  compare(p: PackageParams & { url: string }): Promise<CompareResult>;
  schemas(p: PackageParams & { url?: string }): Promise<string[]>;
}

/**
 * The repo's code failed (a traceback from env.py, a script, the ORM): the failure to report as a finding.
 * Anything else (a missing module, a dead helper, a database that went away) is returned as undefined
 * and re-thrown by the caller as the environment error it is.
 */
export type FailureOf = (err: unknown) => RemoteFailure | undefined;
