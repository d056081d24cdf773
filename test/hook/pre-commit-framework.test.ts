// The hook through the Python `pre-commit` framework, as its users install it: the real `pre-commit` from PyPI
// (in a venv of this test's own, cached between runs), `.pre-commit-config.yaml` naming migrakit by git URL
// and rev (this checkout's HEAD: commit before running it locally), `pre-commit install` in a repo without
// husky, then a real `git commit` of an ORM change. pre-commit installs the hook with `npm install -g git+…`,
// which runs migrakit's `prepare` without dev dependencies (issue 17: it failed with `tsc: not found`).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { pruneTemplates } from "../../src/db/templates.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PRE_COMMIT = "pre-commit==4.7.0";
// Cached folders of this test's own (never the shared .venvs): the venv, and pre-commit's home, where an
// installed hook environment is reused as long as the rev is the same.
const CACHE = join(tmpdir(), "migrakit-test-pre-commit");
const VENV = join(CACHE, "venv-4.7.0");
const HOME = join(CACHE, "home");
const VENV_SITE = execFileSync(
  join(ROOT, ".venvs/current/bin/python"),
  ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
  { encoding: "utf8" },
).trim();
const PKG = "lnschema_demo";

let pg: TestPostgres | undefined;
let starting: Promise<TestPostgres> | undefined;
let work: string;
let dir: string;
let env: NodeJS.ProcessEnv;

function sh(cmd: string, args: string[], opts: { cwd?: string; ok?: boolean } = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? dir, env, encoding: "utf8", timeout: 1_200_000 });
  if (opts.ok !== false && r.status !== 0)
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** `sh` without blocking the event loop: the file's Postgres starts while pre-commit installs. */
function shAsync(cmd: string, args: string[], cwd = dir): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: 1_200_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (status) =>
      status === 0
        ? resolve({ stdout, stderr })
        : reject(new Error(`${cmd} ${args.join(" ")} failed (${status}):\n${stdout}\n${stderr}`)),
    );
  });
}

/** pre-commit from PyPI in a venv of its own, built once; a venv left half-built by an interrupted run is rebuilt. */
async function preCommitVenv(): Promise<string> {
  const bin = join(VENV, "bin", "pre-commit");
  if (existsSync(bin) && spawnSync(bin, ["--version"]).status === 0) return bin;
  rmSync(VENV, { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  await shAsync("python3", ["-m", "venv", VENV], CACHE);
  await shAsync(join(VENV, "bin", "pip"), ["install", "-q", PRE_COMMIT], CACHE);
  return bin;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "migrakit-pre-commit-"));
  dir = join(work, "repo");
  env = {
    ...process.env,
    PRE_COMMIT_HOME: HOME,
    // Set once the file's Postgres is up (the test starts it alongside pre-commit's install).
    MIGRAKIT_DATABASE_URL: "",
    MIGRAKIT_PYTHON: "",
    VIRTUAL_ENV: "",
    CI: "true",
    GITHUB_ACTIONS: "",
    GIT_AUTHOR_NAME: "Dev",
    GIT_AUTHOR_EMAIL: "dev@example.com",
    GIT_COMMITTER_NAME: "Dev",
    GIT_COMMITTER_EMAIL: "dev@example.com",
  };
  for (const k of ["HUSKY", "MIGRAKIT_SKIP", "npm_config_global", "npm_config_prefix"]) delete env[k];
  cpSync(join(ROOT, "examples/schema-repo"), dir, { recursive: true });
  writeFileSync(join(dir, ".gitignore"), ".venv/\n*.egg-info/\n__pycache__/\n");
  sh("git", ["init", "-q", "-b", "main"]);
  // No pip: nothing is installed into it (the stack comes through a .pth, the package as an editable path).
  sh("python3", ["-m", "venv", "--without-pip", ".venv"]);
  const site = sh(".venv/bin/python", [
    "-c",
    "import sysconfig; print(sysconfig.get_paths()['purelib'])",
  ]).stdout.trim();
  writeFileSync(join(site, "migrakit-test-stack.pth"), VENV_SITE + "\n");
  writeFileSync(join(site, "__editable__.lnschema_demo-0.2.0.pth"), dir + "\n");
  const rev = execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  // What docs/ci.md tells a pre-commit user to write, with this checkout as the git URL.
  writeFileSync(
    join(dir, ".pre-commit-config.yaml"),
    `repos:\n  - repo: file://${ROOT.replace(/\/$/, "")}\n    rev: ${rev}\n    hooks:\n      - id: migrakit\n`,
  );
  sh("git", ["add", "-A"]);
  sh("git", ["commit", "-q", "-m", "chore: schema repo at 0.2.0"]);
  sh("git", ["tag", "v0.2.0"]);
});

after(async () => {
  pg ??= await starting?.catch(() => undefined);
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("pre-commit from PyPI installs migrakit's hook from a git URL + rev and runs it: the commit carries the script", async () => {
  // The Postgres only the commit needs starts while pre-commit and the hook's node environment install.
  starting = startTestPostgres();
  starting.catch(() => {}); // awaited below, or by after() when the install fails first
  const install = await shAsync(await preCommitVenv(), ["install", "--install-hooks"]);
  pg = await starting;
  env.MIGRAKIT_DATABASE_URL = pg.adminUrl;
  assert.match(install.stdout, /pre-commit installed at \.git\/hooks\/pre-commit/);
  const core = `${dir}/${PKG}/_core.py`;
  const text = readFileSync(core, "utf8");
  writeFileSync(
    core,
    text
      .replace(
        '    version: str = Field(default="1", primary_key=True)',
        '    v: str = Field(default="1", primary_key=True)',
      )
      .replace('"core.transform.version"', '"core.transform.v"'),
  );
  sh("git", ["add", core]);
  const r = sh("git", ["commit", "-m", "feat: rename transform.version to v"], { ok: false });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const out = r.stdout + r.stderr;
  assert.match(out, /migrakit \(write and check the script for staged ORM changes\)\.+Passed/);
  // verbose: pre-commit shows what the hook wrote although it passed.
  assert.match(out, /vx_x_x\.py/);
  const committed = sh("git", ["show", "--name-only", "--format=", "HEAD"]).stdout.split("\n").filter(Boolean);
  const script = readdirSync(join(dir, PKG, "migrations/versions")).find((f) => f.endsWith("-vx_x_x.py"));
  assert.ok(script && committed.includes(`${PKG}/migrations/versions/${script}`), committed.join("\n"));
  assert.ok(committed.includes(`${PKG}/__init__.py`));
  assert.equal(sh("git", ["status", "--porcelain"]).stdout, "");
});
