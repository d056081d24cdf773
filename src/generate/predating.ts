// The ORM as committed at HEAD, so that generate can tell the differences a change makes from the drift that
// was there before it (docs/spec.md §2, "Drift that predates the change"). Git I/O only; the comparison is the
// bridge's (python/migrakit_bridge/generate.py `predating`).
//   no commit yet, or the package absent at HEAD → undefined: nothing predates the change;
//   the ORM (the package but its migrations folder) as at HEAD:
//     the hook (staged) → {}: the commit changes no model, every difference predates it, no second comparison;
//     `migrakit generate` → undefined: there is no change to tell apart, so the user asks for a script of
//                           the models as they are (a new package's first script is exactly this case);
//   otherwise → HEAD's package exported to a temporary folder, for the bridge to import.
import { spawn } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { PredatingRequest } from "../bridge/contract.js";
import type { SchemaRepo } from "../model/repo.js";
import { git, GitError, splitZ } from "../util/git.js";
import { makeTempDir, removeTempDir } from "../util/temp-dirs.js";

export interface HeadOrm {
  request: PredatingRequest;
  dispose(): Promise<void>;
}

/** MIGRAKIT_INCLUDE_DRIFT=1 (or --include-drift): one script with everything, as before. */
export const includeDriftRequested = (env: NodeJS.ProcessEnv) => env.MIGRAKIT_INCLUDE_DRIFT === "1";

const noDispose = async () => {};

/** HEAD's listing of the package (and its alembic.ini), or undefined: no commit yet, or the package absent at HEAD. */
async function headListing(repo: SchemaRepo, w: Where): Promise<string[] | undefined> {
  let listing: string;
  try {
    // alembic.ini too: its prepend_sys_path is relative to its folder, which must be the export's for the
    // import to find HEAD's package before the working tree's.
    listing = await git(["ls-tree", "-r", "-z", "HEAD", "--", ...exportedPaths(repo)], w);
  } catch (err) {
    if (err instanceof GitError && !err.notFound) return undefined; // no commit yet, or no git repository
    throw err;
  }
  const entries = splitZ(listing);
  return entries.some((e) => e.slice(e.indexOf("\t") + 1).startsWith(`${repo.package}/`)) ? entries : undefined;
}

/** What predating.ts exports of a tree: the package, and its alembic.ini when that sits at the project root. */
export function exportedPaths(repo: SchemaRepo): string[] {
  return [repo.package, ...(repo.alembic?.file && !repo.alembic.file.includes("/") ? [repo.alembic.file] : [])];
}

/**
 * The object ids of a listing (`ls-tree -r` or `ls-files --stage`) as one text, `MODE SHA\tPATH` sorted by
 * path: HEAD's ORM (and its ini) by content, whichever of the two named it (drift-cache.ts). Pure.
 */
export function objectIds(entries: string[], kind: "tree" | "index"): string {
  return entries
    .map((e) => {
      const tab = e.indexOf("\t");
      const f = e.slice(0, tab).split(" ");
      return `${f[0]} ${kind === "tree" ? f[2] : f[1]}\t${e.slice(tab + 1)}`;
    })
    .sort((a, b) => {
      const pa = a.slice(a.indexOf("\t") + 1);
      const pb = b.slice(b.indexOf("\t") + 1);
      return pa < pb ? -1 : pa > pb ? 1 : 0;
    })
    .join("\n");
}

/** HEAD's package exported to a temporary folder (HeadOrm). */
async function exportHead(repo: SchemaRepo, w: Where, entries: string[]): Promise<HeadOrm> {
  const dir = await makeTempDir("migrakit-head-");
  try {
    await writeBlobs(w, entries, dir, repo.versionsDir);
  } catch (err) {
    await removeTempDir(dir);
    throw err;
  }
  return { request: { path: dir }, dispose: () => removeTempDir(dir) };
}

/**
 * `gitCwd`: the project's folder in the work tree. `staged`: compare HEAD with the index (the hook) instead of
 * the working tree (`migrakit generate`, where an untracked model file counts as a change too).
 */
export async function headOrm(
  repo: SchemaRepo,
  o: { gitCwd: string; env: NodeJS.ProcessEnv; staged: boolean },
): Promise<HeadOrm | undefined> {
  const w = { cwd: o.gitCwd, env: o.env };
  const [entries, changed] = await listingAndChange(repo, w, o.staged);
  if (!entries) return undefined;
  if (!changed) return o.staged ? { request: {}, dispose: noDispose } : undefined;
  return exportHead(repo, w, entries);
}

