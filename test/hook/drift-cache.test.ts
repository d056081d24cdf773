// The cache of HEAD's drift (src/generate/drift-cache.ts), through git's own pre-commit hook in real commits:
// a commit the hook let through records "no drift" for its tree, so the next commit's hook does not compare
// HEAD's ORM at all; a HEAD committed past the hook (--no-verify) with other models is compared again and its
// drift found; a HEAD with drift keeps its warning run after run. Whether HEAD's ORM was compared is seen from
// the ORM itself: its module notes each import, and HEAD's is imported from predating.ts's export
// (`migrakit-head-…`). Real git, real alembic in the real venv, real Postgres.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { commit, installHook } from "../helpers/hook-commit.js";
import { MIGRAKIT_BIN } from "../helpers/cli.js";
import { exampleRepo, type ExampleRepo } from "../helpers/example-repo.js";
import { testPythons } from "../helpers/python.js";
import { serverForFile } from "../check/dynamic-helpers.js";

const { pg, cache } = serverForFile();
const CORE = "lnschema_demo/_core.py";
const VERSIONS = "lnschema_demo/migrations/versions";
const USER_COLUMNS = "    handle: str = Field(index=True, unique=True)\n";
// Each import of the ORM module appends the file it was imported from.
const NOTE_IMPORT =
  'import os as _os\nif _os.environ.get("DEMO_IMPORTS"):\n    with open(_os.environ["DEMO_IMPORTS"], "a") as _f:\n        _f.write(__file__ + "\\n")\n';

function edit(repo: ExampleRepo, from: string, to: string) {
  const text = repo.read(CORE);
  assert.ok(text.includes(from), from);
  repo.write(CORE, text.replace(from, to));
}

/** The example with the import note committed past the hook, and git's hook running this checkout's bin. */
function noted(): { repo: ExampleRepo; env: NodeJS.ProcessEnv; headImports: () => number } {
  const repo = exampleRepo();
  repo.write(CORE, NOTE_IMPORT + repo.read(CORE));
  repo.git("add", CORE);
  repo.git("commit", "-q", "--no-verify", "-m", "chore: note imports");
  installHook(repo.dir);
  const imports = join(repo.dir, ".git", "demo-imports.txt");
  const env: NodeJS.ProcessEnv = {
    MIGRAKIT_PYTHON: testPythons().find((p) => p.name === "current")!.python,
    MIGRAKIT_DATABASE_URL: pg.adminUrl,
    XDG_CACHE_HOME: cache(),
    CI: "",
    MIGRAKIT_NO_CACHE: "",
    MIGRAKIT_WORKER: "0",
    MIGRAKIT_SKIP: "",
    MIGRAKIT_INCLUDE_DRIFT: "",
    DEMO_IMPORTS: imports,
  };
  // How many imports of HEAD's ORM (from its export) since the last call.
  const headImports = () => {
    const lines = existsSync(imports) ? readFileSync(imports, "utf8").split("\n") : [];
    rmSync(imports, { force: true });
    return lines.filter((l) => l.includes("migrakit-head-")).length;
  };
  return { repo, env, headImports };
}

const unreleased = (dir: string) => readdirSync(join(dir, VERSIONS)).filter((f) => f.endsWith("-vx_x_x.py"));
const cacheEntries = (env: NodeJS.ProcessEnv) => {
  const dir = join(env.XDG_CACHE_HOME!, "migrakit", "drift");
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
};

