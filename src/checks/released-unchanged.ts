// docs/spec.md §1 "a released script never changes again": compare the versions folder with the git tag of the
// current __version__ (with or without a leading v), else the newest release tag reachable from HEAD. With the
// cache folder, no git call when nothing changed since the tag (released-fast.ts); otherwise one `git diff` in
// the usual case, none in a repository without tags. When the rule cannot run, a finding says why
// (EMIGRAKIT_RELEASED_UNCHECKED).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseScriptName } from "../model/script-name.js";
import { git, GitError, splitZ } from "../util/git.js";
import { firstTag, gitRedirected, refsDir } from "../util/git-refs.js";
import { memoDir } from "../util/cache-dir.js";
import { releasedUnchangedWithoutGit } from "./released-fast.js";
import type { SchemaRepo } from "../model/repo.js";
import { finding, type Finding } from "../errors/finding.js";
import { comparePep440 } from "../model/pep440.js";
import { packageVersionOf } from "../model/package-version.js";

/**
 * The tag of `version` (`v1.0.0` preferred over `1.0.0`), read from the refs files when we can: this runs on
 * every `check --static` and in the hook, where a git process per run is a noticeable part of the time.
 */
async function findTag(root: string, version: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const candidates = [`v${version}`, version];
  const read = firstTag(root, candidates, env);
  if (read !== null) return read ?? null;
  const out = await git(["tag", "--list", ...candidates], { cwd: root, env }).catch(() => "");
  const tags = out.split("\n").filter(Boolean);
  return candidates.find((t) => tags.includes(t)) ?? null;
}

/** Options of the rule: `requireReleaseTags` (config); undefined = an error under CI=true, a warning elsewhere. */
export interface ReleasedRuleOptions {
  requireReleaseTags?: boolean;
}

const isCI = (env: NodeJS.ProcessEnv) => ["true", "1"].includes(env.CI?.toLowerCase() ?? "");

/** The newest release tag (`v1.2.0` or `1.2.0`) reachable from HEAD, or null. One git call, only when needed. */
async function newestReachableTag(root: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const out = await git(["tag", "--merged", "HEAD", "--sort=-v:refname", "--list", "v[0-9]*", "[0-9]*"], {
    cwd: root,
    env,
  }).catch(() => "");
  return (
    out
      .split("\n")
      .find((t) => /^v?\d+(\.\d+)*([a-z.]+\d*)*$/i.test(t.trim()))
      ?.trim() ?? null
  );
}

/**
 * The refs folder of a repository that has no tag at all, read from .git itself (no loose tag, none packed):
 * then nothing can be compared, and three git processes would only say so. Null when that cannot be told
 * without git (no refs folder we read, git pointed elsewhere, a reftable, any tag at all).
 */
function tagless(root: string, env: NodeJS.ProcessEnv): string | null {
  if (gitRedirected(env)) return null;
  const dir = refsDir(root);
  if (!dir || existsSync(join(dir, "reftable"))) return null;
  try {
    if (readFileSync(join(dir, "packed-refs"), "utf8").includes(" refs/tags/")) return null;
  } catch {
    // no packed refs
  }
  try {
    return readdirSync(join(dir, "refs", "tags")).length === 0 ? dir : null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? dir : null;
  }
}

const isShallow = async (root: string, env: NodeJS.ProcessEnv) =>
  (await git(["rev-parse", "--is-shallow-repository"], { cwd: root, env }).catch(() => "")).trim() === "true";

/**
 * "A released script never changes again", against the tag of `__version__`, else the newest release tag
 * reachable from HEAD. When the rule cannot run at all (no git, a shallow clone without tags, no release tag),
 * that is said, not skipped: a warning, and an error under CI=true unless `requireReleaseTags` is false — a
 * check job that silently never runs this rule is how a released script gets edited.
 */
