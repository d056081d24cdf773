// What generate, rebase and the hook work with: the Python bridge and the scratch Postgres, started
// together (both take a moment) and closed together.
import type { LoadedConfig } from "../config/load.js";
import { startBridge, type Bridge } from "../bridge/client.js";
import { findPython } from "../bridge/interpreter.js";
import { remoteFailureOf } from "../bridge/remote-error.js";
import type { BridgePort, FailureOf } from "../checks/dynamic/port.js";
import { getScratchServer, type ScratchServer } from "../db/server.js";

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
  close(): Promise<void>;
}

export async function openSession(o: { cwd: string; env: NodeJS.ProcessEnv; config: LoadedConfig; onStderr?: (t: string) => void }): Promise<Session> {
  const serverP = getScratchServer({ database: o.config.database, env: o.env });
  serverP.catch(() => {});
  let bridge: Bridge;
  try {
    const python = await findPython({ configPython: o.config.python, cwd: o.cwd, env: o.env });
    bridge = await startBridge({ python: python.python, cwd: o.cwd, env: o.env, onStderr: o.onStderr });
  } catch (err) {
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
    port: bridge as unknown as BridgePort,
    failureOf: remoteFailureOf,
    server,
    config: o.config,
    env: o.env,
    versions: { ...(bridge.versionsInfo ?? {}) },
    async close() {
      await Promise.allSettled([bridge.close(), server.release()]);
    },
  };
}
