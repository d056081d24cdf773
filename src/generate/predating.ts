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

/**
 * `gitCwd`: the project's folder in the work tree. `staged`: compare HEAD with the index (the hook) instead of
 * the working tree (`migrakit generate`, where an untracked model file counts as a change too).
 */
export async function headOrm(
  repo: SchemaRepo,
  o: { gitCwd: string; env: NodeJS.ProcessEnv; staged: boolean },
): Promise<HeadOrm | undefined> {
  const w = { cwd: o.gitCwd, env: o.env };
  let listing: string;
  try {
    // alembic.ini too: its prepend_sys_path is relative to its folder, which must be the export's for the
    // import to find HEAD's package before the working tree's.
    const ini = repo.alembic?.file && !repo.alembic.file.includes("/") ? [repo.alembic.file] : [];
    listing = await git(["ls-tree", "-r", "-z", "HEAD", "--", repo.package, ...ini], w);
  } catch (err) {
    if (err instanceof GitError && !err.notFound) return undefined; // no commit yet, or no git repository
    throw err;
  }
  const entries = splitZ(listing);
  if (!entries.some((e) => e.slice(e.indexOf("\t") + 1).startsWith(`${repo.package}/`))) return undefined;
  const orm = ["--", repo.package, `:(exclude)${repo.migrationsDir}`];
  if (!(await ormChanged(w, orm, o.staged))) return o.staged ? { request: {}, dispose: noDispose } : undefined;
  const dir = await makeTempDir("migrakit-head-");
  try {
    await writeBlobs(w, entries, dir);
  } catch (err) {
    await removeTempDir(dir);
    throw err;
  }
  return { request: { path: dir }, dispose: () => removeTempDir(dir) };
}

async function ormChanged(w: { cwd: string; env: NodeJS.ProcessEnv }, paths: string[], staged: boolean) {
  const diff = await git(["diff", "--name-only", "-z", ...(staged ? ["--cached"] : []), "HEAD", ...paths], w);
  if (diff) return true;
  if (staged) return false;
  // A new model module not added yet counts; Python's own byproducts (__pycache__) do not.
  const untracked = splitZ(await git(["ls-files", "-z", "--others", "--exclude-standard", ...paths], w));
  return untracked.some((p) => p.endsWith(".py"));
}

/** `ls-tree -r -z` entries (`MODE TYPE SHA\tPATH`) written below `dir`, read through one `cat-file --batch`. */
async function writeBlobs(w: { cwd: string; env: NodeJS.ProcessEnv }, entries: string[], dir: string) {
  const files = entries
    .map((e) => {
      const tab = e.indexOf("\t");
      const [mode, type, sha] = e.slice(0, tab).split(" ");
      return { mode: mode!, type: type!, sha: sha!, path: e.slice(tab + 1) };
    })
    .filter((f) => f.type === "blob"); // a submodule has nothing to import
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

function catFileBatch(w: { cwd: string; env: NodeJS.ProcessEnv }, shas: string[]): Promise<Buffer[]> {
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
