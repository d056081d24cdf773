// The journal of a release in progress: the whole plan (old and new text of every file) written durably
// before the first change, removed after the last. While it exists, any run can put the tree back or finish
// the job from it alone, so a crash can neither rename twice nor lose a file.
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { MigrakitError } from "../errors/index.js";
import { git } from "../util/git.js";
import { commitTemp, removeFile, syncDirs, writeTemp } from "./files.js";

export interface JournalEntry {
  from: string;
  to: string;
  before: string;
  after: string;
  /** File mode of `from`, kept on the new file. */
  mode: number;
}

export interface Journal {
  format: 1;
  /** The PEP 440 version being released. */
  version: string;
  entries: JournalEntry[];
}

export const JOURNAL_NAME = "migrakit-release.json";

/** `.git/migrakit-release.json` (outside the work tree, so no commit can pick it up); beside the files without git. */
export async function journalPath(cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dotGit = join(cwd, ".git");
  try {
    if (statSync(dotGit).isDirectory()) return join(dotGit, JOURNAL_NAME);
  } catch {
    // not a plain repository: ask git (worktrees, submodules), then fall back to the folder itself
  }
  try {
    const dir = (await git(["rev-parse", "--git-dir"], { cwd, env })).trim();
    return join(isAbsolute(dir) ? dir : join(cwd, dir), JOURNAL_NAME);
  } catch {
    return join(cwd, `.${JOURNAL_NAME}`);
  }
}

export async function readJournal(path: string): Promise<Journal | null> {
  if (!existsSync(path)) return null;
  try {
    const j = JSON.parse(await readFile(path, "utf8")) as Journal;
    if (j.format !== 1 || typeof j.version !== "string" || !Array.isArray(j.entries)) throw new Error("unknown format");
    return j;
  } catch (e) {
    throw new MigrakitError("EMIGRAKIT_RELEASE_JOURNAL_UNREADABLE", { file: path, reason: (e as Error).message });
  }
}

/** Written as temp + fsync, then renamed: the journal is either whole or absent. */
export async function writeJournal(path: string, journal: Journal, tick: () => void): Promise<void> {
  const tmp = await writeTemp(path, JSON.stringify(journal));
  await commitTemp(tmp, path);
  await syncDirs([path]); // the journal must be on disk before the first file changes
  tick();
}

export async function removeJournal(path: string): Promise<void> {
  await removeFile(path);
  await syncDirs([path]);
}