/**
 * HEAD's ORM as the hook needs it, with the drift cache in mind (drift-cache.ts): undefined when nothing predates
 * (no HEAD); `{}` when the staged ORM is HEAD's (every difference predates); else HEAD's object ids, and its
 * export made only when asked (a cached answer needs none).
 */
export async function stagedHead(
  repo: SchemaRepo,
  o: { gitCwd: string; env: NodeJS.ProcessEnv },
): Promise<{ request: PredatingRequest } | LazyHead | undefined> {
  const w = { cwd: o.gitCwd, env: o.env };
  const [entries, changed] = await listingAndChange(repo, w, true);
  if (!entries) return undefined;
  if (!changed) return { request: {} };
  let exported: Promise<HeadOrm> | undefined;
  return {
    ids: objectIds(entries, "tree"),
    request: async () => (await (exported ??= exportHead(repo, w, entries))).request,
    dispose: async () => {
      if (exported) await (await exported.catch(() => undefined))?.dispose();
    },
  };
}

export interface LazyHead {
  /** HEAD's package (and ini) by object ids (objectIds). */
  ids: string;
  /** HEAD's ORM exported for the bridge, made on the first call. */
  request(): Promise<PredatingRequest>;
  dispose(): Promise<void>;
}

type Where = { cwd: string; env: NodeJS.ProcessEnv };

/** HEAD's listing and whether the ORM changed since, asked at once (the second is only read when HEAD has the package). */
async function listingAndChange(repo: SchemaRepo, w: Where, staged: boolean): Promise<[string[] | undefined, boolean]> {
  const changed = ormChanged(w, ["--", repo.package, `:(exclude)${repo.migrationsDir}`], staged);
  changed.catch(() => {}); // without a HEAD it fails, and is not asked
  const entries = await headListing(repo, w);
  return entries ? [entries, await changed] : [undefined, false];
}

async function ormChanged(w: Where, paths: string[], staged: boolean) {
  const diff = await git(["diff", "--name-only", "-z", ...(staged ? ["--cached"] : []), "HEAD", ...paths], w);
  if (diff) return true;
  if (staged) return false;
  // A new model module not added yet counts; Python's own byproducts (__pycache__) do not.
  const untracked = splitZ(await git(["ls-files", "-z", "--others", "--exclude-standard", ...paths], w));
  return untracked.some((p) => p.endsWith(".py"));
}

/**
 * `ls-tree -r -z` entries (`MODE TYPE SHA\tPATH`) written below `dir`, read through one `cat-file --batch`. The
 * scripts are left out: the bridge runs this request's migrations folder (generate.py `_predating_keys`), and
 * a long history would be written for nothing.
 */
async function writeBlobs(w: Where, entries: string[], dir: string, versionsDir: string) {
  const files = entries
    .map((e) => {
      const tab = e.indexOf("\t");
      const [mode, type, sha] = e.slice(0, tab).split(" ");
      return { mode: mode!, type: type!, sha: sha!, path: e.slice(tab + 1) };
    })
    .filter((f) => f.type === "blob" && !f.path.startsWith(`${versionsDir}/`)); // a submodule has nothing to import
  const out = await catFileBatch(
    w,
    files.map((f) => f.sha),
  );
  files.forEach((f, i) => {
    const target = join(dir, f.path);
    mkdirSync(dirname(target), { recursive: true });
    if (f.mode === "120000") symlinkSync(out[i]!.toString("utf8"), target);
    else writeFileSync(target, out[i]!, { mode: f.mode === "100755" ? 0o755 : 0o644 });
  });
}

function catFileBatch(w: Where, shas: string[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["cat-file", "--batch"], {
      cwd: w.cwd,
      env: { ...w.env, GIT_TERMINAL_PROMPT: "0" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`git cat-file --batch failed: ${stderr.trim()}`));
      // Each answer: "<sha> blob <size>\n" then <size> bytes and "\n".
      const all = Buffer.concat(chunks);
      const blobs: Buffer[] = [];
      let at = 0;
      for (let i = 0; i < shas.length; i++) {
        const eol = all.indexOf(10, at);
        const size = Number(all.subarray(at, eol).toString("latin1").split(" ")[2]);
        if (!Number.isFinite(size)) return reject(new Error(`git cat-file --batch: no blob ${shas[i]}`));
        blobs.push(all.subarray(eol + 1, eol + 1 + size));
        at = eol + 1 + size + 1;
      }
      resolve(blobs);
    });
    child.stdin.end(shas.map((s) => `${s}\n`).join(""));
  });
}
