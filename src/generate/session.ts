// What generate, rebase and the hook work with: the Python bridge and the scratch Postgres, started
// together (both take a moment) and closed together.
import type { LoadedConfig } from "../config/load.js";
import { startBridge, type Bridge } from "../bridge/client.js";
import { findPython } from "../bridge/interpreter.js";
import { remoteFailureOf } from "../bridge/remote-error.js";
import type { BridgePort, FailureOf } from "../checks/dynamic/port.js";
import { getScratchServer, type ScratchServer } from "../db/server.js";
import { clearProgress, progress } from "../output/progress.js";

export interface Session {
  bridge: Bridge;
  /** The bridge as the dynamic checks' modules take it (same process). */
  port: BridgePort;
  failureOf: FailureOf;
  server: ScratchServer;
  config: LoadedConfig;
  env: NodeJS.ProcessEnv;
  /** The interpreter's package versions: part of template cache keys, shared with `check`. */
  versions: Record<string, unknown>;
  /** Ends both; throws EMIGRAKIT_SERVER_STOPPED when the embedded server went away under the session. */
  close(): Promise<void>;
}

export interface OpenSessionOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  config: LoadedConfig;
  onStderr?: (t: string) => void;
  /**
   * close() does not wait for the interpreter to tear itself down (half a second with SQLAlchemy and
   * SQLModel loaded): every request has been answered by then and each closed its connection, so the
   * helper is killed right after its stdin is closed. For the hook, where that wait is part of every commit.
   */
  fastClose?: boolean;
  /** How long one Python request may take (default: MIGRAKIT_BRIDGE_TIMEOUT, else 10 minutes). */
  timeoutMs?: number;
  /** Gets a line now and then while a Python request takes long (for a terminal; see bridge/slow-request.ts). */
  onSlow?: (line: string) => void;
}

export async function openSession(o: OpenSessionOptions): Promise<Session> {
  progress("starting Postgres and Python");
  const serverP = getScratchServer({ database: o.config.database, env: o.env });
  serverP.catch(() => {});
  let bridge: Bridge;
  try {
    const python = await findPython({ configPython: o.config.python, cwd: o.cwd, env: o.env });
    bridge = await startBridge({
      python: python.python,
      cwd: o.cwd,
      env: o.env,
      onStderr: o.onStderr,
      timeoutMs: o.timeoutMs,
      onSlow: o.onSlow,
      ...(o.fastClose ? { stopGraceMs: 0 } : {}),
    });
  } catch (err) {
    clearProgress();
    await serverP.then((s) => s.release()).catch(() => {});
    throw err;
  }
  let server: ScratchServer;
  try {
    server = await serverP;
  } catch (err) {
    await bridge.close();
    throw err;
  }
  return {
    bridge,
    port: bridge,
    failureOf: remoteFailureOf,
    server,
    config: o.config,
    env: o.env,
    versions: { ...(bridge.versionsInfo ?? {}) },
    async close() {
      clearProgress();
      await Promise.allSettled([bridge.close(), server.release()]);
      // The embedded server stopped under this run: whatever failed was its echo; say what happened instead.
      const lost = server.lostError();
      if (lost) throw lost;
    },
  };
}
