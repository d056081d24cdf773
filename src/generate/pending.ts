// Which scripts of an app's repo (convention alembic) are not committed yet. Such a repo has no `vx_x_x`
// names marking what is still unreleased, and a committed script may already be deployed somewhere: so
// generate refreshes only a script git's HEAD does not have, and writes a new one otherwise.
import type { SchemaRepo } from "../model/repo.js";
import { git, splitZ } from "../util/git.js";

/**
 * The repo with `pending` set (convention alembic only; a lamin repo is returned as it is). `gitCwd`: the
 * project's folder in the work tree (the repo itself may be read from an export of the index, as in the hook).
 * No commit yet: every script is pending.
 */
export async function withPending(repo: SchemaRepo, gitCwd: string, env: NodeJS.ProcessEnv): Promise<SchemaRepo> {
  if (repo.convention !== "alembic") return repo;
  let committed: Set<string>;
  try {
    const out = await git(["ls-tree", "-r", "-z", "--name-only", "HEAD", "--", repo.versionsDir], { cwd: gitCwd, env });
    committed = new Set(splitZ(out));
  } catch {
    committed = new Set(); // no commit (or no git): nothing is history yet
  }
  return { ...repo, pending: new Set(repo.scripts.map((s) => s.path).filter((p) => !committed.has(p))) };
}
