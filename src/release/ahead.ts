// EMIGRAKIT_RELEASED_AHEAD during a release: a script already named for the version being released (lamin's
// habit: `…-v0_33_0.py` written before 0.33.0 is cut) is that release's own script, so releasing exactly that
// version accepts it when its header says the same version. A name ahead of the version released stays
// refused. Pure.
import type { Finding } from "../errors/finding.js";
import type { SchemaRepo } from "../model/repo.js";
import { comparePep440 } from "../model/pep440.js";

/** The findings without the RELEASED_AHEAD of scripts named and headed for `target` (a PEP 440 version). */
export function acceptReleasedForTarget(findings: Finding[], repos: SchemaRepo[], target: string): Finding[] {
  const scripts = repos.flatMap((r) => r.scripts);
  return findings.filter((f) => {
    if (f.code !== "EMIGRAKIT_RELEASED_AHEAD") return true;
    const s = scripts.find((x) => x.path === f.file);
    const named = s?.name.kind === "released" ? s.name.version : null;
    const headed = s?.source.header?.kind === "released" ? s.source.header.version : null;
    return !(
      named !== null &&
      headed !== null &&
      comparePep440(named, target) === 0 &&
      comparePep440(headed, target) === 0
    );
  });
}

/** Before the version is known (semantic-release's verifyConditions): RELEASED_AHEAD waits for verifyRelease. */
export const withoutReleasedAhead = (findings: Finding[]): Finding[] =>
  findings.filter((f) => f.code !== "EMIGRAKIT_RELEASED_AHEAD");
