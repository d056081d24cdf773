// docs/spec.md §1 "a released script never changes again": compare the versions folder with the git tag of the
// current __version__ (with or without a leading v). One git call; nothing when there is no git or no tag.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { git, splitZ } from "../util/git.js";
import type { SchemaRepo } from "../model/repo.js";
import { finding, type Finding } from "../errors/finding.js";
import { comparePep440 } from "../model/pep440.js";

/** The .git folder above `root`, or null (none, or a worktree/submodule whose .git is a file: ask git). */
function gitDir(root: string): string | null {
  for (let dir = root; ; dir = dirname(dir)) {
    try {
      return statSync(join(dir, ".git")).isDirectory() ? join(dir, ".git") : null;
    } catch {
      // not here: look one level up
    }
    if (dirname(dir) === dir) return null;
  }
}

/**
 * The tag of `version` (`v1.0.0` preferred over `1.0.0`), read from the refs files when we can: this runs on
 * every `check --static` and in the hook, where a git process per run is a noticeable part of the time.
 */
async function findTag(root: string, version: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const candidates = [`v${version}`, version];
  const dir = gitDir(root);
  if (dir) {
    let packed = "";
    try {
      packed = readFileSync(join(dir, "packed-refs"), "utf8");
    } catch {
      // no packed refs
    }
    for (const tag of candidates) {
      if (existsSync(join(dir, "refs", "tags", tag)) || packed.includes(` refs/tags/${tag}\n`)) return tag;
    }
    return null;
  }
  const out = await git(["tag", "--list", ...candidates], { cwd: root, env }).catch(() => "");
  const tags = out.split("\n").filter(Boolean);
  return candidates.find((t) => tags.includes(t)) ?? null;
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
    if (!file.endsWith(".py")) continue;
    if (status === "A") {
      // A new file is an unreleased script, unless its name claims a version that the tag already released.
      const script = repo.scripts.find((s) => s.path === file);
      const named = script?.name.kind === "released" ? script.name.version : null;
      if (named && comparePep440(named, version) <= 0) {
        const suggestion = file.replace(/-[^-/]+\.py$/, "-vx_x_x.py");
        findings.push(finding("EMIGRAKIT_RELEASED_ADDED", { file, line: 1 }, { file, version: named, ref: tag, suggestion }));
      }
      continue;
    }
    findings.push(finding("EMIGRAKIT_RELEASED_CHANGED", { file, line: 1 }, { file, ref: tag }));
  }
  return findings;
}
