// Runs the real `migrakit` bin as a child process, as a user or a hook would.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ownFolders } from "./isolation.js";

export const MIGRAKIT_BIN = fileURLToPath(new URL("../../../bin/migrakit.js", import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): CliResult {
  // No warm Python worker unless a test asks for one (MIGRAKIT_WORKER=1): a test on the developer path
  // (CI="") would otherwise leave a worker and its socket folder behind for its idle timeout.
  const env = ownFolders({ ...process.env, GITHUB_ACTIONS: "", MIGRAKIT_WORKER: "0", ...opts.env }, opts.env);
  const r = spawnSync(process.execPath, [MIGRAKIT_BIN, ...args], {
    cwd: opts.cwd,
    env,
    encoding: "utf8",
    input: opts.input ?? "",
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
