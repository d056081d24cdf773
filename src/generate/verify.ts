// "Checks again" after generate/rebase: the static rules and the dynamic checks of `migrakit check`
// (src/checks), run on the result with the session's bridge and server.
import { dynamicCheck } from "../checks/dynamic.js";
import type { Baseline } from "../checks/dynamic/baseline.js";
import type { Diff } from "../bridge/contract.js";
import { staticFindings } from "../checks/static.js";
import type { Finding } from "../errors/finding.js";
import type { SchemaRepo } from "../model/repo.js";
import type { Session } from "./session.js";

export interface VerifyOptions {
  /**
   * The untouched baseline database generate compared against (generateKeepingBaseline): the check runs on
   * it instead of cloning the template again. Taken over: dropped here whatever happens.
   */
  baseline?: Baseline;
  /** The differences generate left out as predating the change: the hook's check warns on them alone. */
  predating?: Diff[];
  /** Where to leave the scratch database's drop instead of waiting for it (DynamicOptions.drops). */
  drops?: Promise<void>[];
}

export async function verify(s: Session, repo: SchemaRepo, o: VerifyOptions = {}): Promise<Finding[]> {
  const findings = staticFindings(repo);
  if (findings.some((f) => f.severity === "error")) {
    await o.baseline?.db.drop();
    return findings;
  }
  const dynamic = await dynamicCheck(repo, {
    bridge: s.port,
    failureOf: s.failureOf,
    adminUrl: s.server.adminUrl,
    serverVersion: s.server.serverVersion,
    pythonVersions: s.versions,
    config: s.config,
    env: s.env,
    useTemplates: true,
    cacheDir: null,
    baseline: o.baseline,
    predating: o.predating,
    ...(o.drops ? { drops: o.drops } : {}),
  });
  return [...findings, ...dynamic.findings];
}
