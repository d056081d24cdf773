// docs/ci.md's release-by-hand recipe, run as written, in a repo whose pre-commit hook is migrakit's; and the
// broken recipe it replaces (`git commit -am`), which the hook now refuses instead of writing a new vx_x_x
// script into the release commit; following that refusal's fix (and release-prepare's printed commands) works.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { pruneTemplates } from "../../src/db/templates.js";
import { catalogue } from "../../src/errors/index.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(ROOT, "bin/migrakit.js");
const VENV_SITE = execFileSync(
  join(ROOT, ".venvs/current/bin/python"),
  ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
  { encoding: "utf8" },
).trim();
const PKG = "lnschema_demo";
const VERSIONS = `${PKG}/migrations/versions`;

/** The recipe's one command line, as docs/ci.md prints it. */
function recipeFromDocs(): string {
  const doc = readFileSync(join(ROOT, "docs/ci.md"), "utf8");
  const m = /<!-- recipe: release by hand[^\n]*-->\n```sh\n([^\n]+)\n```/.exec(doc);
  assert.ok(m, "docs/ci.md has the marked recipe");
  return m[1]!;
}

let pg: TestPostgres;
let work: string;
const dirs: string[] = [];

before(async () => {
  pg = await startTestPostgres();
  work = mkdtempSync(join(tmpdir(), "migrakit-recipe-"));
});
after(async () => {
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The example package at 0.2.0 (tagged), migrakit as its hook and as `npx migrakit`, the rename committed. */
function repoWithUnreleasedScript(name: string) {
  const dir = join(work, name);
  dirs.push(dir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MIGRAKIT_DATABASE_URL: pg.adminUrl,
    MIGRAKIT_PYTHON: "",
    VIRTUAL_ENV: "",
    CI: "true",
    GITHUB_ACTIONS: "",
    GIT_AUTHOR_NAME: "Dev",
    GIT_AUTHOR_EMAIL: "dev@example.com",
    GIT_COMMITTER_NAME: "Dev",
    GIT_COMMITTER_EMAIL: "dev@example.com",
  };
  for (const k of ["HUSKY", "MIGRAKIT_SKIP"]) delete env[k];
  const sh = (cmd: string, args: string[]) =>
    spawnSync(cmd, args, { cwd: dir, env, encoding: "utf8", timeout: 600_000 });
  const ok = (cmd: string, args: string[]) => {
    const r = sh(cmd, args);
    assert.equal(r.status, 0, `${cmd} ${args.join(" ")}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  cpSync(join(ROOT, "examples/schema-repo"), dir, { recursive: true });
  writeFileSync(join(dir, ".gitignore"), "node_modules/\n.venv/\n*.egg-info/\n__pycache__/\n");
  ok("git", ["init", "-q", "-b", "main"]);
  // No pip: nothing is installed into it (the stack comes through a .pth, the package as an editable path).
  ok("python3", ["-m", "venv", "--without-pip", ".venv"]);
  const site = ok(".venv/bin/python", ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).trim();
  writeFileSync(join(site, "migrakit-test-stack.pth"), VENV_SITE + "\n");
  writeFileSync(join(site, "__editable__.lnschema_demo-0.2.0.pth"), dir + "\n");
  // `npx migrakit` resolves to this checkout; git runs migrakit's hook.
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules/migrakit"));
  mkdirSync(join(dir, "node_modules/.bin"));
  symlinkSync(BIN, join(dir, "node_modules/.bin/migrakit"));
  writeFileSync(join(dir, ".git/hooks/pre-commit"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" hook pre-commit\n`);
  chmodSync(join(dir, ".git/hooks/pre-commit"), 0o755);
  ok("git", ["add", "-A"]);
  ok("git", ["commit", "-q", "--no-verify", "-m", "chore: schema repo at 0.2.0"]);
  ok("git", ["tag", "v0.2.0"]);
  const core = join(dir, PKG, "_core.py");
  writeFileSync(
    core,
    readFileSync(core, "utf8")
      .replace(
        '    version: str = Field(default="1", primary_key=True)',
        '    v: str = Field(default="1", primary_key=True)',
      )
      .replace('"core.transform.version"', '"core.transform.v"'),
  );
  ok("git", ["add", "-A"]);
  ok("git", ["commit", "-q", "-m", "feat: rename transform.version to v"]);
  const scripts = () =>
    readdirSync(join(dir, VERSIONS))
      .filter((f) => f.endsWith(".py"))
      .sort();
  assert.equal(scripts().filter((f) => f.endsWith("-vx_x_x.py")).length, 1, "the hook wrote the unreleased script");
  return { dir, env, sh, ok, scripts };
}

test("docs/ci.md's release recipe, run as written: one release commit with the renamed script, tagged, check passes", () => {
  const r = repoWithUnreleasedScript("as-written");
  const run = spawnSync("bash", ["-c", `set -e; ${recipeFromDocs()}`], {
    cwd: r.dir,
    env: r.env,
    encoding: "utf8",
    timeout: 600_000,
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.equal(r.ok("git", ["tag", "--points-at", "HEAD"]).trim(), "v1.2.0");
  assert.equal(r.ok("git", ["status", "--porcelain"]), "", "everything the release changed is committed");
  assert.deepEqual(
    r.scripts().filter((f) => /vx_x_x/.test(f)),
    [],
    "no unreleased script in the release",
  );
  assert.ok(r.scripts().some((f) => f.endsWith("-v1_2_0.py")));
  assert.match(r.ok("git", ["show", "HEAD:lnschema_demo/__init__.py"]), /__version__ = "1\.2\.0"/);
  assert.match(
    run.stdout,
    /Record it with:\n {2}git add -A -- .*v1_2_0\.py.*\n {2}git commit -m 'chore\(release\): 1\.2\.0'\n {2}git tag v1\.2\.0/,
  );
  const check = r.sh(process.execPath, [BIN, "check", "--static"]);
  assert.equal(check.status, 0, check.stderr);
});

test("`git commit -am` after release-prepare: the hook refuses (EMIGRAKIT_HOOK_RELEASE_COMMIT); the printed commands then work", () => {
  const r = repoWithUnreleasedScript("commit-am");
  const prepared = r.sh(process.execPath, [BIN, "release-prepare", "--version", "1.2.0"]);
  assert.equal(prepared.status, 0, prepared.stderr);
  const before = r.scripts();
  const am = r.sh("git", ["commit", "-am", "chore(release): 1.2.0"]);
  assert.equal(am.status, catalogue.EMIGRAKIT_HOOK_RELEASE_COMMIT!.exit, am.stdout + am.stderr);
  assert.match(
    am.stderr,
    /EMIGRAKIT_HOOK_RELEASE_COMMIT: This commit changes __version__ of lnschema_demo \(0\.2\.0 → 1\.2\.0\)/,
  );
  assert.deepEqual(r.scripts(), before, "no new vx_x_x script was written");
  // The fix, and release-prepare's own lines, as printed.
  const printed = prepared.stdout
    .split("\n")
    .filter((l) => l.startsWith("  git "))
    .map((l) => l.trim());
  assert.equal(printed.length, 3, prepared.stdout);
  for (const line of printed) {
    const run = spawnSync("bash", ["-c", line], { cwd: r.dir, env: r.env, encoding: "utf8", timeout: 600_000 });
    assert.equal(run.status, 0, `${line}\n${run.stdout}${run.stderr}`);
  }
  assert.equal(r.ok("git", ["status", "--porcelain"]), "");
  assert.equal(r.ok("git", ["tag", "--points-at", "HEAD"]).trim(), "v1.2.0");
  assert.deepEqual(
    r.scripts().filter((f) => /vx_x_x/.test(f)),
    [],
  );
});
