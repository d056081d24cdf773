// "A released script never changes again" without a git process, in the usual case where nothing changed: the
// check otherwise asks `git diff --name-status <tag> -- versions/` on every `check --static`, the hook and the
// release (a process, and git reading the whole index and every script). Here the same answer comes from what
// does not change or what we read anyway:
//   - the tag's tree listing of versions/ (`git ls-tree` once per tag object id: a tag that moves names another
//     object, so another listing), memoized under the cache folder (not in CI, nor with MIGRAKIT_NO_CACHE=1);
//   - git's index, read for the entries under versions/ (src/util/git-index-file.ts), and remembered as agreeing
//     with the tag while it is the same file;
//   - each script's git blob id, kept with its parse in the memo (src/model/repo.ts worktreeBlobsOf).
// It only ever says "nothing to report": when the tag's tree, the index and the work tree hold the same blob and
// mode for every released script, `git diff` reports none of them (the one thing assumed: a clean filter, if
// any, leaves the text it produced unchanged). Anything else — a difference, an unmerged or intent-to-add
// entry, a path we did not read, a layout we do not read — is left to git, which says what changed.
import { isAbsolute, join, posix, relative, sep } from "node:path";
import { parseScriptName } from "../model/script-name.js";
import { comparePep440 } from "../model/pep440.js";
import { worktreeBlobsOf, type SchemaRepo } from "../model/repo.js";
import { git, splitZ } from "../util/git.js";
import { gitLayout, gitRedirected, tagObjectId, type GitLayout } from "../util/git-refs.js";
import { indexEntriesUnder } from "../util/git-index-file.js";
import { readOwnCacheFile, writeOwnCacheFile } from "../util/own-cache-file.js";
import { nameHash } from "../util/name-hash.js";
import { existsSync, readFileSync, statSync, type BigIntStats } from "node:fs";

/**
 * The tag's released scripts under versions/: path below versions/ → `mode oid` (as the worktree blobs are
 * written, src/model/repo.ts). Only `.py` files whose name is not an unreleased script's: the rule skips those.
 */
type Listing = Record<string, string>;

/** Bumped when the listing file's layout changes. */
const FORMAT = "migrakit-tag-tree 1";

const unreleasedName = (path: string) => parseScriptName(path).kind === "unreleased";

/**
 * The repository's layout when this module can read it all: no environment that points git elsewhere, no
 * configured work tree, SHA-1 objects (the memo's blob ids are SHA-1).
 */
function readableLayout(root: string, env: NodeJS.ProcessEnv): GitLayout | null {
  if (gitRedirected(env) || env.GIT_WORK_TREE || env.GIT_INDEX_FILE || env.GIT_NAMESPACE) return null;
  const layout = gitLayout(root);
  if (!layout) return null;
  let config: string;
  try {
    config = readFileSync(join(layout.commonDir, "config"), "utf8");
  } catch {
    return null;
  }
  if (/^\s*(worktree|objectformat)\s*=/im.test(config) || existsSync(join(layout.gitDir, "config.worktree")))
    return null;
  return layout;
}

/** `git ls-tree -r -z` output (`mode type oid\tpath` records) of the folder `prefix` as a Listing. */
function parseListing(out: string, prefix: string): Listing | null {
  const listing: Listing = {};
  for (const record of splitZ(out)) {
    const m = /^(\d{6}) \w+ ([0-9a-f]{40})\t(.+)$/s.exec(record);
    if (!m || !m[3]!.startsWith(prefix)) return null;
    const path = m[3]!.slice(prefix.length);
    if (path.endsWith(".py") && !unreleasedName(path)) listing[path] = `${m[1]} ${m[2]}`;
  }
  return listing;
}

/**
 * The listing of the folder `prefix` (from the top, ending in `/`) in the tag object `oid`: from the cache
 * folder, else from git (then written there). The file's first line says what it lists (format, tag object,
 * folder) and the length of the rest: a truncated file is asked of git again. No checksum (one in JavaScript
 * costs more than the git process it saves): a listing is only ever believed where git's own index agrees
 * with it, blob for blob, so a damaged entry is a difference and git is asked; what this user alone may write
 * (src/util/own-cache-file.ts) is trusted as the user's own files are.
 */