export async function releasedChangedFindings(
  repo: SchemaRepo,
  env: NodeJS.ProcessEnv,
  o: ReleasedRuleOptions = {},
): Promise<Finding[]> {
  // Nothing released yet (a new package): nothing the rule could protect.
  if (!repo.scripts.some((s) => s.name.kind !== "unreleased")) return [];
  const version = packageVersionOf(repo.init, repo.pyproject)?.value;
  // By default only a shallow clone is an error under CI=true: that is the check job that silently lost the
  // rule (actions/checkout's default). A full clone with no release tag, or a folder outside git, has no
  // release to compare with: said as a warning unless `requireReleaseTags` is true.
  const unchecked = (reason: string, fix: string, shallow = false): Finding[] => {
    const severity = (o.requireReleaseTags ?? (shallow && isCI(env))) ? "error" : "warning";
    return [finding("EMIGRAKIT_RELEASED_UNCHECKED", { file: repo.versionsDir }, { reason, fix }, { severity })];
  };
  const noTags = tagless(repo.root, env);
  const tag = noTags
    ? null
    : ((version ? await findTag(repo.root, version, env) : null) ?? (await newestReachableTag(repo.root, env)));
  if (!tag) {
    // Which of the reasons below it is: from .git when it has no tag at all (a shallow clone keeps the file
    // `shallow` beside the refs), else both questions to git at once (a process each).
    const [gitDir, shallow] = noTags
      ? [noTags, existsSync(join(noTags, "shallow"))]
      : await Promise.all([
          git(["rev-parse", "--git-dir"], { cwd: repo.root, env }).catch(() => null),
          isShallow(repo.root, env),
        ]);
    if (gitDir === null)
      return unchecked(
        "the folder is not in a git repository, so there is no release tag to compare with",
        "Run the check in a git clone of the repository, with its tags.",
      );
    const fetch =
      "Fetch the history and tags (GitHub Actions: actions/checkout with `fetch-depth: 0`; elsewhere `git fetch --unshallow --tags`)";
    if (shallow)
      return unchecked(
        "this is a shallow clone without the release tags",
        `${fetch}, or set "requireReleaseTags": false to only warn.`,
        true,
      );
    return unchecked(
      `no release tag is reachable from HEAD${version ? ` (none for __version__ ${version})` : ""}`,
      `${fetch}; a release tags v<__version__>. Set "requireReleaseTags": true to make this an error.`,
    );
  }
  const cacheDir = memoDir(env);
  if (cacheDir !== undefined && (await releasedUnchangedWithoutGit(repo, tag, env, cacheDir))) return [];
  let out: string;
  try {
    out = await git(["diff", "--name-status", "-z", "--no-renames", "--relative", tag, "--", repo.versionsDir], {
      cwd: repo.root,
      env,
    });
  } catch (err) {
    // The tag was read from .git itself; without a git program nothing can compare (fetching would not help).
    if (err instanceof GitError && err.notFound)
      return unchecked(
        `git is not installed (no \`git\` on PATH), so nothing can compare with the tag ${tag}`,
        "Install git (apt-get install git, brew install git, …) or put it on PATH, then run the check again.",
      );
    return unchecked(
      `git cannot compare with the tag ${tag}`,
      "Fetch the full history (`git fetch --unshallow --tags`), then run the check again.",
    );
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
      if (named && comparePep440(named, tag.replace(/^v/, "")) <= 0) {
        const suggestion = file.replace(/-[^-/]+\.py$/, "-vx_x_x.py");
        findings.push(
          finding("EMIGRAKIT_RELEASED_ADDED", { file, line: 1 }, { file, version: named, ref: tag, suggestion }),
        );
      }
      continue;
    }
    // A script still unreleased at the tag (an older release tag, when __version__ has none) may change or be renamed.
    if (parseScriptName(basename(file)).kind === "unreleased") continue;
    findings.push(finding("EMIGRAKIT_RELEASED_CHANGED", { file, line: 1 }, { file, ref: tag }));
  }
  return findings;
}
