// A copy of examples/schema-repo in a fresh git repo (committed, tagged v0.2.0), for CLI tests that need the
// real example package; and a run of the bin as a child that a test can signal while it works.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRAKIT_BIN } from "./cli.js";
import { ownFolders } from "./isolation.js";
import { REPO_ROOT } from "./python.js";

export interface ExampleRepo {
  dir: string;
  pkg: string;
  read(rel: string): string;
  write(rel: string, text: string): void;
  git(...args: string[]): string;
  cleanup(): void;
}

export function exampleRepo(): ExampleRepo {
  const dir = mkdtempSync(join(tmpdir(), "migrakit-example-"));
  cpSync(join(REPO_ROOT, "examples", "schema-repo"), dir, {
    recursive: true,
    filter: (src) => !src.includes("__pycache__") && !src.endsWith(".egg-info"),
  });
  const git = (...args: string[]) =>
    execFileSync(
      "git",
      ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args],
      { cwd: dir, encoding: "utf8" },
    );
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "feat: schema package at 0.2.0");
  git("tag", "v0.2.0");
  return {
    dir,
    pkg: "lnschema_demo",
    read: (rel) => readFileSync(join(dir, rel), "utf8"),
    write: (rel, text) => writeFileSync(join(dir, rel), text),
    git,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An unreleased script after 0.2.0's head whose upgrade runs `body` (e.g. a sleep), with `_migration` set to it. */
export function addUnreleasedScript(repo: ExampleRepo, revision: string, body: string): string {
  const path = `${repo.pkg}/migrations/versions/2023-03-01-${revision}-vx_x_x.py`;
  repo.write(
    path,
    [
      '"""vX.X.X."""',
      "from alembic import op  # noqa: F401",
      "",
      `revision = "${revision}"`,
      'down_revision = "dd2b4a9499f2"',
      "",
      "",
      "def upgrade() -> None:",
      ...body.split("\n").map((l) => `    ${l}`),
      "",
      "",
      "def downgrade() -> None:",
      "    pass",
      "",
    ].join("\n"),
  );
  const init = `${repo.pkg}/__init__.py`;
  repo.write(init, repo.read(init).replace('_migration = "dd2b4a9499f2"', `_migration = "${revision}"`));
  return path;
}

export interface ChildRun {
  pid: number;
  /** Everything written so far. */
  output(): { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** The bin as a child (stdin closed), in its own process group when `detached`, so a signal reaches it alone. */
export function spawnCli(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): ChildRun {
  const child = spawn(process.execPath, [MIGRAKIT_BIN, ...args], {
    cwd: opts.cwd,
    env: ownFolders({ ...process.env, GITHUB_ACTIONS: "", MIGRAKIT_WORKER: "0", ...opts.env }, opts.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { pid: child.pid!, output: () => ({ stdout, stderr }), exited };
}

/** Poll until `fn` returns something truthy (or fail after `timeoutMs`). */
export async function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs = 120_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
