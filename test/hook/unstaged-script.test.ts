// The hook never touches unstaged work: when the unreleased script it must refresh has unstaged changes, it
// stops with EMIGRAKIT_HOOK_UNSTAGED_SCRIPT before writing anything, and following the fix line (stage the
// script) gets past that stop with the user's edit kept. Real git index, real bridge and Postgres.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { exampleRepo, type ExampleRepo } from "../helpers/example-repo.js";
import { testPythons } from "../helpers/python.js";
import { serverForFile } from "../check/dynamic-helpers.js";

const { pg, cache } = serverForFile();
const python = testPythons()[0]!.python;
const CORE = "lnschema_demo/_core.py";

function hook(repo: ExampleRepo) {
  const r = runCli(["hook", "pre-commit"], {
    cwd: repo.dir,
    env: { MIGRAKIT_PYTHON: python, MIGRAKIT_DATABASE_URL: pg.adminUrl, XDG_CACHE_HOME: cache(), CI: "true" },
    timeoutMs: 300_000,
  });
  return { ...r, all: r.stdout + r.stderr };
}
const edit = (repo: ExampleRepo, from: string, to: string) => {
  const text = repo.read(CORE);
  assert.ok(text.includes(from), from);
  repo.write(CORE, text.replace(from, to));
  repo.git("add", CORE);
};

test("an unreleased script with unstaged changes stops the hook untouched; staging it (the fix) gets past the stop", (t) => {
  const repo = exampleRepo();
  t.after(() => repo.cleanup());
  edit(
    repo,
    "    handle: str = Field(index=True, unique=True)\n",
    "    handle: str = Field(index=True, unique=True)\n    nick: Optional[str] = None\n",
  );
  const first = hook(repo);
  assert.equal(first.status, 0, first.all);
  const versions = `${repo.pkg}/migrations/versions`;
  const [name] = readdirSync(join(repo.dir, versions)).filter((f) => f.endsWith("-vx_x_x.py"));
  assert.ok(name, "the hook wrote the unreleased script");
  const script = `${versions}/${name}`;
  repo.git("commit", "-qm", "feat: user nick");

  // The user notes something in the script (unstaged) and stages a second ORM change the script must take.
  const noted = `${repo.read(script)}\n# reviewer: check the nick length before the release\n`;
  repo.write(script, noted);
  edit(repo, "    nick: Optional[str] = None\n", "    nick: Optional[str] = None\n    age: Optional[int] = None\n");
  const indexBefore = repo.git("show", `:${script}`);
  const stopped = hook(repo);
  assert.equal(stopped.status, 1, stopped.all);
  assert.match(stopped.all, /EMIGRAKIT_HOOK_UNSTAGED_SCRIPT/);
  assert.match(stopped.all, /Stage the script \(git add\)/);
  assert.equal(repo.read(script), noted, "the unstaged edit is kept as it was");
  assert.equal(repo.git("show", `:${script}`), indexBefore, "the index entry is untouched");

  // The fix: stage the script. The hook then treats it as the user's (hand-edited) script, never as unstaged.
  repo.git("add", script);
  const after = hook(repo);
  assert.doesNotMatch(after.all, /EMIGRAKIT_HOOK_UNSTAGED_SCRIPT/);
  assert.ok(repo.read(script).includes("# reviewer: check the nick length"), "the user's note survives");
});
