// Drift that was there before the change (issue 11, item 7; docs/spec.md §2): the models committed at HEAD
// already differ from the scripts in two places (a column and an index no script adds); the user stages a new
// column. The hook (git's own, in a real commit) writes a script with the new column only, says "2
// differences predate this change" and lets the commit through; `migrakit check` still fails on the drift;
// `migrakit generate --include-drift` writes it. Also: no drift at HEAD says nothing extra; the first commit of
// a repo (no HEAD) has nothing that predates it. Real git, real alembic in the real venvs, real Postgres.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commit, installHook } from "../helpers/hook-commit.js";
import { runCli } from "../helpers/cli.js";
import { exampleRepo, type ExampleRepo } from "../helpers/example-repo.js";
import { REPO_ROOT, testPythons, type StackName } from "../helpers/python.js";
import { serverForFile } from "../check/dynamic-helpers.js";

const { pg, cache } = serverForFile();
const CORE = "lnschema_demo/_core.py";
const VERSIONS = "lnschema_demo/migrations/versions";

const USER_COLUMNS = "    handle: str = Field(index=True, unique=True)\n";

const envFor = (stack: StackName): NodeJS.ProcessEnv => ({
  MIGRAKIT_PYTHON: testPythons().find((p) => p.name === stack)!.python,
  MIGRAKIT_DATABASE_URL: pg.adminUrl,
  XDG_CACHE_HOME: cache(),
  CI: "",
  MIGRAKIT_NO_CACHE: "1",
  MIGRAKIT_WORKER: "0",
  MIGRAKIT_SKIP: "",
  MIGRAKIT_INCLUDE_DRIFT: "",
});

function edit(repo: { read(rel: string): string; write(rel: string, text: string): void }, from: string, to: string) {
  const text = repo.read(CORE);
  assert.ok(text.includes(from), from);
  repo.write(CORE, text.replace(from, to));
}

const unreleased = (dir: string) => readdirSync(join(dir, VERSIONS)).filter((f) => f.endsWith("-vx_x_x.py"));

/** The example at 0.2.0, then a commit (hook skipped) whose models drift: a column `bio` and an index no script has. */
function drifted(): ExampleRepo {
  const repo = exampleRepo();
  edit(repo, "from sqlalchemy import ForeignKeyConstraint\n", "from sqlalchemy import ForeignKeyConstraint, Index\n");
  edit(
    repo,
    '    __table_args__ = {"schema": "core"}\n    id: str = Field(primary_key=True)\n    email',
    '    __table_args__ = (Index("ix_user_email_handle", "email", "handle"), {"schema": "core"})\n    id: str = Field(primary_key=True)\n    email',
  );
  edit(repo, USER_COLUMNS, `${USER_COLUMNS}    bio: Optional[str] = None\n`);
  repo.git("add", CORE);
  repo.git("commit", "-q", "--no-verify", "-m", "feat: bio and an index, without a script");
  installHook(repo.dir);
  return repo;
}

