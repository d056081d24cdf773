// `migrakit hook pre-commit` past the quick exit (fast.ts): for each schema package with a staged ORM or
// migration file, work on the staged snapshot — the index exported to a folder (snapshot.ts), the package
// imported from there even over an editable install — rebase the scripts when a merge left two heads,
// generate or refresh the unreleased script, write it and `_migration` to the index and the working tree
// (only those two files; other unstaged work stays byte-identical), then check the result. Exit 1 blocks
// the commit with the report.
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Context } from "../output/context.js";
import { print, reportFindings, slowNotices } from "../output/output.js";
import { startProgress } from "../output/progress.js";
import { loadConfig } from "../config/load.js";
import { hasErrors } from "../errors/finding.js";
import { MigrakitError, isMigrakitError } from "../errors/index.js";
import { listPackages, readSchemaRepo, requireOnlyFiles, type SchemaRepo } from "../model/repo.js";
import { generateKeepingBaseline, type FileWrite } from "../generate/generate.js";
import { withPending } from "../generate/pending.js";
import { labelledBranches } from "../model/graph.js";
import { planRebase } from "../generate/rebase.js";
import { addedTimes, mainScripts } from "../generate/rebase-io.js";
import { outcomeError, outcomeLines } from "../generate/report.js";
import { openSession, type Session } from "../generate/session.js";
import { verify } from "../generate/verify.js";
import { exportedPaths, includeDriftRequested, objectIds, stagedHead } from "../generate/predating.js";
import { driftCache, driftKey, readDrift, writeDrift, type DriftCache } from "../generate/drift-cache.js";
import type { GenerateOutcome } from "../generate/generate.js";
import { planChain } from "../checks/dynamic/chain-plan.js";
import type { Finding } from "../errors/finding.js";
import { git, splitZ } from "../util/git.js";
import { writeFiles } from "../generate/write-files.js";
import { withWrites } from "../generate/with-writes.js";
import { withDetail } from "../generate/detail-error.js";
import { skipRequested } from "./fast.js";
import {
  backup,
  blobId,
  gitTop,
  indexEntries,
  stagedFromTop,
  stageContents,
  workTreeBytes,
  type GitWhere,
} from "./git-index.js";
import { packagesToProcess } from "./relevant.js";
import { memoDir } from "../util/cache-dir.js";
import { openSnapshot, type Snapshot } from "./snapshot.js";
import { bridgeTimeoutMs, HOOK_TIMEOUT_MS } from "../bridge/slow-request.js";
import { stagedVersionBump } from "./release-commit.js";

/** HEAD's ORM for the comparison of what predates the change (none with MIGRAKIT_INCLUDE_DRIFT=1). */
const headOf = (repo: SchemaRepo, projectDir: string, env: NodeJS.ProcessEnv) =>
  includeDriftRequested(env) ? Promise.resolve(undefined) : stagedHead(repo, { gitCwd: projectDir, env });

/** Every write must be possible before any is made: a script with unstaged changes stops the hook. */
async function prepareWrites(w: GitWhere, writes: FileWrite[]) {
  const [staged, work] = await Promise.all([
    indexEntries(
      w,
      writes.map((x) => x.path),
    ),
    Promise.all(writes.map((x) => workTreeBytes(w, x.path))),
  ]);
  return writes.map((write, i) => {
    const entry = staged.get(write.path);
    const bytes = work[i]!;
    let workTree = write.content;
    // The working tree has unstaged changes in this file (its bytes are not the staged blob's): make the same
    // change there, or stop.
    if (bytes !== null && (!entry || blobId(bytes, entry.id) !== entry.id)) {
      if (!write.transform) throw new MigrakitError("EMIGRAKIT_HOOK_UNSTAGED_SCRIPT", { file: write.path });
      workTree = write.transform(bytes.toString("utf8"));
    }
    return { write, mode: entry?.mode ?? "100644", workTree };
  });
}

/** Paths relative to the project (a subfolder of the git top, or the top itself) as the index names them. */
const underPrefix = (prefix: string, writes: FileWrite[]): FileWrite[] =>
  prefix ? writes.map((x) => ({ ...x, path: `${prefix}/${x.path}` })) : writes;

/**
 * Make sure every write can be made (else throw, touching nothing), write them into the snapshot, and
 * return the staging of the index and the working tree: the caller may check the snapshot meanwhile. The
 * staging starts once the backup of the index and work tree is made (`backedUp`).
 */
