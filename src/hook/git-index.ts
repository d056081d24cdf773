// The git index as the hook uses it: export it to a folder (the staged snapshot the hook works on), read
// and write single entries, and a backup of everything (lint-staged's safety net). Only the index entries
// and working-tree files the hook writes are touched.
import { spawn } from "node:child_process";
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
  const list = await git(["ls-files", "-z", "--cached", "--", ...folders], w);
  await new Promise<void>((resolve, reject) => {
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
    child.stdin.end(list);
  });
}

/** The staged content of a path (null when it is not in the index) and its mode. */
export async function indexEntry(w: GitWhere, path: string): Promise<{ text: string; mode: string } | null> {
  const out = splitZ(await git(["ls-files", "-z", "--stage", "--", path], w));
  const line = out.find((l) => l.endsWith(`\t${path}`));
  if (!line) return null;
  const [mode, sha] = line.split(/\s+/);
  return { text: await git(["cat-file", "blob", sha!], w), mode: mode! };
}

/** Stage exactly this content for this path (the work tree is left as it is). */
export async function stageContent(w: GitWhere, path: string, content: string, mode = "100644"): Promise<void> {
  const sha = (await git(["hash-object", "-w", "--stdin", `--path=${path}`], { ...w, input: content })).trim();
  await git(["update-index", "--add", "--cacheinfo", `${mode},${sha},${path}`], w);
}

export async function workTreeText(w: GitWhere, path: string): Promise<string | null> {
  return readFile(join(w.cwd, path), "utf8").catch(() => null);
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
