// The `generate` and `rebase` command lines on real repos, with the real bridge and Postgres: -m, --rename,
// --no-renames, --onto.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { addUnreleasedScript, exampleRepo, type ExampleRepo } from "../helpers/example-repo.js";
import { testPythons } from "../helpers/python.js";
import { serverForFile } from "../check/dynamic-helpers.js";

const { pg, cache } = serverForFile();
const python = testPythons()[0]!.python;
const CORE = "lnschema_demo/_core.py";

function cli(repo: ExampleRepo, args: string[]) {
  const r = runCli(args, {
    cwd: repo.dir,
    env: { MIGRAKIT_PYTHON: python, MIGRAKIT_DATABASE_URL: pg.adminUrl, XDG_CACHE_HOME: cache(), CI: "" },
    timeoutMs: 300_000,
  });
  return { ...r, all: r.stdout + r.stderr };
}
const unreleased = (repo: ExampleRepo) =>
  readdirSync(join(repo.dir, repo.pkg, "migrations", "versions")).filter((f) => f.endsWith("-vx_x_x.py"));
const scriptText = (repo: ExampleRepo) => repo.read(`${repo.pkg}/migrations/versions/${unreleased(repo)[0]}`);
const edit = (repo: ExampleRepo, from: string, to: string) => {
  const text = repo.read(CORE);
  assert.ok(text.includes(from), from);
  repo.write(CORE, text.replace(from, to));
};

test("generate -m: the message goes below the version header, _migration follows; a second run refreshes the same script", (t) => {
  const repo = exampleRepo();
  t.after(() => repo.cleanup());
  edit(
    repo,
    "    handle: str = Field(index=True, unique=True)\n",
    "    handle: str = Field(index=True, unique=True)\n    nick: Optional[str] = None\n",
  );
  const r = cli(repo, ["generate", "-m", "Users get a nickname."]);
  assert.equal(r.status, 0, r.all);
  assert.equal(unreleased(repo).length, 1);
  const text = scriptText(repo);
  assert.ok(text.startsWith('"""vX.X.X.'), text);
  assert.ok(
    text
      .split("\n")
      .slice(0, 5)
      .some((l) => l.includes("Users get a nickname.")),
    text,
  );
  assert.match(text, /add_column\('user', sa\.Column\('nick'/);
  const revision = unreleased(repo)[0]!.split("-")[3]!;
  assert.match(repo.read(`${repo.pkg}/__init__.py`), new RegExp(`_migration = "${revision}"`));
  edit(repo, "    nick: Optional[str] = None\n", "    nick: Optional[str] = None\n    age: Optional[int] = None\n");
  const again = cli(repo, ["generate"]);
  assert.equal(again.status, 0, again.all);
  assert.deepEqual(unreleased(repo), [unreleased(repo)[0]], "still one script");
  assert.match(scriptText(repo), /'age'/);
});

test("generate --rename pairs what is ambiguous; --no-renames keeps drop + add and says so in the script", (t) => {
  const repo = exampleRepo();
  t.after(() => repo.cleanup());
  edit(
    repo,
    "    email: str = Field(index=True, unique=True)\n    handle: str = Field(index=True, unique=True)\n",
    "    contact: str = Field(index=True, unique=True)\n    alias: str = Field(index=True, unique=True)\n",
  );
  // Names alike would pair (email → mail): a true tie needs two columns of the same shape with unrelated names.
  const ambiguous = cli(repo, ["generate"]);
  assert.notEqual(ambiguous.status, 0, ambiguous.all);
  assert.match(ambiguous.all, /EMIGRAKIT_RENAME_AMBIGUOUS/);
  assert.deepEqual(unreleased(repo), [], "nothing written");
  const named = cli(repo, ["generate", "--rename", "user.email=contact", "--rename", "user.handle=alias"]);
  assert.equal(named.status, 0, named.all);
  const text = scriptText(repo);
  assert.ok(
    text.includes('op.alter_column("user", column_name="email", new_column_name="contact", schema="core")'),
    text,
  );
  assert.ok(
    text.includes('op.alter_column("user", column_name="handle", new_column_name="alias", schema="core")'),
    text,
  );
  assert.doesNotMatch(text, /drop_column/);
  // A refresh keeps the renames recorded in the script; --no-renames is for a script written afresh.
  rmSync(join(repo.dir, repo.pkg, "migrations", "versions", unreleased(repo)[0]!));
  repo.git("checkout", "--", `${repo.pkg}/__init__.py`);
  const plain = cli(repo, ["generate", "--no-renames"]);
  assert.equal(plain.status, 0, plain.all);
  const dropped = scriptText(repo);
  assert.match(dropped, /drop_column\('user', 'email'/);
  assert.match(dropped, /add_column\('user', sa\.Column\('contact'/);
  assert.match(dropped, /migrakit: no-renames/);
});

test("rebase --onto: after merging main, the branch's script is re-parented on main's and _migration set to it", (t) => {
  const repo = exampleRepo();
  t.after(() => repo.cleanup());
  repo.git("checkout", "-q", "-b", "feature");
  addUnreleasedScript(repo, "feed00000001", 'op.execute("SELECT 1")');
  repo.git("add", "-A");
  repo.git("commit", "-qm", "feat: branch script");
  repo.git("checkout", "-q", "main");
  const mainScript = addUnreleasedScript(repo, "aa1a00000001", 'op.execute("SELECT 2")');
  repo.git("add", "-A");
  repo.git("commit", "-qm", "feat: main script");
  repo.git("checkout", "-q", "feature");
  // _migration conflicts (both set it): take main's, as one does, and leave the rest to rebase.
  try {
    repo.git("merge", "-q", "--no-edit", "main");
  } catch {
    repo.git("checkout", "--theirs", "--", `${repo.pkg}/__init__.py`);
    repo.git("add", "-A");
    repo.git("commit", "-qm", "merge main");
  }
  const mainRev = mainScript.split("-")[3]!;
  const r = cli(repo, ["rebase", "--onto", "main"]);
  assert.equal(r.status, 0, r.all);
  assert.match(r.all, /re-parented .*feed00000001.* on /);
  const branch = repo.read(`${repo.pkg}/migrations/versions/2023-03-01-feed00000001-vx_x_x.py`);
  assert.match(branch, new RegExp(`down_revision = ['"]${mainRev}['"]`));
  assert.match(repo.read(`${repo.pkg}/__init__.py`), /_migration = "feed00000001"/);
  const nothing = cli(repo, ["rebase", "--onto", "main"]);
  assert.equal(nothing.status, 0, nothing.all);
  assert.match(nothing.all, /nothing to rebase/);
});