async function planStaging(
  w: GitWhere,
  p: Pick<Project, "prefix" | "backedUp">,
  snapshot: Snapshot,
  projectWrites: FileWrite[],
): Promise<() => Promise<void>> {
  const writes = underPrefix(p.prefix, projectWrites);
  const prepared = await prepareWrites(w, writes);
  snapshot.wrote(writes.map((x) => x.path));
  writeFiles(snapshot.dir, writes);
  return async () => {
    await p.backedUp;
    await stageContents(
      w,
      prepared.map((x) => ({ path: x.write.path, content: x.write.content, mode: x.mode })),
    );
    writeFiles(
      w.cwd,
      prepared.map((x) => ({ ...x.write, content: x.workTree })),
    );
  };
}

interface Project {
  /** The project's folder in the exported snapshot. */
  root: string;
  /** The project's folder relative to the git top ("" when it is the top). */
  prefix: string;
  config: Awaited<ReturnType<typeof loadConfig>>;
  /** The `git stash create` backup of the index and work tree (null: nothing to save, or it failed). */
  backedUp: Promise<string | null>;
  /** Where the staged scripts' parse is memoized: only for a kept snapshot, whose unchanged files keep their inode. */
  memoDir?: string;
}

async function processPackage(
  ctx: Context,
  s: Session,
  w: GitWhere,
  snapshot: Snapshot,
  p: Project,
  staged: SchemaRepo,
  headP: ReturnType<typeof headOf>,
): Promise<number> {
  const pkg = staged.package;
  // An app's repo (convention alembic): the scripts HEAD lacks are the ones still to refresh and round-trip.
  const projectDir = p.prefix ? join(w.cwd, p.prefix) : w.cwd;
  const read = async () => withPending(await readStaged(p, pkg), projectDir, w.env);
  let repo = await withPending(staged, projectDir, w.env);
  // alembic's labelled branches are several heads on purpose: nothing to rebase (generateHead picks the branch).
  const branches = repo.convention === "alembic" && labelledBranches(repo.graph);
  if (repo.graph.heads.length > 1 && !branches) {
    const plan = planRebase(repo, {
      mainHas: await mainScripts(w.cwd, w.env, repo),
      addedAt: await addedTimes(w.cwd, w.env, repo),
    });
    await (await planStaging(w, p, snapshot, plan.writes))();
    print(
      ctx.stderr,
      `migrakit: rebased ${plan.moved.scripts[0]!.path} onto ${plan.onto.head} (two heads after a merge)`,
    );
    repo = await read();
    // The rebase staged `_migration`: whether the ORM changed since HEAD is asked again.
    headP = headOf(repo, projectDir, w.env);
  }
  // Whether this is a release commit matters only once a new script is to be written: git is asked while
  // Python compares.
  const bumpP = stagedVersionBump(w, pkg, repo.init?.text ?? null);
  bumpP.catch(() => {});
  // generate compared the ORM with the baseline database; the check goes on from that very database
  // (upgrade through the new script, compare, round trip) instead of cloning the template again.
  // The ORM as committed at HEAD: what it already lacked is no part of this commit's script (predating.ts).
  const head = await headP;
  const cache = driftCache(w.env, s.versions.executable as string | undefined);
  let generated;
  try {
    generated = await generateKeepingBaseline(s, repo, {
      importRoot: p.root,
      head: p.config.generateHead,
      ...(head && "ids" in head
        ? {
            headDrift: {
              known: async (database) => (cache ? readDrift(cache, driftKey(cache, head.ids, database)) : undefined),
              request: head.request,
            },
          }
        : { predating: head?.request }),
    });
  } finally {
    if (head && "dispose" in head) await head.dispose();
  }
  const { outcome, baseline, keyAt } = generated;
  const predating = outcome.kind === "written" || outcome.kind === "nothing" ? outcome.predating : undefined;
  let findings;
  let treeIds: Promise<string | undefined> | undefined;
  // The check's scratch database is dropped while the result is reported and recorded (the drop waits for the
  // template's next spare); a run that fails waits for it before it says so.
  const drops: Promise<void>[] = [];
  try {
    const blocked = outcomeError(outcome);
    if (blocked) throw withDetail(blocked.error, blocked.detail);
    // A release commit that left the renamed scripts unstaged (`git commit -am`) lacks the scripts' changes:
    // a new script would be written, or, when HEAD already had those models, they all predate the commit.
    const lacksScripts =
      (outcome.kind === "written" && outcome.created) || (outcome.kind === "nothing" && !!predating?.length);
    if (lacksScripts) {
      const bump = await bumpP;
      if (bump) throw new MigrakitError("EMIGRAKIT_HOOK_RELEASE_COMMIT", { package: pkg, ...bump });
    }
    let staging: Promise<void> = Promise.resolve();
    if (outcome.kind === "written" && outcome.writes.length) {
      // The check reads the snapshot, the staging writes the index and the working tree: both at once.
      staging = (await planStaging(w, p, snapshot, outcome.writes))();
      staging.catch(() => {});
      repo = withWrites(repo, outcome.writes);
    }
    // The tree this commit gets, by object ids, asked of git once staged, while the check runs (recordNoDrift).
    const after = repo;
    treeIds = cache && keyAt ? staging.then(() => stagedIds(w, projectDir, after)) : undefined;
    treeIds?.catch(() => {});
    for (const line of outcomeLines(outcome)) print(ctx.stderr, line);
    const [staged, checked] = await Promise.allSettled([
      staging,
      verify(s, repo, { baseline: baseline?.untouched, predating, drops }),
    ]);
    // A staging that failed is said first: it is about the user's own files.
    if (staged.status === "rejected") throw staged.reason;
    if (checked.status === "rejected") throw checked.reason;
    findings = checked.value;
  } catch (err) {
    await Promise.allSettled([...drops, baseline?.dispose()]);
    throw err;
  }
  if (baseline) drops.push(baseline.dispose());
  const dropped = Promise.all(drops);
  dropped.catch(() => {});
  if (findings.length) reportFindings({ ...ctx, stdout: ctx.stderr }, findings);
  else print(ctx.stderr, `migrakit: check passed for ${pkg}`);
  if (hasErrors(findings)) {
    print(ctx.stderr, "migrakit: the commit is blocked until the check passes (MIGRAKIT_SKIP=1 skips the hook).");
    await dropped;
    return 1;
  }
  if (cache && keyAt && treeIds && noDrift(outcome, findings)) await recordNoDrift(repo, cache, keyAt, await treeIds);
  await dropped;
  return 0;
}

