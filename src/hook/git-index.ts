// The git index as the hook uses it: export it to a folder (the staged snapshot the hook works on), read
// and write single entries, and a backup of everything (lint-staged's safety net). Only the index entries
// and working-tree files the hook writes are touched.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { MigrakitError } from "../errors/index.js";
import { git, GitError, splitZ } from "../util/git.js";

export interface GitWhere {
  /** The work tree's top folder. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Export the index entries under `folders` into `dest` (`git checkout-index --prefix`): no checkout, no stat of the work tree. */
export async function exportIndex(w: GitWhere, folders: string[], dest: string): Promise<void> {
  await checkoutIndex(w, splitZ(await git(["ls-files", "-z", "--cached", "--", ...folders], w)), dest);
}

/** Write these index entries (paths as the index names them) below `dest`, replacing what is there. */
export function checkoutIndex(w: GitWhere, paths: string[], dest: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(
      "git",
      ["checkout-index", "-z", "--stdin", "-f", `--prefix=${dest.endsWith("/") ? dest : dest + "/"}`],
      {
        cwd: w.cwd,
        env: { ...w.env, GIT_TERMINAL_PROMPT: "0" },
        stdio: ["pipe", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`git checkout-index failed: ${stderr.trim()}`)),
    );
    child.stdin.end(paths.map((p) => `${p}\0`).join(""));
  });
}

/**
 * The staged paths (added, modified, deleted; both names of a rename) as the top of the work tree names them,
 * asked from anywhere inside it: fast.ts's question, with `--no-relative` instead of its `--relative` (and
 * against a `diff.relative` setting).
 */
export async function stagedFromTop(cwd: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  return splitZ(
    await git(["diff", "--cached", "--name-only", "-z", "--no-relative", "--no-renames", "--no-ext-diff"], {
      cwd,
      env,
    }),
  );
}

/** The index entries (mode and object id) of these paths, by path: one `ls-files` for all of them. */
export async function indexEntries(w: GitWhere, paths: string[]): Promise<Map<string, { mode: string; id: string }>> {
  const out = new Map<string, { mode: string; id: string }>();
  if (paths.length === 0) return out;
  const wanted = new Set(paths);
  for (const line of splitZ(await git(["ls-files", "-z", "--stage", "--", ...paths], w))) {
    const tab = line.indexOf("\t");
    const path = line.slice(tab + 1);
    const [mode, id] = line.slice(0, tab).split(/\s+/);
    if (wanted.has(path)) out.set(path, { mode: mode!, id: id! });
  }
  return out;
}

/**
 * The object id git gives these bytes as a blob, unfiltered (`git hash-object --no-filters`): what an index
 * entry holds when it has exactly these bytes. SHA-1, or SHA-256 for a repository of that format (`like`, an
 * id of the same repository, says which).
 */
export function blobId(bytes: Buffer, like: string): string {
  const h = createHash(like.length === 64 ? "sha256" : "sha1");
  h.update(`blob ${bytes.length}\0`);
  h.update(bytes);
  return h.digest("hex");
}

/**
 * Stage exactly this content for each path (the work tree is left as it is): the blobs hashed side by side
 * (each with its path's filters, as `git add` would), then one `update-index` for all of them.
 */
export async function stageContents(w: GitWhere, items: { path: string; content: string; mode: string }[]) {
  if (items.length === 0) return;
  const ids = await Promise.all(
    items.map(async (i) =>
      (await git(["hash-object", "-w", "--stdin", `--path=${i.path}`], { ...w, input: i.content })).trim(),
    ),
  );
  const info = items.map((i, k) => `${i.mode} ${ids[k]}\t${i.path}\0`).join("");
  await git(["update-index", "-z", "--index-info"], { ...w, input: info });
}

/** The work tree's bytes of a path, or null when there is no such file. */
export async function workTreeBytes(w: GitWhere, path: string): Promise<Buffer | null> {
  return readFile(join(w.cwd, path)).catch(() => null);
}

/** A commit holding the index and the work tree as they are (`git stash create`; nothing when clean). */
export async function backup(w: GitWhere): Promise<string | null> {
  const sha = (await git(["stash", "create", "migrakit pre-commit backup"], w).catch(() => "")).trim();
  return sha || null;
}

/** The top of the work tree and the absolute git dir, or null outside a repository (EMIGRAKIT_GIT_MISSING without git). */
export async function gitTop(cwd: string, env: NodeJS.ProcessEnv): Promise<{ top: string; gitDir: string } | null> {
  try {
    const [top, gitDir] = (await git(["rev-parse", "--show-toplevel", "--absolute-git-dir"], { cwd, env }))
      .trim()
      .split("\n");
    return top && gitDir ? { top, gitDir } : null;
  } catch (err) {
    // No git program at all is not "outside a work tree": that advice would send the user looking elsewhere.
    if (err instanceof GitError && err.notFound) throw new MigrakitError("EMIGRAKIT_GIT_MISSING", {});
    return null;
  }
}
