// A commit that changes `__version__` is a release commit (docs/ci.md's recipe, or semantic-release's own).
// The hook must not write a new unreleased script into it: that script would ship unreleased inside the
// release (issue 17: `git commit -am` after release-prepare left the renamed script untracked, and the hook
// wrote a fresh vx_x_x for the "missing" changes).
import { parseInitFile } from "../model/init-file.js";
import { git } from "../util/git.js";
import type { GitWhere } from "./git-index.js";

/** HEAD's and the staged `__version__` of the package when they differ, else null (also without a HEAD). */
export async function stagedVersionBump(
  w: GitWhere,
  pkg: string,
  stagedInit: string | null,
): Promise<{ from: string; to: string } | null> {
  if (stagedInit === null) return null;
  let head: string;
  try {
    head = await git(["show", `HEAD:${pkg}/__init__.py`], w);
  } catch {
    return null; // the first commit, or the file is new: no release to speak of
  }
  const from = parseInitFile(head).version?.value;
  const to = parseInitFile(stagedInit).version?.value;
  return from !== undefined && to !== undefined && from !== to ? { from, to } : null;
}
