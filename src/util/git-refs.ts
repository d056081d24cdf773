// Reading tags from the .git folder itself, where that answers the question: the quick paths (check --static,
// the hook, release-prepare) ask "is there a tag X?" on every run, and a git process per question is a
// noticeable part of their time. Anything this cannot read says so (null), and the caller asks git.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * Where a repository's git data is, as far as we read it ourselves: `top`, the work tree's top folder (the one
 * holding `.git`); `gitDir`, this work tree's own git folder (its index, HEAD); `commonDir`, the folder that holds
 * the refs, objects and config (a linked worktree names the main one in `commondir`; otherwise `gitDir`).
 */
export interface GitLayout {
  top: string;
  gitDir: string;
  commonDir: string;
}

/**
 * The layout of the repository above `root`, or null (none found, or a layout we do not read: then git is
 * asked). A worktree's or submodule's `.git` is a file `gitdir: <path>`.
 */
export function gitLayout(root: string): GitLayout | null {
  for (let dir = root; ; dir = dirname(dir)) {
    let isDir: boolean | undefined;
    try {
      isDir = statSync(join(dir, ".git")).isDirectory();
    } catch {
      // not here: look one level up
    }
    if (isDir !== undefined) return isDir ? sameDir(dir, join(dir, ".git")) : linkedLayout(dir);
    if (dirname(dir) === dir) return null;
  }
}

const sameDir = (top: string, gitDir: string): GitLayout => ({ top, gitDir, commonDir: gitDir });

/** The folder that holds the refs of the repository above `root` (GitLayout.commonDir), or null. */
export function refsDir(root: string): string | null {
  return gitLayout(root)?.commonDir ?? null;
}

/** The layout for a `.git` file in `dir`: its own git folder, and the main repository's (commondir) when it names one. */
function linkedLayout(dir: string): GitLayout | null {
  let own: string;
  try {
    const m = /^gitdir: (.+?)\r?\n?$/.exec(readFileSync(join(dir, ".git"), "utf8"));
    if (!m) return null;
    own = resolve(dir, m[1]!);
  } catch {
    return null;
  }
  try {
    return { top: dir, gitDir: own, commonDir: resolve(own, readFileSync(join(own, "commondir"), "utf8").trim()) };
  } catch (e) {
    // No commondir: a submodule's repository, which holds its refs itself.
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? sameDir(dir, own) : null;
  }
}

/** An environment that points git elsewhere than the folders we would read (then git is asked). */
export const gitRedirected = (env: NodeJS.ProcessEnv): boolean =>
  Boolean(env.GIT_DIR || env.GIT_COMMON_DIR || env.GIT_CEILING_DIRECTORIES);

/**
 * The first of `tags` that exists (a loose ref or a line of packed-refs), undefined when none does, or null
 * when there is no refs folder to read (outside git, a layout we do not read, or an environment that points git
 * elsewhere: GIT_DIR, GIT_COMMON_DIR, GIT_CEILING_DIRECTORIES): then ask git.
 */
export function firstTag(root: string, tags: string[], env: NodeJS.ProcessEnv): string | undefined | null {
  if (gitRedirected(env)) return null;
  const dir = refsDir(root);
  if (!dir) return null;
  const packed = packedRefs(dir);
  return tags.find((tag) => existsSync(join(dir, "refs", "tags", tag)) || packed.includes(` refs/tags/${tag}\n`));
}

function packedRefs(commonDir: string): string {
  try {
    return readFileSync(join(commonDir, "packed-refs"), "utf8");
  } catch {
    return ""; // no packed refs
  }
}

const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * The object id the tag `tag` names (a commit, or an annotated tag's own object), from its loose ref (which git
 * prefers) or its line in packed-refs; null when neither holds a plain id (a symbolic ref, no such tag).
 */
export function tagObjectId(commonDir: string, tag: string): string | null {
  let loose: string | undefined;
  try {
    loose = readFileSync(join(commonDir, "refs", "tags", tag), "utf8").trim();
  } catch {
    // not a loose ref
  }
  if (loose !== undefined) return OBJECT_ID.test(loose) ? loose : null;
  const packed = packedRefs(commonDir);
  const at = packed.indexOf(` refs/tags/${tag}\n`);
  if (at < 0) return null;
  const id = packed.slice(packed.lastIndexOf("\n", at) + 1, at);
  return OBJECT_ID.test(id) ? id : null;
}
