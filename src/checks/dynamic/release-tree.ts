// The package as it was at the last release (docs/spec.md §3 `baseline: release`): the git tag of __version__
// (with or without a leading v), else the newest commit in which no script was unreleased.
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { git } from "../../util/git.js";
import type { SchemaRepo } from "../../model/repo.js";
import { packageVersionOf } from "../../model/package-version.js";

export interface ReleaseTree {
  /** What a person recognises: `v0.5.0`, or a short commit id. */
  ref: string;
  commit: string;
  /** The git tree id of the package folder at that commit: a content hash of its ORM, scripts and env.py. */
  packageTree: string;
  /** How it was found, for the report. */
  how: "tag" | "commit";
}

/** How far back to look for a commit without unreleased scripts when there is no tag. */
const MAX_COMMITS = 200;
const UNRELEASED = /-vx_x_x\.py$/;

async function tagFor(root: string, version: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const out = await git(["tag", "--list", `v${version}`, version], { cwd: root, env }).catch(() => "");
  const tags = out.split("\n").filter(Boolean);
  return tags.includes(`v${version}`) ? `v${version}` : (tags[0] ?? null);
}

async function commitWithoutUnreleased(repo: SchemaRepo, env: NodeJS.ProcessEnv): Promise<string | null> {
  const commits = (
    await git(["rev-list", `--max-count=${MAX_COMMITS}`, "HEAD"], { cwd: repo.root, env }).catch(() => "")
  )
    .split("\n")
    .filter(Boolean);
  for (const commit of commits) {
    const names = (
      await git(["ls-tree", "--name-only", commit, `${repo.versionsDir}/`], { cwd: repo.root, env }).catch(() => "")
    )
      .split("\n")
      .filter((n) => n.endsWith(".py"));
    if (names.length > 0 && !names.some((n) => UNRELEASED.test(n))) return commit;
  }
  return null;
}

export async function findReleaseTree(repo: SchemaRepo, env: NodeJS.ProcessEnv): Promise<ReleaseTree | null> {
  const version = packageVersionOf(repo.init, repo.pyproject)?.value;
  const tag = version ? await tagFor(repo.root, version, env) : null;
  const commit = tag
    ? (await git(["rev-parse", "--verify", `${tag}^{commit}`], { cwd: repo.root, env }).catch(() => "")).trim()
    : await commitWithoutUnreleased(repo, env);
  if (!commit) return null;
  const packageTree = (
    await git(["rev-parse", "--verify", `${commit}:${repo.package}`], { cwd: repo.root, env }).catch(() => "")
  ).trim();
  if (!packageTree) return null; // the package did not exist there
  return { ref: tag ?? commit.slice(0, 10), commit, packageTree, how: tag ? "tag" : "commit" };
}

/** True in a shallow clone (actions/checkout's default): its release tags and older commits are upstream only. */
export async function isShallowClone(root: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const out = await git(["rev-parse", "--is-shallow-repository"], { cwd: root, env }).catch(() => "");
  return out.trim() === "true";
}

/** Write the package folder of `commit` into `dir` (git archive | tar: no checkout, the working tree is untouched). */
export async function exportPackage(
  repo: SchemaRepo,
  commit: string,
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const archive = spawn("git", ["archive", "--format=tar", commit, "--", repo.package], {
      cwd: repo.root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tar = spawn("tar", ["-x", "-C", dir], { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    archive.stderr.on("data", (d) => (stderr += d));
    tar.stderr.on("data", (d) => (stderr += d));
    archive.stdout.pipe(tar.stdin);
    let pending = 2;
    const done = (code: number | null) => {
      if (code !== 0) return reject(new Error(`exporting ${repo.package} at ${commit} failed: ${stderr.trim()}`));
      if (--pending === 0) resolve();
    };
    archive.on("close", done);
    tar.on("close", done);
    archive.on("error", reject);
    tar.on("error", reject);
  });
}
