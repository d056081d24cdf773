// A real `git commit` through git's own pre-commit hook, running this checkout's bin: what a developer's commit
// does, hook included (tests of the hook's behaviour across commits: drift at HEAD, its cache).
import { spawnSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MIGRAKIT_BIN } from "./cli.js";

/** git's pre-commit hook in `dir` runs `migrakit hook pre-commit` of this checkout. */
export function installHook(dir: string): void {
  const hook = join(dir, ".git", "hooks", "pre-commit");
  writeFileSync(hook, `#!/bin/sh\nexec "${process.execPath}" "${MIGRAKIT_BIN}" hook pre-commit\n`);
  chmodSync(hook, 0o755);
}

/** `git commit -m MESSAGE` in `dir` with `env` (the hook sees it), as a fixed author; its status and all it printed. */
export function commit(dir: string, env: NodeJS.ProcessEnv, message: string): { status: number | null; all: string } {
  const r = spawnSync(
    "git",
    [
      "-c",
      "user.name=Test",
      "-c",
      "user.email=test@example.com",
      "-c",
      "commit.gpgsign=false",
      "commit",
      "-m",
      message,
    ],
    { cwd: dir, env: { ...process.env, ...env, GITHUB_ACTIONS: "" }, encoding: "utf8", timeout: 300_000 },
  );
  return { status: r.status, all: r.stdout + r.stderr };
}
