// Shared by the dynamic check tests: copies of the fixture packages in real temporary git repos, and the
// `migrakit check` bin run against a per-file embedded Postgres with a chosen Python.
import { after, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pruneTemplates } from "../../src/db/templates.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { ownDatabases, startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { REPO_ROOT } from "../helpers/python.js";

export interface FixtureRepo {
  dir: string;
  read(rel: string): string;
  write(rel: string, text: string): void;
  edit(rel: string, from: string | RegExp, to: string): void;
  git(...args: string[]): string;
  commit(message: string): void;
  cleanup(): void;
}

export function fixtureRepo(
  name:
    | "seed-style"
    | "lamin-era"
    | "lamin-pair"
    | "lamin-history"
    | "alembic-app"
    | "alembic-branches"
    | "async-app"
    | "backend-app",
): FixtureRepo {
  const dir = mkdtempSync(join(tmpdir(), `migrakit-${name}-`));
  cpSync(join(REPO_ROOT, "test", "fixtures", name), dir, {
    recursive: true,
    filter: (src) => !src.includes("__pycache__"),
  });
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args], {
      cwd: dir,
      encoding: "utf8",
    });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "fixture");
  const repo: FixtureRepo = {
    dir,
    read: (rel) => readFileSync(join(dir, rel), "utf8"),
    write: (rel, text) => writeFileSync(join(dir, rel), text),
    edit: (rel, from, to) => {
      const before = repo.read(rel);
      const after = before.replace(from, to);
      if (after === before) throw new Error(`test setup: ${String(from)} not found in ${rel}`);
      repo.write(rel, after);
    },
    git,
    commit: (message) => {
      git("add", "-A");
      git("commit", "-q", "-m", message);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return repo;
}

export interface CheckRun extends CliResult {
  /** stdout and stderr together, for assertions on what a person sees. */
  all: string;
}

/** `migrakit check` in `dir` with this Python and Postgres; a fresh cache folder unless one is given. */
export function check(
  dir: string,
  opts: { python: string; databaseUrl: string; cacheHome: string; args?: string[]; env?: NodeJS.ProcessEnv },
): CheckRun {
  const r = runCli(["check", ...(opts.args ?? [])], {
    cwd: dir,
    env: {
      MIGRAKIT_PYTHON: opts.python,
      MIGRAKIT_DATABASE_URL: opts.databaseUrl,
      XDG_CACHE_HOME: opts.cacheHome,
      CI: "",
      MIGRAKIT_NO_CACHE: "",
      ...opts.env,
    },
    timeoutMs: 300_000,
  });
  return { ...r, all: r.stdout + r.stderr };
}

export const tempCache = () => mkdtempSync(join(tmpdir(), "migrakit-cache-"));

/**
 * One embedded server for the test file (the house rule) and throw-away cache folders. After the file: the
 * templates are pruned, the server stopped, and no scratch database may be left on it.
 */
export function serverForFile(): { pg: { readonly adminUrl: string }; cache: () => string } {
  let started: TestPostgres | undefined;
  const caches: string[] = [];
  before(async () => {
    started = await startTestPostgres();
  });
  after(async () => {
    // Scratch databases are always dropped; templates and their spares are the cache and stay until pruned.
    const left = (await ownDatabases(started!.adminUrl)).filter(
      (n) => !n.startsWith("migrakit_tpl_") && !n.startsWith("migrakit_spr_"),
    );
    await pruneTemplates(started!.adminUrl, { keep: 0 });
    await started!.stop();
    for (const dir of caches) rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(left, [], "no scratch database is left on the server");
  });
  return {
    pg: {
      get adminUrl() {
        return started!.adminUrl;
      },
    },
    cache: () => {
      const dir = tempCache();
      caches.push(dir);
      return dir;
    },
  };
}

/**
 * Any `migrakit` command in `dir` on the file's server (from serverForFile), as a developer runs it: not CI,
 * a fresh cache folder each run, and the result cache off so that every run does the work it is asked to
 * (unlike `check` above, which keeps the result cache on).
 */
export function cliOnServer(server: ReturnType<typeof serverForFile>) {
  return (dir: string, python: string, args: string[], env: NodeJS.ProcessEnv = {}): CheckRun => {
    const r = runCli(args, {
      cwd: dir,
      env: {
        MIGRAKIT_PYTHON: python,
        MIGRAKIT_DATABASE_URL: server.pg.adminUrl,
        XDG_CACHE_HOME: server.cache(),
        CI: "",
        MIGRAKIT_NO_CACHE: "1",
        ...env,
      },
      timeoutMs: 300_000,
    });
    return { ...r, all: r.stdout + r.stderr };
  };
}
