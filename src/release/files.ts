// The file operations of the release step: new content goes to a temporary file that is fsynced, then renamed
// over the target (rename is atomic on POSIX), so a file is always either its old or its new text. Folders
// are fsynced once at the end (syncDirs), before the journal goes: until then the journal, itself durable,
// can repair any mix of done and undone renames. A counter lets tests (and only tests: see injectedFault) stop the process after the n-th one.
import { open, readFile, rename, rm, unlink } from "node:fs/promises";
import { dirname } from "node:path";

/** What a test injects: after the n-th file operation, throw (a failure) or SIGKILL the process (a crash). */
export interface Fault {
  afterOps: number;
  kind: "error" | "kill";
}

export class InjectedFault extends Error {
  constructor(readonly ops: number) {
    super(`injected fault after file operation ${ops}`);
  }
}

/**
 * The fault a test entry point (test/helpers/faulty-bin.ts) sets before it loads a bin in the same process.
 * Nothing shipped sets it, and nothing reads it from the environment: a user's variable can never crash a release.
 */
// One object per process, under a registered symbol: the bundled quick path (dist/bundle) carries its own copy
// of this module, and the fault must reach whichever copy runs the release.
const FAULT_KEY = Symbol.for("migrakit.release.injectedFault");
const registry = globalThis as unknown as Record<symbol, { fault?: Fault } | undefined>;
export const injectedFault: { fault?: Fault } = (registry[FAULT_KEY] ??= {});

/** Counts file operations and fires the fault, if any, after the chosen one. */
export class OpCounter {
  count = 0;
  constructor(private readonly fault?: Fault) {}
  tick(): void {
    this.count++;
    if (this.fault && this.count === this.fault.afterOps) {
      if (this.fault.kind === "kill") process.kill(process.pid, "SIGKILL");
      throw new InjectedFault(this.count);
    }
  }
}

export const TMP_SUFFIX = ".migrakit-tmp";

export async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Write `text` to `path + TMP_SUFFIX` and fsync it (one operation). */
export async function writeTemp(path: string, text: string, mode?: number): Promise<string> {
  const tmp = path + TMP_SUFFIX;
  const handle = await open(tmp, "w", mode);
  try {
    await handle.writeFile(text, "utf8");
    if (mode !== undefined) await handle.chmod(mode); // the umask must not change a file's mode
    await handle.sync();
  } finally {
    await handle.close();
  }
  return tmp;
}

/** Move the fsynced temporary file over `path` (one operation; durable once its folder is synced). */
export async function commitTemp(tmp: string, path: string): Promise<void> {
  await rename(tmp, path);
}

export async function removeFile(path: string): Promise<void> {
  await unlink(path);
}

/** Make the renames and removals in these folders durable. */
export async function syncDirs(paths: Iterable<string>): Promise<void> {
  // Side by side: each is needed before the caller goes on, none before another.
  await Promise.all([...new Set([...paths].map((p) => dirname(p)))].map(fsyncDir));
}

export async function removeIfExists(path: string): Promise<void> {
  await rm(path, { force: true });
}
