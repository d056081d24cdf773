// "Checks again" after generate/rebase: the static rules and the dynamic checks of `migrakit check`
// (src/checks), run on the result with the session's bridge and server.
import { dynamicCheck } from "../checks/dynamic.js";
import { staticFindings } from "../checks/static.js";
import type { Finding } from "../checks/finding.js";
import type { SchemaRepo } from "../model/repo.js";
import type { Session } from "./session.js";

export async function verify(s: Session, repo: SchemaRepo): Promise<Finding[]> {
  const findings = staticFindings(repo);
  if (findings.some((f) => f.severity === "error")) return findings;
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
  });
  return [...findings, ...dynamic.findings];
}
