// Whether a run uses the warm Python worker (python/migrakit_bridge/worker.py), where its socket lives, and
// which worker a run may take (pure). The worker is for developer machines: under CI=true every run starts its
// own Python unless MIGRAKIT_WORKER=1 says otherwise, so a CI job leaves nothing running behind it.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { MigrakitError } from "../errors/index.js";

export interface WorkerSettings {
  enabled: boolean;
  /** The per-user folder of sockets (mode 0700). */
  dir: string;
  /** A worker exits after this long without a run. */
  idleSeconds: number;
  /** Runs one worker serves at the same time; a run past that starts its own Python. */
  maxRuns: number;
  /** fork (Linux) or spare (elsewhere); undefined: the worker picks by platform. */
  mode?: "fork" | "spare";
}

export const DEFAULT_IDLE_SECONDS = 30 * 60;
const DEFAULT_MAX_RUNS = 4;

const isCI = (env: NodeJS.ProcessEnv) => ["true", "1"].includes(env.CI?.toLowerCase() ?? "");

function invalid(key: string, value: string, expected: string): MigrakitError {
  return new MigrakitError("EMIGRAKIT_CONFIG_INVALID", {
    source: "the environment",
    key,
    value: JSON.stringify(value),
    expected,
  });
}

function positive(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw invalid(key, raw, "a positive number");
  return n;
}

/** The folder of worker sockets: MIGRAKIT_WORKER_DIR, else $XDG_RUNTIME_DIR/migrakit, else {tmp}/migrakit-{uid}. */
export function workerDir(env: NodeJS.ProcessEnv, o: { uid: number; tmpdir: string }): string {
  if (env.MIGRAKIT_WORKER_DIR) return env.MIGRAKIT_WORKER_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, "migrakit");
  return join(o.tmpdir, `migrakit-${o.uid}`);
}

export function workerSettings(
  env: NodeJS.ProcessEnv,
  o: { uid: number; tmpdir: string; platform: NodeJS.Platform },
): WorkerSettings {
  const raw = env.MIGRAKIT_WORKER?.trim().toLowerCase() ?? "";
  let enabled: boolean;
  if (["1", "true", "on", "yes"].includes(raw)) enabled = true;
  else if (["0", "false", "off", "no"].includes(raw)) enabled = false;
  else if (raw === "") enabled = !isCI(env);
  else throw invalid("MIGRAKIT_WORKER", env.MIGRAKIT_WORKER!, "1 (use the warm worker, also in CI) or 0 (never)");
  // Unix sockets and fork/flock are what the worker is made of.
  if (o.platform === "win32") enabled = false;
  const mode = env.MIGRAKIT_WORKER_MODE?.trim();
  if (mode && mode !== "fork" && mode !== "spare") throw invalid("MIGRAKIT_WORKER_MODE", mode, "fork or spare");
  return {
    enabled,
    dir: workerDir(env, o),
    idleSeconds: positive(env, "MIGRAKIT_WORKER_IDLE", DEFAULT_IDLE_SECONDS),
    maxRuns: Math.floor(positive(env, "MIGRAKIT_WORKER_MAX_RUNS", DEFAULT_MAX_RUNS)),
    ...(mode ? { mode: mode as "fork" | "spare" } : {}),
  };
}

/**
 * Which worker a run may take: one per interpreter, run folder and the variables that decide sys.path (the
 * worker itself checks the installed distributions). The socket's file name is this key.
 */
export function workerKey(python: string, cwd: string, env: NodeJS.ProcessEnv): string {
  const fixed = ["PYTHONPATH", "PYTHONHOME", "PYTHONNOUSERSITE", "PYTHONSAFEPATH", "PYTHONUSERBASE", "HOME"].map(
    (k) => [k, env[k] ?? null],
  );
  return createHash("sha256")
    .update(JSON.stringify([python, cwd, fixed]))
    .digest("hex")
    .slice(0, 24);
}

export function socketPath(dir: string, key: string): string {
  return join(dir, `w-${key}.sock`);
}
