// migrakit as a user gets it, for the end-to-end files: `npm pack`, the tarball installed once per test file
// into a folder of its own, then any number of user repos. Each repo is a fresh git repo with its own venv
// (the pinned test stack through a .pth, the working tree on sys.path as `pip install -e .` leaves it),
// husky's hook, its own result cache and worker folder, and a link to the one installed node_modules: a
// scenario gets a repo of its own without paying for an install, so one failure cannot cascade into the next.
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./python.js";

const VENV_SITE = execFileSync(
  join(REPO_ROOT, ".venvs/current/bin/python"),
  ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
  { encoding: "utf8" },
).trim();

export interface Install {
  /** The folder holding package.json and node_modules with the packed migrakit. */
  dir: string;
  cleanup(): void;
}

/** A command that must succeed, without blocking the event loop (the file's Postgres starts meanwhile). */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: 600_000 });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (status) =>
      status === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} failed (${status}):\n${output}`)),
    );
  });
}

/**
 * `npm pack` of this checkout, installed (offline where the npm cache allows) into a fresh folder.
 * Asynchronous, so a file can start its Postgres while npm works (`installWithPostgres` below).
 */
export async function installPacked(): Promise<Install> {
  const dir = mkdtempSync(join(tmpdir(), "migrakit-install-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    await run("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], REPO_ROOT, process.env);
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "schema-repo", private: true }, null, 2));
    await run(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", join(dir, tarball)],
      dir,
      process.env,
    );
  } catch (e) {
    cleanup();
    throw e;
  }
  return { dir, cleanup };
}

/**
 * The install and the file's Postgres, made side by side. Whatever one of them fails, the other is still
 * handed to `keep` first, so the file's after() stops or removes it.
 */
export async function installWithPostgres<P>(
  start: () => Promise<P>,
  keep: (made: { pg?: P; install?: Install }) => void,
): Promise<void> {
  const [pg, install] = await Promise.allSettled([start(), installPacked()]);
  keep({
    pg: pg.status === "fulfilled" ? pg.value : undefined,
    install: install.status === "fulfilled" ? install.value : undefined,
  });
  for (const r of [pg, install]) if (r.status === "rejected") throw r.reason;
}

export interface UserRepo {
  dir: string;
  /** The environment every command of this repo runs with (extend it per call). */
  env: NodeJS.ProcessEnv;
  sh(cmd: string, args: string[], opts?: { env?: NodeJS.ProcessEnv; ok?: boolean }): SpawnSyncReturns<string>;
  git(...args: string[]): string;
  /** The installed bin (`node_modules/.bin/migrakit`, what `npx migrakit` runs), its result whatever the exit code. */
  migrakit(args: string[], env?: NodeJS.ProcessEnv): SpawnSyncReturns<string>;
  /** A real `git commit` (husky runs the hook), its result whatever the exit code. */
  commit(message: string, env?: NodeJS.ProcessEnv): SpawnSyncReturns<string>;
  read(rel: string): string;
  write(rel: string, text: string): void;
  /** Replace `from` (which must be there) by `to`. */
  edit(rel: string, from: string, to: string): void;
  /** The `vx_x_x` scripts in a versions folder. */
  unreleased(versions: string): string[];
  /** The paths the HEAD commit touched. */
  committedFiles(): string[];
  cleanup(): void;
}

export interface UserRepoOptions {
  /** A folder copied as the repo's content (a schema repo: examples/schema-repo, a test fixture). */
  source: string;
  /** Settings for every command: the database, CI or not. The repo adds its own cache and worker folders. */
  env: NodeJS.ProcessEnv;
  /** Tag of the first commit (the release its content is), if any. */
  tag?: string;
}

/** A user's schema repo with migrakit installed and the hook on, its content committed (and tagged). */
export function userRepo(install: Install, opts: UserRepoOptions): UserRepo {
  const base = mkdtempSync(join(tmpdir(), "migrakit-user-"));
  const dir = join(base, "repo");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MIGRAKIT_PYTHON: "",
    VIRTUAL_ENV: "",
    GITHUB_ACTIONS: "",
    // Never the machine-wide result cache, embedded server or worker sockets (docs/configuration.md): a run
    // that is given no database of the test's would start a server of its own here, not use the shared one.
    XDG_CACHE_HOME: join(base, "cache"),
    MIGRAKIT_POSTGRES_DIR: join(base, "pg"),
    MIGRAKIT_WORKER_DIR: join(base, "worker"),
    GIT_AUTHOR_NAME: "Dev",
    GIT_AUTHOR_EMAIL: "dev@example.com",
    GIT_COMMITTER_NAME: "Dev",
    GIT_COMMITTER_EMAIL: "dev@example.com",
    ...opts.env,
  };
  delete env.HUSKY;
  delete env.MIGRAKIT_SKIP;
  const sh = (cmd: string, args: string[], o: { env?: NodeJS.ProcessEnv; ok?: boolean } = {}) => {
    const r = spawnSync(cmd, args, { cwd: dir, env: { ...env, ...o.env }, encoding: "utf8", timeout: 600_000 });
    if (o.ok !== false && r.status !== 0)
      throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const git = (...args: string[]) => sh("git", args).stdout;
  const read = (rel: string) => readFileSync(join(dir, rel), "utf8");
  const write = (rel: string, text: string) => writeFileSync(join(dir, rel), text);

  cpSync(opts.source, dir, {
    recursive: true,
    filter: (src) => !src.includes("__pycache__") && !src.endsWith(".egg-info"),
  });
  cpSync(join(install.dir, "package.json"), join(dir, "package.json"));
  writeFileSync(join(dir, ".gitignore"), "node_modules\n.venv/\n*.egg-info/\n__pycache__/\n");
  symlinkSync(join(install.dir, "node_modules"), join(dir, "node_modules"));
  // The venv: no pip (nothing is installed into it), the pinned stack through a .pth, and the working tree on
  // sys.path the way setuptools' path-mode editable install leaves it (`pip install -e .` offline).
  sh("python3", ["-m", "venv", "--without-pip", ".venv"]);
  const site = sh(".venv/bin/python", [
    "-c",
    "import sysconfig; print(sysconfig.get_paths()['purelib'])",
  ]).stdout.trim();
  writeFileSync(join(site, "migrakit-test-stack.pth"), VENV_SITE + "\n");
  writeFileSync(join(site, "__editable__.schema_repo.pth"), dir + "\n");
  git("init", "-q", "-b", "main");
  sh("node_modules/.bin/husky", []);
  mkdirSync(join(dir, ".husky"), { recursive: true });
  cpSync(join(dir, "node_modules/migrakit/hooks/pre-commit"), join(dir, ".husky/pre-commit"));
  git("add", "-A");
  git("commit", "-q", "--no-verify", "-m", "chore: schema repo");
  if (opts.tag) git("tag", opts.tag);

  return {
    dir,
    env,
    sh,
    git,
    migrakit: (args, extra = {}) => sh("node_modules/.bin/migrakit", args, { env: extra, ok: false }),
    commit: (message, extra = {}) => sh("git", ["commit", "-m", message], { env: extra, ok: false }),
    read,
    write,
    edit: (rel, from, to) => {
      const text = read(rel);
      assert.ok(text.includes(from), `test setup: ${rel} contains ${JSON.stringify(from)}`);
      write(rel, text.replace(from, to));
    },
    unreleased: (versions) => readdirSync(join(dir, versions)).filter((f) => f.endsWith("-vx_x_x.py")),
    committedFiles: () => git("show", "--name-only", "--format=", "HEAD").split("\n").filter(Boolean),
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
