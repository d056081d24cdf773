// `migrakit hook pre-commit` past the quick exit (fast.ts): for each schema package with a staged ORM or
// migration file, work on the staged snapshot — the index exported to a temporary folder, the package
// imported from there even over an editable install — rebase the scripts when a merge left two heads,
// generate or refresh the unreleased script, write it and `_migration` to the index and the working tree
// (only those two files; other unstaged work stays byte-identical), then check the result. Exit 1 blocks
// the commit with the report.
import { isAbsolute, resolve } from "node:path";
import type { Context } from "../output/context.js";
import { print, reportFindings } from "../output/output.js";
import { startProgress } from "../output/progress.js";
import { loadConfig } from "../config/load.js";
import { hasErrors } from "../errors/finding.js";
import { MigrakitError, isMigrakitError } from "../errors/index.js";
import { listPackages, readSchemaRepo, type SchemaRepo } from "../model/repo.js";
import { generateKeepingBaseline, type FileWrite } from "../generate/generate.js";
import { planRebase } from "../generate/rebase.js";
import { addedTimes, mainScripts } from "../generate/rebase-io.js";
import { outcomeError, outcomeLines } from "../generate/report.js";
import { openSession, type Session } from "../generate/session.js";
import { verify } from "../generate/verify.js";
import { writeFiles } from "../generate/write-files.js";
import { withDetail } from "../generate/detail-error.js";
import { skipRequested, stagedPaths } from "./fast.js";
import { backup, exportIndex, gitTop, indexEntry, stageContent, workTreeText, type GitWhere } from "./git-index.js";
import { packagesToProcess } from "./relevant.js";
import { makeTempDir, removeTempDir } from "../util/temp-dirs.js";
import { bridgeTimeoutMs, HOOK_TIMEOUT_MS } from "../bridge/slow-request.js";

/** Every write must be possible before any is made: a script with unstaged changes stops the hook. */
async function prepareWrites(w: GitWhere, writes: FileWrite[]) {
  const out: { write: FileWrite; mode: string; workTree: string }[] = [];
  for (const write of writes) {
    const staged = await indexEntry(w, write.path);
    const work = await workTreeText(w, write.path);
    const stagedText = staged?.text ?? null;
    let workTree = write.content;
    if (work !== null && work !== stagedText) {
      // The working tree has unstaged changes in this file: make the same change there, or stop.
      if (!write.transform) throw new MigrakitError("EMIGRAKIT_HOOK_UNSTAGED_SCRIPT", { file: write.path });
      workTree = write.transform(work);
    }
    out.push({ write, mode: staged?.mode ?? "100644", workTree });
  }
  return out;
}

async function stageWrites(w: GitWhere, snapshot: string, writes: FileWrite[]): Promise<void> {
  const prepared = await prepareWrites(w, writes);
  for (const p of prepared) {
    await stageContent(w, p.write.path, p.write.content, p.mode);
    writeFiles(w.cwd, [{ ...p.write, content: p.workTree }]);
  }
  writeFiles(snapshot, writes);
}

async function processPackage(ctx: Context, s: Session, w: GitWhere, snapshot: string, pkg: string): Promise<number> {
  let repo: SchemaRepo = await readSchemaRepo(snapshot, pkg);
  if (repo.graph.heads.length > 1) {
    const plan = planRebase(repo, { mainHas: await mainScripts(w.cwd, w.env, repo), addedAt: await addedTimes(w.cwd, w.env, repo) });
    await stageWrites(w, snapshot, plan.writes);
    print(ctx.stderr, `migrakit: rebased ${plan.moved.scripts[0]!.path} onto ${plan.onto.head} (two heads after a merge)`);
    repo = await readSchemaRepo(snapshot, pkg);
  }
  // generate compared the ORM with the baseline database; the check goes on from that very database
  // (upgrade through the new script, compare, round trip) instead of cloning the template again.
  const { outcome, baseline } = await generateKeepingBaseline(s, repo, { importRoot: snapshot });
  let findings;
  try {
    const blocked = outcomeError(outcome);
    if (blocked) throw withDetail(blocked.error, blocked.detail);
    if (outcome.kind === "written" && outcome.writes.length) {
      await stageWrites(w, snapshot, outcome.writes);
      repo = await readSchemaRepo(snapshot, pkg);
    }
    for (const line of outcomeLines(outcome)) print(ctx.stderr, line);
    findings = await verify(s, repo, { baseline: baseline?.untouched });
  } finally {
    await baseline?.dispose();
  }
  if (findings.length) reportFindings({ ...ctx, stdout: ctx.stderr }, findings);
  else print(ctx.stderr, `migrakit: check passed for ${pkg}`);
  if (hasErrors(findings)) {
    print(ctx.stderr, "migrakit: the commit is blocked until the check passes (MIGRAKIT_SKIP=1 skips the hook).");
    return 1;
  }
  return 0;
}

export async function runPreCommit(ctx: Context): Promise<number> {
  if (skipRequested(ctx.env)) return 0;
  const top = await gitTop(ctx.cwd, ctx.env);
  if (!top) throw new MigrakitError("EMIGRAKIT_NOT_A_GIT_REPO", { cwd: ctx.cwd });
  // Git hands hooks a relative GIT_INDEX_FILE at times; every git call here must see the same index.
  const env = { ...ctx.env };
  if (env.GIT_INDEX_FILE && !isAbsolute(env.GIT_INDEX_FILE)) env.GIT_INDEX_FILE = resolve(top.top, env.GIT_INDEX_FILE);
  const w: GitWhere = { cwd: top.top, env };
  const config = await loadConfig({ cwd: top.top, env });
  const packages = packagesToProcess(stagedPaths(top.top, env), await listPackages(top.top, config), config);
  if (packages.length === 0) return 0;

  // Python and Postgres take the longest to get ready: start them first, and back up and export the
  // index meanwhile. The release baseline asks git about tags and old commits: point it at the real repository.
  // A commit waits on every Python request: a shorter timeout than elsewhere, and on a terminal a line
  // saying what Python waits on when one takes long (an ORM import that hangs).
  startProgress(ctx);
  const sessionP = openSession({
    cwd: top.top,
    env: { ...env, GIT_DIR: top.gitDir },
    config,
    fastClose: true,
    timeoutMs: bridgeTimeoutMs(env, HOOK_TIMEOUT_MS),
    onSlow: ctx.interactive ? (line) => print(ctx.stderr, line) : undefined,
  });
  sessionP.catch(() => {});
  const snapshotP = makeTempDir("migrakit-index-");
  snapshotP.catch(() => {});
  let saved: string | null = null;
  let snapshot: string | undefined;
  let session: Session | undefined;
  try {
    [saved, snapshot] = await Promise.all([backup(w), snapshotP]);
    await exportIndex(w, packages, snapshot);
    session = await sessionP;
    let code = 0;
    for (const pkg of packages) code = Math.max(code, await processPackage({ ...ctx, env }, session, w, snapshot, pkg));
    return code;
  } catch (err) {
    if (!isMigrakitError(err) && saved) print(ctx.stderr, `migrakit: unexpected failure; your index and working tree were saved first: git stash apply ${saved}`);
    throw err;
  } finally {
    // A session that was still starting when something failed is closed all the same.
    await (session ?? (await sessionP.catch(() => undefined)))?.close();
    const dir = snapshot ?? (await snapshotP.catch(() => undefined));
    if (dir) await removeTempDir(dir);
  }
}