for (const stack of ["current", "legacy"] as const)
  test(`${stack}: drift at HEAD stays out of the hook's script (new, then refreshed) and is reported; the commit goes through; check still fails on it`, (t) => {
    const repo = drifted();
    t.after(() => repo.cleanup());
    const env = envFor(stack);
    edit(repo, USER_COLUMNS, `${USER_COLUMNS}    nick: Optional[str] = None\n`);
    repo.git("add", CORE);
    const hooked = commit(repo.dir, env, "feat: nick");
    assert.equal(hooked.status, 0, hooked.all);
    assert.match(
      hooked.all,
      /migrakit: 2 differences predate this change: add_column core\.user\.bio, add_index core\.user\.ix_user_email_handle/,
    );
    assert.match(hooked.all, /EMIGRAKIT_DRIFT_PREDATES/);
    assert.match(hooked.all, /migrakit generate --include-drift/);
    const scripts = unreleased(repo.dir);
    assert.equal(scripts.length, 1, hooked.all);
    const script = `${VERSIONS}/${scripts[0]}`;
    const text = repo.git("show", `HEAD:${script}`);
    assert.match(text, /add_column\('user', sa\.Column\('nick'/, text);
    assert.doesNotMatch(text, /bio|ix_user_email_handle/, "the drift is not in the user's script");
    assert.equal(repo.git("status", "--porcelain", "--untracked-files=no").trim(), "", "everything committed");

    // The next change refreshes the same script: its committed content stays, the drift still stays out.
    edit(repo, "    nick: Optional[str] = None\n", "    nick: Optional[str] = None\n    age: Optional[int] = None\n");
    repo.git("add", CORE);
    const again = commit(repo.dir, env, "feat: age");
    assert.equal(again.status, 0, again.all);
    assert.match(again.all, /migrakit: 2 differences predate this change/);
    assert.deepEqual(unreleased(repo.dir), scripts, "the same script, refreshed");
    const refreshed = repo.git("show", `HEAD:${script}`);
    for (const part of ["'nick'", "'age'"]) assert.ok(refreshed.includes(part), `${part}: ${refreshed}`);
    assert.doesNotMatch(refreshed, /bio|ix_user_email_handle/);
    if (stack === "legacy") return; // the commands below do not depend on the stack

    const checked = runCli(["check"], { cwd: repo.dir, env, timeoutMs: 300_000 });
    assert.equal(checked.status, 1, checked.stdout + checked.stderr);
    const said = checked.stdout + checked.stderr;
    assert.match(said, /EMIGRAKIT_MODELS_MISMATCH/);
    assert.match(said, /core\.user\.bio/);
    assert.match(said, /ix_user_email_handle/);

    // The fix line the hook printed, followed: the drift goes into the unreleased script, and check passes.
    const included = runCli(["generate", "--include-drift"], { cwd: repo.dir, env, timeoutMs: 300_000 });
    assert.equal(included.status, 0, included.stdout + included.stderr);
    assert.doesNotMatch(included.stdout, /predate/);
    const all = repo.read(script);
    for (const part of ["'nick'", "'bio'", "ix_user_email_handle"]) assert.ok(all.includes(part), `${part}: ${all}`);
    const passed = runCli(["check"], { cwd: repo.dir, env, timeoutMs: 300_000 });
    assert.equal(passed.status, 0, passed.stdout + passed.stderr);
  });

test("generate in the working tree: the drift at HEAD is reported apart, the script holds the change; MIGRAKIT_INCLUDE_DRIFT=1 writes both", (t) => {
  const repo = drifted();
  t.after(() => repo.cleanup());
  const env = envFor("current");
  edit(repo, USER_COLUMNS, `${USER_COLUMNS}    nick: Optional[str] = None\n`);
  const r = runCli(["generate", "--json"], { cwd: repo.dir, env, timeoutMs: 300_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const answer = JSON.parse(r.stdout);
  assert.deepEqual(
    answer.predating.map((d: { kind: string }) => d.kind),
    ["add_column", "add_index"],
  );
  const text = repo.read(answer.file);
  assert.match(text, /'nick'/);
  assert.doesNotMatch(text, /bio|ix_user_email_handle/);
  const all = runCli(["generate"], { cwd: repo.dir, env: { ...env, MIGRAKIT_INCLUDE_DRIFT: "1" }, timeoutMs: 300_000 });
  assert.equal(all.status, 0, all.stdout + all.stderr);
  assert.match(repo.read(answer.file), /'bio'/);
  // The models as at HEAD (the change undone): there is no change to tell apart, so `generate` by hand is
  // asked for a script of the models as they are — the drift goes in, and nothing is reported apart.
  rmSync(join(repo.dir, answer.file));
  repo.git("checkout", "--", "lnschema_demo");
  const asIs = runCli(["generate"], { cwd: repo.dir, env, timeoutMs: 300_000 });
  assert.equal(asIs.status, 0, asIs.stdout + asIs.stderr);
  assert.doesNotMatch(asIs.stdout + asIs.stderr, /predate this change/);
  const written = unreleased(repo.dir);
  assert.equal(written.length, 1, written.join());
  const drift = repo.read(join(VERSIONS, written[0]!));
  assert.match(drift, /'bio'/);
  assert.doesNotMatch(drift, /'nick'/);
});

test("no drift at HEAD: the hook's output says nothing of it; the first commit of a repo has no HEAD to compare", (t) => {
  const env = envFor("current");
  const clean = exampleRepo();
  t.after(() => clean.cleanup());
  installHook(clean.dir);
  edit(clean, USER_COLUMNS, `${USER_COLUMNS}    nick: Optional[str] = None\n`);
  clean.git("add", CORE);
  const r = commit(clean.dir, env, "feat: nick");
  assert.equal(r.status, 0, r.all);
  assert.doesNotMatch(r.all, /predate|EMIGRAKIT_DRIFT_PREDATES/);
  assert.equal(unreleased(clean.dir).length, 1);

  // A repo whose first commit holds models beyond the released scripts: all of it is this commit's.
  const dir = mkdtempSync(join(tmpdir(), "migrakit-first-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(REPO_ROOT, "examples", "schema-repo"), dir, {
    recursive: true,
    filter: (src) => !src.includes("__pycache__") && !src.endsWith(".egg-info"),
  });
  spawnSync("git", ["init", "-q", "-b", "main"], { cwd: dir });
  installHook(dir);
  const core = join(dir, CORE);
  const text = readFileSync(core, "utf8");
  writeFileSync(core, text.replace(USER_COLUMNS, `${USER_COLUMNS}    nick: Optional[str] = None\n`));
  spawnSync("git", ["add", "-A"], { cwd: dir });
  const initial = commit(dir, env, "feat: schema package");
  assert.equal(initial.status, 0, initial.all);
  assert.doesNotMatch(initial.all, /predate/);
  assert.equal(unreleased(dir).length, 1, initial.all);
});
