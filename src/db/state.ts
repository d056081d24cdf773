// The state file of a running embedded server: what the next run needs to reuse it.
import { readFile, rename, rm, writeFile } from "node:fs/promises";

export interface ServerState {
  pid: number;
  port: number;
  dataDir: string;
  version: string;
  /**
   * Set when a run that was to stop the server (CI) found others still using it: the last of them to finish
   * stops it instead.
   */
  stopWhenIdle?: boolean;
}

/** Parse a state file's text; undefined for anything that is not a complete state. Pure. */
export function parseState(text: string): ServerState | undefined {
  try {
    const s = JSON.parse(text) as Partial<ServerState>;
    if (
      Number.isInteger(s.pid) &&
      Number.isInteger(s.port) &&
      typeof s.dataDir === "string" &&
      typeof s.version === "string"
    ) {
      return {
        pid: s.pid!,
        port: s.port!,
        dataDir: s.dataDir,
        version: s.version,
        ...(s.stopWhenIdle === true ? { stopWhenIdle: true } : {}),
      };
    }
  } catch {
    // Torn or foreign file: treated as no state, the server is then checked and restarted under the lock.
  }
  return undefined;
}

export async function readState(file: string): Promise<ServerState | undefined> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  return text === undefined ? undefined : parseState(text);
}

/** Write atomically (temp file + rename), so a reader never sees half a state. */
export async function writeState(file: string, state: ServerState): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  await rename(tmp, file);
}

export async function removeState(file: string): Promise<void> {
  await rm(file, { force: true });
}