/**
 * The check just compared the ORM about to be committed with the database at its head and found nothing:
 * no drift, no predating warning, nothing in a schema the comparison does not see (generate saw none).
 */
function noDrift(outcome: GenerateOutcome, findings: Finding[]): boolean {
  if (outcome.kind !== "written" && outcome.kind !== "nothing") return false;
  if (outcome.leftSchemas || outcome.predating?.length || outcome.predatingFailed) return false;
  return !findings.some((f) => f.code === "EMIGRAKIT_DRIFT_PREDATES");
}

/** The staged package and ini by object ids (predating.ts objectIds), or undefined with an unmerged path. */
async function stagedIds(w: GitWhere, projectDir: string, repo: SchemaRepo): Promise<string | undefined> {
  const entries = splitZ(
    await git(["ls-files", "--stage", "-z", "--", ...exportedPaths(repo)], { ...w, cwd: projectDir }),
  );
  // An unmerged path cannot be committed as it stands.
  if (entries.some((e) => e.slice(0, e.indexOf("\t")).split(" ")[2] !== "0")) return undefined;
  return objectIds(entries, "index");
}

/**
 * Remember "no drift" for the tree this commit gets (`ids`: the staged package and ini) against the database
 * at its head: the next commit's hook, whose HEAD this is, then compares nothing of HEAD's ORM. A commit that
 * ends up with another tree (a later hook changed the index) has other ids: its hook compares.
 */
async function recordNoDrift(
  repo: SchemaRepo,
  cache: DriftCache,
  keyAt: NonNullable<Awaited<ReturnType<typeof generateKeepingBaseline>>["keyAt"]>,
  ids: string | undefined,
): Promise<void> {
  const plan = planChain(repo);
  const database = plan && keyAt(plan, plan.head);
  if (!database || ids === undefined) return;
  await writeDrift(cache, driftKey(cache, ids, database), []);
}

const PROJECT_MARKERS = ["alembic.ini", "migrakit.config.json", "migrakit.config.js", "migrakit.config.mjs"];

function isProject(dir: string): boolean {
  if (PROJECT_MARKERS.some((m) => existsSync(join(dir, m)))) return true;
  try {
    return "migrakit" in JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  } catch {
    return false;
  }
}

/**
 * The project the hook works on: the folder it was started in when that is below the git top (a hook that
 * runs `cd backend` first, or --cwd), else the nearest folder above a staged .py file that is a project
 * (alembic.ini, migrakit's configuration), else the top.
 */
function projectRoot(top: string, cwd: string, staged: string[]): string {
  if (cwd !== top && cwd.startsWith(top + sep)) return cwd;
  if (isProject(top)) return top;
  for (const path of staged.filter((p) => p.endsWith(".py"))) {
    const parts = path.split("/");
    for (let n = parts.length - 1; n >= 1; n--) {
      const dir = join(top, ...parts.slice(0, n));
      if (isProject(dir)) return dir;
    }
  }
  return top;
}