test("a commit the hook let through records its tree as drift-free: the next commit's hook compares nothing of HEAD's ORM; a HEAD committed past the hook with other models is compared again", (t) => {
  const { repo, env, headImports } = noted();
  t.after(() => repo.cleanup());

  // HEAD was committed past the hook: nothing is known of it, so its ORM is compared.
  edit(repo, USER_COLUMNS, `${USER_COLUMNS}    nick: Optional[str] = None\n`);
  repo.git("add", CORE);
  const first = commit(repo.dir, env, "feat: nick");
  assert.equal(first.status, 0, first.all);
  assert.ok(headImports() > 0, "HEAD's ORM was compared");
  assert.doesNotMatch(first.all, /predate/);
  assert.ok(cacheEntries(env).length > 0, "an entry was written");

  // HEAD is the commit the hook just passed: its entry answers, HEAD's ORM is not imported.
  edit(repo, "    nick: Optional[str] = None\n", "    nick: Optional[str] = None\n    age: Optional[int] = None\n");
  repo.git("add", CORE);
  const second = commit(repo.dir, env, "feat: age");
  assert.equal(second.status, 0, second.all);
  assert.equal(headImports(), 0, `HEAD's ORM was not compared:\n${second.all}`);
  assert.doesNotMatch(second.all, /predate/);
  const scripts = unreleased(repo.dir);
  assert.equal(scripts.length, 1, second.all);
  const refreshed = repo.git("show", `HEAD:${VERSIONS}/${scripts[0]}`);
  for (const part of ["'nick'", "'age'"]) assert.ok(refreshed.includes(part), `${part}: ${refreshed}`);

  // The models change at HEAD past the hook (a column no script adds): that tree has no entry, so the next
  // hook compares HEAD's ORM and finds the column predating its change.
  edit(repo, "    age: Optional[int] = None\n", "    age: Optional[int] = None\n    bio: Optional[str] = None\n");
  repo.git("add", CORE);
  repo.git("commit", "-q", "--no-verify", "-m", "feat: bio, without a script");
  edit(repo, "    bio: Optional[str] = None\n", "    bio: Optional[str] = None\n    mood: Optional[str] = None\n");
  repo.git("add", CORE);
  const third = commit(repo.dir, env, "feat: mood");
  assert.equal(third.status, 0, third.all);
  assert.ok(headImports() > 0, "HEAD's ORM was compared again");
  assert.match(third.all, /migrakit: 1 difference predates this change: add_column core\.user\.bio/);
  assert.match(third.all, /EMIGRAKIT_DRIFT_PREDATES/);
  const last = repo.git("show", `HEAD:${VERSIONS}/${scripts[0]}`);
  assert.match(last, /'mood'/);
  assert.doesNotMatch(last, /'bio'/, "the drift stays out of the script");
});

test("drift at HEAD: every run of the hook says so and leaves it out, the second as the first; CI and MIGRAKIT_NO_CACHE=1 write no entry", (t) => {
  const { repo, env, headImports } = noted();
  t.after(() => repo.cleanup());
  edit(repo, USER_COLUMNS, `${USER_COLUMNS}    bio: Optional[str] = None\n`);
  repo.git("add", CORE);
  repo.git("commit", "-q", "--no-verify", "-m", "feat: bio, without a script");
  edit(repo, USER_COLUMNS, `${USER_COLUMNS}    nick: Optional[str] = None\n`);
  repo.git("add", CORE);
  const hook = (extra: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [MIGRAKIT_BIN, "hook", "pre-commit"], {
      cwd: repo.dir,
      env: { ...process.env, ...env, ...extra, GITHUB_ACTIONS: "" },
      encoding: "utf8",
      timeout: 300_000,
    });
  for (const run of ["first", "second"]) {
    const r = hook();
    assert.equal(r.status, 0, `${run}: ${r.stderr}`);
    assert.match(r.stderr, /migrakit: 1 difference predates this change: add_column core\.user\.bio/, run);
    assert.match(r.stderr, /EMIGRAKIT_DRIFT_PREDATES/, run);
    const scripts = unreleased(repo.dir);
    assert.equal(scripts.length, 1, run);
    const text = repo.git("show", `:${VERSIONS}/${scripts[0]}`);
    assert.match(text, /'nick'/, run);
    assert.doesNotMatch(text, /'bio'/, `${run}: the drift stays out of the script`);
    assert.ok(headImports() > 0, `${run}: HEAD's drift is compared`);
    // Back to the staged change alone, for the next run.
    rmSync(join(repo.dir, VERSIONS, scripts[0]!));
    repo.git("rm", "-q", "--cached", `${VERSIONS}/${scripts[0]}`);
    repo.git("checkout", "HEAD", "--", "lnschema_demo/__init__.py");
  }
  assert.deepEqual(cacheEntries(env), [], "a run that warned of drift records nothing");

  // A clean HEAD, passed by the hook: in CI and with MIGRAKIT_NO_CACHE=1 nothing is written.
  const clean = noted();
  t.after(() => clean.repo.cleanup());
  edit(clean.repo, USER_COLUMNS, `${USER_COLUMNS}    nick: Optional[str] = None\n`);
  clean.repo.git("add", CORE);
  for (const off of [{ CI: "true" }, { MIGRAKIT_NO_CACHE: "1" }]) {
    const r = spawnSync(process.execPath, [MIGRAKIT_BIN, "hook", "pre-commit"], {
      cwd: clean.repo.dir,
      env: { ...process.env, ...clean.env, ...off, GITHUB_ACTIONS: "" },
      encoding: "utf8",
      timeout: 300_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(cacheEntries(clean.env), [], JSON.stringify(off));
  }
});
