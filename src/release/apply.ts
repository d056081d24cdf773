// Applies a release plan all-or-nothing. Order: journal (whole plan, durable) → each file: new text to a temp
// file, fsync, rename over the target, remove the old name → journal removed. On an error every file is put
// back from the journal; after a crash the next run finds the journal and rolls back or forward from it.
// Each step checks the file's current text first, so running a step twice changes nothing.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { MigrakitError } from "../errors/index.js";
import {
  commitTemp,
  injectedFault,
  InjectedFault,
  OpCounter,
  readOrNull,
  removeFile,
  removeIfExists,
  syncDirs,
  TMP_SUFFIX,
  writeTemp,
  type Fault,
} from "./files.js";
import { journalPath, readJournal, removeJournal, writeJournal, type Journal, type JournalEntry } from "./journal.js";
import { changedPaths, type ReleasePlan } from "./release-plan.js";

export interface ApplyOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Tests only: stop after the n-th file operation. */
  fault?: Fault;
}

export interface ApplyResult {
  /** Paths written or removed, relative to the repo root (what the release commit must contain). */
  changed: string[];
  /** File operations performed. */
  ops: number;
}

/** Bring one entry to its released state; a no-op for the parts already done. */
async function forward(cwd: string, e: JournalEntry, ops: OpCounter): Promise<void> {
  const to = join(cwd, e.to);
  const from = join(cwd, e.from);
  await removeIfExists(to + TMP_SUFFIX);
  if ((await readOrNull(to)) !== e.after) {
    const tmp = await writeTemp(to, e.after, e.mode);
    ops.tick();
    await commitTemp(tmp, to);
    ops.tick();
  }
  if (e.from !== e.to && (await readOrNull(from)) !== null) {
    await removeFile(from);
    ops.tick();
  }
}

/**
 * forward() in two halves, for the first apply: the new text written to its temporary file and fsynced (null when
 * the file holds it already), then that file renamed over the target and the old name removed.
 */
async function writeForward(cwd: string, e: JournalEntry): Promise<string | null> {
  const to = join(cwd, e.to);
  await removeIfExists(to + TMP_SUFFIX);
  return (await readOrNull(to)) === e.after ? null : writeTemp(to, e.after, e.mode);
}

async function commitForward(cwd: string, e: JournalEntry, tmp: string | null, ops: OpCounter): Promise<void> {
  if (tmp !== null) {
    await commitTemp(tmp, join(cwd, e.to));
    ops.tick();
  }
  const from = join(cwd, e.from);
  if (e.from !== e.to && (await readOrNull(from)) !== null) {
    await removeFile(from);
    ops.tick();
  }
}

/** Put one entry back as it was before the release; a no-op for the parts never done. */
async function backward(cwd: string, e: JournalEntry, ops: OpCounter): Promise<void> {
  const to = join(cwd, e.to);
  const from = join(cwd, e.from);
  await removeIfExists(to + TMP_SUFFIX);
  await removeIfExists(from + TMP_SUFFIX);
  if ((await readOrNull(from)) !== e.before) {
    const tmp = await writeTemp(from, e.before, e.mode);
    await commitTemp(tmp, from);
    ops.tick();
  }
  if (e.from !== e.to && (await readOrNull(to)) !== null) {
    await removeFile(to);
    ops.tick();
  }
}

/** Every file an entry writes or removes, as absolute paths (their folders are synced before the journal goes). */
function touched(cwd: string, entries: JournalEntry[]): string[] {
  return entries.flatMap((e) => [join(cwd, e.from), join(cwd, e.to)]);
}

async function entriesOf(plan: ReleasePlan, cwd: string): Promise<JournalEntry[]> {
  const entries: JournalEntry[] = [];
  for (const c of plan.changes) {
    const current = await readOrNull(join(cwd, c.from));
    // The model reads text without a byte-order mark; the file keeps the one it has.
    const bom = current?.startsWith("\uFEFF") && !c.before.startsWith("\uFEFF") ? "\uFEFF" : "";
    // The plan was made from what is on disk; if that changed since, applying it would overwrite someone's work.
    if (current !== bom + c.before)
      throw new MigrakitError("EMIGRAKIT_RELEASE_APPLY_FAILED", {
        file: c.from,
        reason: "the file changed after the plan was made",
      });
    if (c.from !== c.to && (await readOrNull(join(cwd, c.to))) !== null)
      // It was not there when the plan was made (the static check refuses a duplicate): someone wrote it since.
      throw new MigrakitError("EMIGRAKIT_RELEASE_APPLY_FAILED", {
        file: c.to,
        reason: "the file appeared after the plan was made",
      });
    const mode = (await stat(join(cwd, c.from))).mode & 0o7777;
    entries.push({ from: c.from, to: c.to, before: bom + c.before, after: bom + c.after, mode });
  }
  return entries;
}

/**
 * Apply the plan. Call `recoverRelease` first: a pending journal means an earlier run was interrupted.
 * On failure the tree is restored and EMIGRAKIT_RELEASE_APPLY_FAILED is thrown.
 */
