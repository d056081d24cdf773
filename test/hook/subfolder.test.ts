// A project in a subfolder of the git repo (backend/), as web apps keep it: init writes husky's hook where
// husky expects it (backend/.husky, `cd backend` in the hook), the hook finds the project from the staged
// paths when it runs at the top, and the quick exit sees the same paths as the full hook.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRAKIT_BIN, runCli } from "../helpers/cli.js";
import { REPO_ROOT, testPythons } from "../helpers/python.js";
import { serverForFile } from "../check/dynamic-helpers.js";

const { pg, cache } = serverForFile();
const VERSIONS = "backend/lnschema_seed/migrations/versions";
const CORE = "backend/lnschema_seed/_core.py";

test("backend/: init writes the hook with `cd backend`; the hook (run as husky runs it, and from the top) writes the script", () => {
  const top = mkdtempSync(join(tmpdir(), "migrakit-subfolder-"));
  try {
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args], {
        cwd: top,
        encoding: "utf8",
      });
    git("init", "-q", "-b", "main");
    cpSync(join(REPO_ROOT, "test", "fixtures", "seed-style"), join(top, "backend"), { recursive: true });
    writeFileSync(join(top, "README.md"), "# app\n");
    const env = {
      MIGRAKIT_PYTHON: testPythons()[0]!.python,
      MIGRAKIT_DATABASE_URL: pg.adminUrl,
      XDG_CACHE_HOME: cache(),
      CI: "",
      MIGRAKIT_NO_CACHE: "1",
    };
    const backend = join(top, "backend");

    const init = runCli(["init"], { cwd: backend, env });
    assert.equal(init.status, 0, init.stdout + init.stderr);
    const hook = readFileSync(join(backend, ".husky", "pre-commit"), "utf8");
    assert.match(hook, /^cd "backend" \|\| exit 1\n(?:[^#][\s\S]*)?^migrakit hook pre-commit$/m);
    assert.ok(
      hook.indexOf('cd "backend"') < hook.indexOf("command -v migrakit"),
      "cd first: node_modules/.bin on PATH is relative",
    );
    assert.equal(
      JSON.parse(readFileSync(join(backend, "package.json"), "utf8")).scripts.prepare,
      "cd .. && husky backend/.husky",
    );
    assert.equal(git("config", "core.hooksPath").trim(), "backend/.husky/_");
    // Released first: the fixture's unreleased scripts are hand-written, and the hook writes its own.
    assert.equal(runCli(["release-prepare", "--version", "0.5.0"], { cwd: backend, env }).status, 0);
    git("add", "-A");
    git("commit", "-q", "--no-verify", "-m", "app");

    // The hook as husky runs it: at the top, with the relative node_modules/.bin on PATH; migrakit is
    // installed in backend/ (here: a shim of this checkout's bin), which the hook's `cd backend` reaches.
    const bin = join(backend, "node_modules", ".bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "migrakit"), `#!/bin/sh\nexec "${process.execPath}" "${MIGRAKIT_BIN}" "$@"\n`);
    chmodSync(join(bin, "migrakit"), 0o755);
    const husky = (extra: NodeJS.ProcessEnv = {}) =>
      spawnSync("sh", [join(backend, ".husky", "pre-commit")], {
        cwd: top,
        env: { ...process.env, ...env, PATH: `node_modules/.bin:${process.env.PATH}`, ...extra },
        encoding: "utf8",
        timeout: 300_000,
      });

    // Nothing relevant staged: the quick exit, before any Python (a missing one would fail otherwise).
    writeFileSync(join(top, "README.md"), "# app, again\n");
    git("add", "README.md");
    const quick = husky({ MIGRAKIT_PYTHON: "/nonexistent/python" });
    assert.equal(quick.status, 0, quick.stdout + quick.stderr);
    assert.equal(quick.stderr.trim(), "");

    // An ORM edit: the quick exit lets it through (same paths as the full hook) and the script is written.
    const core = readFileSync(join(top, CORE), "utf8");
    writeFileSync(
      join(top, CORE),
      core.replace(
        "    name: Optional[str] = None\n\n\nclass Storage",
        "    name: Optional[str] = None\n    team: Optional[str] = None\n\n\nclass Storage",
      ),
    );
    git("add", CORE);
    const hooked = husky();
    assert.equal(hooked.status, 0, hooked.stdout + hooked.stderr);
    const [script] = readdirSync(join(top, VERSIONS)).filter((n) => n.endsWith("-vx_x_x.py"));
    assert.ok(script, "an unreleased script was written");
    assert.match(readFileSync(join(top, VERSIONS, script!), "utf8"), /team/);
    assert.ok(git("diff", "--cached", "--name-only").split("\n").includes(`${VERSIONS}/${script}`), "and staged");
    git("commit", "-q", "--no-verify", "-m", "team");

    // From the top, without `cd backend`: the project is found from the staged paths.
    writeFileSync(
      join(top, CORE),
      readFileSync(join(top, CORE), "utf8").replace(
        "    team: Optional[str] = None\n",
        "    team: Optional[str] = None\n    bio: Optional[str] = None\n",
      ),
    );
    git("add", CORE);
    const fromTop = runCli(["hook", "pre-commit"], { cwd: top, env });
    assert.equal(fromTop.status, 0, fromTop.stdout + fromTop.stderr);
    assert.match(readFileSync(join(top, VERSIONS, script!), "utf8"), /bio/);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});
