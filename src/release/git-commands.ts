// The git commands that record a release made by `release-prepare` (what semantic-release's git plugin does
// in CI): stage exactly what the release changed, old names included so that a rename is recorded as one,
// commit, tag. Printed for the user to run; pure.
import type { ReleasePlan } from "./release-plan.js";
import { changedPaths } from "./release-plan.js";

/** A word for a POSIX shell: as it is when safe, else single-quoted. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function releaseGitCommands(plan: ReleasePlan): string[] {
  const version = plan.version.semver ?? plan.version.pep440;
  const paths = changedPaths(plan);
  return [
    ...(paths.length ? [`git add -A -- ${paths.map(shellWord).join(" ")}`] : []),
    `git commit -m ${shellWord(`chore(release): ${version}`)}`,
    `git tag v${version}`,
  ];
}