async function tagListing(
  layout: GitLayout,
  oid: string,
  prefix: string,
  cacheDir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ listing: Listing; identity: string | null } | null> {
  const file = join(cacheDir, "tag-trees", `${oid}-${nameHash(prefix)}.json`);
  const head = `${FORMAT}\0${oid}\0${prefix}\0`;
  const cached = readOwnCacheFile(file);
  const bytes = cached?.data;
  const newline = bytes?.indexOf(10) ?? -1;
  if (bytes && newline > 0 && bytes.toString("utf8", 0, newline) === `${head}${bytes.length - newline - 1}`) {
    try {
      const read: unknown = JSON.parse(bytes.toString("utf8", newline + 1));
      if (typeof read === "object" && read !== null && !Array.isArray(read))
        return { listing: read as Listing, identity: cached.identity };
    } catch {
      // damaged after all: asked again below
    }
  }
  let listing: Listing | null;
  try {
    const out = await git(["ls-tree", "-r", "-z", "--full-tree", oid, "--", prefix], { cwd: layout.top, env });
    listing = parseListing(out, prefix);
  } catch {
    return null;
  }
  if (!listing) return null;
  const body = JSON.stringify(listing);
  writeOwnCacheFile(file, `${head}${Buffer.byteLength(body)}\n${body}`);
  // Not remembered against this run's index: the listing file's identity is only known once it is read.
  return { listing, identity: null };
}

/**
 * True when git would report no change of a released script under versions/ since `tag` (so no finding); null
 * when that is not shown here and git must be asked.
 */
export async function releasedUnchangedWithoutGit(
  repo: SchemaRepo,
  tag: string,
  env: NodeJS.ProcessEnv,
  cacheDir: string,
): Promise<true | null> {
  const blobs = worktreeBlobsOf(repo);
  if (!blobs) return null;
  const layout = readableLayout(repo.root, env);
  if (!layout) return null;
  const oid = tagObjectId(layout.commonDir, tag);
  if (oid?.length !== 40) return null;
  // Paths from the top of the work tree, as the index and the tree hold them (a versions folder given as an
  // absolute path, or outside the work tree, is left to git).
  if (isAbsolute(repo.versionsDir) || posix.isAbsolute(repo.versionsDir)) return null;
  const fromTop = relative(layout.top, repo.root).split(sep).join("/");
  const versions = posix.normalize(fromTop ? `${fromTop}/${repo.versionsDir}` : repo.versionsDir);
  if (versions.startsWith("..") || posix.isAbsolute(versions)) return null;
  const prefix = `${versions.replace(/\/+$/, "")}/`;
  const tagged = await tagListing(layout, oid, prefix, cacheDir, env);
  if (!tagged || !indexAgrees(layout, oid, prefix, tag, tagged, cacheDir)) return null;
  const { listing } = tagged;
  // Every released script of the tag in the work tree as the tag has it.
  for (const path in listing) if (blobs.get(path) !== listing[path]) return null;
  return true;
}

/** An index written less than this before is not remembered as agreeing (a second write may land in the same tick). */
const RACY_MS = 2000;

/**
 * Does git's index agree with the tag's listing: every released script of the tag staged as the tag has it, no
 * unmerged path, and no staged script the tag lacks that claims a version the tag released (`git diff` reports
 * it as added)? An index found agreeing is remembered with its identity (device, inode, size, mtime and ctime:
 * git writes a new file for each change) and the listing file's, so an unchanged index is not read again.
 */
function indexAgrees(
  layout: GitLayout,
  oid: string,
  prefix: string,
  tag: string,
  { listing, identity: listed }: { listing: Listing; identity: string | null },
  cacheDir: string,
): boolean {
  let stat: BigIntStats;
  try {
    stat = statSync(join(layout.gitDir, "index"), { bigint: true });
  } catch {
    return false;
  }
  const remembered = `${layout.gitDir}\0${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}\0${listed}`;
  const agreed = join(cacheDir, "tag-trees", `${oid}-${nameHash(prefix)}.index`);
  if (listed !== null && readOwnCacheFile(agreed)?.data.toString("utf8") === remembered) return true;
  const index = indexEntriesUnder(layout.gitDir, prefix, 20);
  if (!index) return false;
  for (const path in listing) {
    const staged = index.get(prefix + path);
    if (staged?.stage !== 0 || staged.intentToAdd || `${staged.mode} ${staged.oid}` !== listing[path]) return false;
  }
  const released = tag.replace(/^v/, "");
  for (const [path, staged] of index) {
    if (!path.endsWith(".py")) continue;
    if (staged.stage !== 0) return false;
    if (Object.hasOwn(listing, path.slice(prefix.length))) continue;
    const name = parseScriptName(path.slice(path.lastIndexOf("/") + 1));
    if (name.kind === "released" && name.version && comparePep440(name.version, released) <= 0) return false;
  }
  if (listed !== null && stat.ctimeNs < BigInt(Date.now() - RACY_MS) * 1_000_000n)
    writeOwnCacheFile(agreed, remembered);
  return true;
}
