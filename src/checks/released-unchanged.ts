// SPEC §1 "a released script never changes again": compare the versions folder with the git tag of the
// current __version__ (with or without a leading v). One git call; nothing when there is no git or no tag.
import { git, splitZ } from "../util/git.js";
import type { SchemaRepo } from "../model/repo.js";
import { finding, type Finding } from "./finding.js";

async function findTag(root: string, version: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const out = await git(["tag", "--list", version, `v${version}`], { cwd: root, env }).catch(() => "");
  const tags = out.split("\n").filter(Boolean);
  return tags.includes(`v${version}`) ? `v${version}` : (tags[0] ?? null);
}

export async function releasedChangedFindings(repo: SchemaRepo, env: NodeJS.ProcessEnv): Promise<Finding[]> {
  const version = repo.init?.parsed?.version?.value;
  if (!version) return [];
  const tag = await findTag(repo.root, version, env);
  if (!tag) return [];
  let out: string;
  try {
    out = await git(["diff", "--name-status", "-z", "--no-renames", "--relative", tag, "--", repo.versionsDir], { cwd: repo.root, env });
  } catch {
    return [];
  }
  const fields = splitZ(out);
  const findings: Finding[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [status, file] = [fields[i]!, fields[i + 1]!];
    if (!file.endsWith(".py") || status === "A") continue; // new files are unreleased scripts, not changes
    findings.push(finding("EMIGRAKIT_RELEASED_CHANGED", { file, line: 1 }, { file, ref: tag }));
  }
  return findings;
}
