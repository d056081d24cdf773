// What git knows about which scripts are main's, for the rebase plan: the scripts of MERGE_HEAD (a merge
// in progress), of --onto, or of the first of origin/HEAD, main, master that is not the current commit;
// and when each script of the two lines was first committed.
import { git } from "../util/git.js";
import type { SchemaRepo } from "../model/repo.js";
import { linesOf } from "./rebase.js";

async function resolve(cwd: string, env: NodeJS.ProcessEnv, ref: string): Promise<string | null> {
  return (await git(["rev-parse", "-q", "--verify", `${ref}^{commit}`], { cwd, env }).catch(() => "")).trim() || null;
}

async function scriptsAt(
  cwd: string,
  env: NodeJS.ProcessEnv,
  commit: string,
  versionsDir: string,
): Promise<Set<string>> {
  const out = await git(["ls-tree", "-r", "--name-only", commit, "--", `${versionsDir}/`], { cwd, env }).catch(
    () => "",
  );
  return new Set(out.split("\n").filter(Boolean));
}

export async function mainScripts(
  cwd: string,
  env: NodeJS.ProcessEnv,
  repo: SchemaRepo,
  onto?: string,
): Promise<Set<string> | null> {
  const head = await resolve(cwd, env, "HEAD");
  for (const ref of onto ? [onto] : ["MERGE_HEAD", "origin/HEAD", "main", "master", "origin/main", "origin/master"]) {
    const commit = await resolve(cwd, env, ref);
    if (commit && commit !== head) return scriptsAt(cwd, env, commit, repo.versionsDir);
  }
  return null;
}

/** When each script of the two lines was first committed (seconds since the epoch). */
export async function addedTimes(cwd: string, env: NodeJS.ProcessEnv, repo: SchemaRepo): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const lines = linesOf(repo);
  if (!lines) return out;
  for (const s of lines.lines.flatMap((l) => l.scripts)) {
    const log = await git(["log", "--diff-filter=A", "--format=%ct", "--", s.path], { cwd, env }).catch(() => "");
    const times = log.split("\n").filter(Boolean).map(Number);
    if (times.length) out.set(s.path, Math.min(...times));
  }
  return out;
}