export async function applyReleasePlan(plan: ReleasePlan, opts: ApplyOptions): Promise<ApplyResult> {
  const changed = changedPaths(plan);
  if (plan.changes.length === 0) return { changed, ops: 0 };
  const path = await journalPath(opts.cwd, opts.env);
  const entries = await entriesOf(plan, opts.cwd);
  const journal: Journal = { format: 1, version: plan.version.pep440, entries };
  const ops = new OpCounter(opts.fault ?? injectedFault.fault);
  let current = entries[0]!;
  try {
    await writeJournal(path, journal, () => ops.tick());
    // Every new text first, side by side: their fsyncs overlap instead of waiting one after another. A
    // temporary file changes nothing the journal cannot undo (every undo and redo removes it), and all have
    // settled before anything else happens, so the renames and removals below run in the entries' order, as
    // forward() would: the states a crash can leave are the same from one run to the next.
    const written = await Promise.allSettled(entries.map((e) => writeForward(opts.cwd, e)));
    const temps: (string | null)[] = [];
    for (const [i, w] of written.entries()) {
      current = entries[i]!;
      if (w.status === "rejected") throw w.reason;
      temps.push(w.value);
      if (w.value !== null) ops.tick();
    }
    for (const [i, e] of entries.entries()) {
      current = e;
      await commitForward(opts.cwd, e, temps[i]!, ops);
    }
    await syncDirs(touched(opts.cwd, entries));
    await removeJournal(path);
    return { changed, ops: ops.count };
  } catch (error) {
    // Roll back from the journal (if it was written at all), then forget it: the tree is as before.
    if ((await readOrNull(path)) !== null) {
      const undo = new OpCounter();
      for (const e of entries) await backward(opts.cwd, e, undo);
      await syncDirs(touched(opts.cwd, entries));
      await removeJournal(path);
    }
    if (error instanceof MigrakitError) throw error;
    const reason = error instanceof InjectedFault ? error.message : ((error as Error).message ?? String(error));
    throw new MigrakitError("EMIGRAKIT_RELEASE_APPLY_FAILED", { file: current.to, reason });
  }
}

export interface Recovery {
  /** The version the interrupted run was releasing. */
  version: string;
  direction: "forward" | "back";
  changed: string[];
}

/**
 * The first file that holds neither the journal's before- nor its after-text (or is missing where the journal
 * needs it), or null when every file is in a state the interrupted run itself could have left. A journal is
 * replayed only then: weeks later, after the user restored the tree and committed new work, replaying it would
 * silently revert that work. Read-only.
 */
export async function staleFile(cwd: string, entries: JournalEntry[]): Promise<{ file: string; state: string } | null> {
  for (const e of entries) {
    const from = await readOrNull(join(cwd, e.from));
    if (e.from === e.to) {
      if (from === null) return { file: e.from, state: "is missing" };
      if (from !== e.before && from !== e.after)
        return { file: e.from, state: "changed since the interrupted release" };
      continue;
    }
    const to = await readOrNull(join(cwd, e.to));
    if (from !== null && from !== e.before) return { file: e.from, state: "changed since the interrupted release" };
    if (to !== null && to !== e.after) return { file: e.to, state: "changed since the interrupted release" };
    if (from === null && to === null) return { file: e.from, state: `is missing (and so is ${e.to})` };
  }
  return null;
}

/**
 * Finish or undo an interrupted release from its journal: `forward` completes it, `back` restores the tree
 * as it was before it started. Null when no release was interrupted.
 */
export async function recoverRelease(opts: {
  cwd: string;
  env: NodeJS.ProcessEnv;
  direction: "forward" | "back" | ((version: string) => "forward" | "back");
}): Promise<Recovery | null> {
  const path = await journalPath(opts.cwd, opts.env);
  const journal = await readJournal(path);
  if (!journal) return null;
  const stale = await staleFile(opts.cwd, journal.entries);
  if (stale)
    throw new MigrakitError("EMIGRAKIT_RELEASE_JOURNAL_STALE", {
      version: journal.version,
      file: stale.file,
      state: stale.state,
      journal: path,
    });
  const direction = typeof opts.direction === "function" ? opts.direction(journal.version) : opts.direction;
  const ops = new OpCounter();
  for (const e of journal.entries) {
    if (direction === "forward") await forward(opts.cwd, e, ops);
    else await backward(opts.cwd, e, ops);
  }
  await syncDirs(touched(opts.cwd, journal.entries));
  await removeJournal(path);
  const changed = [...new Set(journal.entries.flatMap((e) => (e.from === e.to ? [e.to] : [e.from, e.to])))];
  return { version: journal.version, direction, changed };
}

/** The version of an interrupted release, without touching anything (for dry runs and `check`). */
export async function pendingRelease(opts: {
  cwd: string;
  env: NodeJS.ProcessEnv;
}): Promise<{ version: string; file: string; paths: string[]; stale: { file: string; state: string } | null } | null> {
  const file = await journalPath(opts.cwd, opts.env);
  const journal = await readJournal(file);
  if (!journal) return null;
  const paths = [...new Set(journal.entries.flatMap((e) => [e.from, e.to]))];
  return { version: journal.version, file, paths, stale: await staleFile(opts.cwd, journal.entries) };
}