/** A package as staged: read from the snapshot (memoized by inode where the snapshot is kept). */
const readStaged = (p: Project, pkg: string) =>
  readSchemaRepo(p.root, pkg, p.memoDir === undefined ? p.config : { ...p.config, memoDir: p.memoDir });

export async function runPreCommit(ctx: Context): Promise<number> {
  if (skipRequested(ctx.env)) return 0;
  // Git hands hooks a relative GIT_INDEX_FILE at times (relative to the top, where hooks run); every git call
  // here must see the same index. The staged paths (all of them, as the top names them) are asked beside the
  // top itself, unless that index path needs the top first.
  const relativeIndex = !!ctx.env.GIT_INDEX_FILE && !isAbsolute(ctx.env.GIT_INDEX_FILE);
  const early = relativeIndex ? undefined : stagedFromTop(ctx.cwd, ctx.env);
  early?.catch(() => {});
  const top = await gitTop(ctx.cwd, ctx.env);
  if (!top) throw new MigrakitError("EMIGRAKIT_NOT_A_GIT_REPO", { cwd: ctx.cwd });
  const env = { ...ctx.env };
  if (relativeIndex) env.GIT_INDEX_FILE = resolve(top.top, env.GIT_INDEX_FILE!);
  const w: GitWhere = { cwd: top.top, env };
  // Asked once: the project's own view is the part below its folder.
  const stagedAtTop = await (early ?? stagedFromTop(top.top, env));
  const projectDir = projectRoot(top.top, resolve(ctx.cwd), stagedAtTop);
  const prefix = relative(top.top, projectDir).split(sep).join("/");
  const inProject = prefix
    ? stagedAtTop.filter((p) => p.startsWith(`${prefix}/`)).map((p) => p.slice(prefix.length + 1))
    : stagedAtTop;
  const config = await loadConfig({ cwd: projectDir, env });
  const packages = packagesToProcess(inProject, await listPackages(projectDir, config), config);
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
    onSlow: slowNotices(ctx),
  });
  sessionP.catch(() => {});
  // The backup is only needed before the hook touches the user's files (planStaging waits for it): it is
  // made while the index is exported and Python compares.
  const backedUp = backup(w);
  let snapshot: Snapshot | undefined;
  let session: Session | undefined;
  try {
    // The packages, the project's alembic.ini (where the scripts are, what env.py reads) and pyproject.toml
    // (where the version is when `__version__` is no literal).
    const atTop = (p: string) => (prefix ? `${prefix}/${p}` : p);
    const files = ["alembic.ini", "pyproject.toml"].filter((f) => existsSync(join(projectDir, f)));
    const cacheDir = memoDir(env);
    snapshot = await openSnapshot(w, [...packages.map(atTop), ...files.map(atTop)], { cacheDir, gitDir: top.gitDir });
    const project: Project = {
      root: prefix ? join(snapshot.dir, prefix) : snapshot.dir,
      prefix,
      config,
      backedUp,
      ...(snapshot.kept && cacheDir !== undefined ? { memoDir: cacheDir } : {}),
    };
    // What is staged is read before waiting on Python and Postgres: an entry alembic cannot load (a folder
    // or a dangling symlink named *.py) is refused with its own code, whatever the environment.
    const staged: SchemaRepo[] = [];
    for (const pkg of packages) staged.push(requireOnlyFiles(await readStaged(project, pkg)));
    // HEAD's side of each package is asked of git while Python and Postgres get ready.
    const heads = staged.map((repo) => headOf(repo, projectDir, env));
    for (const h of heads) h.catch(() => {});
    session = await sessionP;
    let code = 0;
    for (const [i, repo] of staged.entries())
      code = Math.max(code, await processPackage({ ...ctx, env }, session, w, snapshot, project, repo, heads[i]!));
    return code;
  } catch (err) {
    const saved = await backedUp;
    if (!isMigrakitError(err) && saved)
      print(
        ctx.stderr,
        `migrakit: unexpected failure; your index and working tree were saved first: git stash apply ${saved}`,
      );
    throw err;
  } finally {
    // The session closed and the snapshot released side by side (a temporary one with a long history takes a
    // while to delete); a session that was still starting when something failed is closed all the same (the
    // kept snapshot is unlocked once Python is done with it); no git process of the run outlives it (a run
    // that wrote nothing never waited on its backup).
    const closed = (async () => (session ?? (await sessionP.catch(() => undefined)))?.close())();
    const removed = (async () => snapshot?.release(closed))();
    await Promise.allSettled([closed, removed, backedUp]);
    // Said as before: the session's failure (the embedded server stopped under the run) first.
    await closed;
    await removed;
  }
}
