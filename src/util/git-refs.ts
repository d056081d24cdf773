// Reading tags from the .git folder itself, where that answers the question: the quick paths (check --static,
// the hook, release-prepare) ask "is there a tag X?" on every run, and a git process per question is a
// noticeable part of their time. Anything this cannot read says so (null), and the caller asks git.
import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
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

/**
 * What `git show-ref --tags --head` would tell, for a cache key: HEAD (and the branch it names, resolved), every
 * loose tag's file and every tag line of packed-refs; null when this cannot be read here (the environment points
 * git elsewhere, a reftable repository, a layout we do not read, a symbolic ref beyond HEAD): then ask git. Not
 * git's text: any change of HEAD or of a tag changes it (a `git pack-refs` does too, costing one miss).
 */
export function refsFingerprint(root: string, env: NodeJS.ProcessEnv): string | null {
  if (gitRedirected(env) || env.GIT_NAMESPACE) return null;
  const layout = gitLayout(root);
  if (!layout) return null;
  try {
    const config = readFileSync(join(layout.commonDir, "config"), "utf8");
    if (/^\s*refstorage\s*=/im.test(config) || existsSync(join(layout.commonDir, "reftable"))) return null;
  } catch {
    return null;
  }
  const packed = packedRefs(layout.commonDir);
  let head: string;
  try {
    head = readFileSync(join(layout.gitDir, "HEAD"), "utf8").trim();
  } catch {
    return null;
  }
  const parts = ["migrakit-refs 1", `HEAD ${head}`];
  const symbolic = /^ref: (refs\/\S+)$/.exec(head);
  if (symbolic) {
    const target = symbolic[1]!;
    const loose = readRef(join(layout.commonDir, target));
    if (loose?.startsWith("ref:")) return null;
    const at = packed.indexOf(` ${target}\n`);
    parts.push(`-> ${loose ?? (at < 0 ? "-" : packed.slice(packed.lastIndexOf("\n", at) + 1, at))}`);
  } else if (!OBJECT_ID.test(head)) return null;
  const tags = looseTags(join(layout.commonDir, "refs", "tags"), "");
  if (tags === null) return null;
  parts.push(...tags);
  // The tag lines of packed-refs and the peeled id ("^…") that follows an annotated tag's line.
  let inTags = false;
  for (const line of packed.split("\n")) {
    if (line.startsWith("^")) {
      if (inTags) parts.push(line);
      continue;
    }
    inTags = line.includes(" refs/tags/");
    if (inTags) parts.push(line);
  }
  return parts.join("\n");
}

function readRef(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** `name id` of each loose tag under `dir` (recursively: a tag may hold slashes), sorted; null when unreadable. */
function looseTags(dir: string, prefix: string): string[] | null {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? [] : null;
  }
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const name = `${prefix}${entry.name}`;
    if (entry.isDirectory()) {
      const inner = looseTags(join(dir, entry.name), `${name}/`);
      if (inner === null) return null;
      out.push(...inner);
    } else {
      const id = readRef(join(dir, entry.name));
      if (id === undefined || !OBJECT_ID.test(id)) return null;
      out.push(`${name} ${id}`);
    }
  }
  return out;
}
