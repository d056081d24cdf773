// Reading tags from the .git folder itself, where that answers the question: the quick paths (check --static,
// the hook, release-prepare) ask "is there a tag X?" on every run, and a git process per question is a
// noticeable part of their time. Anything this cannot read says so (null), and the caller asks git.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The git folder that holds the refs of the repository above `root`, or null (none found, or a layout we do not
 * read: then git is asked). A worktree's or submodule's `.git` is a file `gitdir: <path>`; a worktree's own
 * folder names the main one in `commondir`, where the tags are.
 */
export function refsDir(root: string): string | null {
  for (let dir = root; ; dir = dirname(dir)) {
    let isDir: boolean | undefined;
    try {
      isDir = statSync(join(dir, ".git")).isDirectory();
    } catch {
      // not here: look one level up
    }
    if (isDir !== undefined) return isDir ? join(dir, ".git") : linkedRefsDir(dir);
    if (dirname(dir) === dir) return null;
  }
}

/** Where the refs are for a `.git` file in `dir`: the main repository's folder (commondir), else its own. */
function linkedRefsDir(dir: string): string | null {
  let own: string;
  try {
    const m = /^gitdir: (.+?)\r?\n?$/.exec(readFileSync(join(dir, ".git"), "utf8"));
    if (!m) return null;
    own = resolve(dir, m[1]!);
  } catch {
    return null;
  }
  try {
    return resolve(own, readFileSync(join(own, "commondir"), "utf8").trim());
  } catch (e) {
    // No commondir: a submodule's repository, which holds its refs itself.
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? own : null;
  }
}

/**
 * The first of `tags` that exists (a loose ref or a line of packed-refs), undefined when none does, or null
 * when there is no refs folder to read (outside git, a layout we do not read, or an environment that points git
 * elsewhere: GIT_DIR, GIT_COMMON_DIR, GIT_CEILING_DIRECTORIES): then ask git.
 */
export function firstTag(root: string, tags: string[], env: NodeJS.ProcessEnv): string | undefined | null {
  if (env.GIT_DIR || env.GIT_COMMON_DIR || env.GIT_CEILING_DIRECTORIES) return null;
  const dir = refsDir(root);
  if (!dir) return null;
  let packed = "";
  try {
    packed = readFileSync(join(dir, "packed-refs"), "utf8");
  } catch {
    // no packed refs
  }
  return tags.find((tag) => existsSync(join(dir, "refs", "tags", tag)) || packed.includes(` refs/tags/${tag}\n`));
}
