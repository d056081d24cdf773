// The quick paths load one file of ours each (src/commands/quick.ts bundled by scripts/bundle.mjs, or the hook's
// fast.js), the rest of the CLI one other (dist/bundle/cli/cli.js): the real bin, with a module hook that records
// every module Node loads. The two bundles are scripts that dist/bundle/loader.js (src/util/code-cache.ts) runs
// with V8's code cache, not modules: the trace shows the loader, and that no module of ours was loaded besides.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { quickCommand } from "../../src/commands/quick.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { REPO_ROOT, testPythons } from "../helpers/python.js";
import { MIGRAKIT_BIN } from "../helpers/cli.js";
import { ownFolders } from "../helpers/isolation.js";
import { pruneTemplates } from "../../src/db/templates.js";

const BUNDLE = join(REPO_ROOT, "dist", "bundle", "quick", "quick.js");
let work: string;
let pg: TestPostgres;

before(async () => {
  const mtime = (p: string) => statSync(p, { throwIfNoEntry: false })?.mtimeMs;
  // `npm test` builds it (pretest); a bare `tsc -p .` does not, and the bin would then load the unbundled files.
  if ((mtime(BUNDLE) ?? -1) < (mtime(join(REPO_ROOT, "dist", ".tsbuildinfo")) ?? 0))
    execFileSync(process.execPath, [join(REPO_ROOT, "scripts", "bundle.mjs")]);
  assert.ok(
    mtime(BUNDLE),
    `${BUNDLE} is missing: esbuild (a dev dependency) is not installed; run \`npm install\`, then \`npm run build\``,
  );
  work = mkdtempSync(join(tmpdir(), "migrakit-quick-"));
  // At exit, the built-ins the run loaded too (process.moduleLoadList): which of Node's own modules a run pays for.
  writeFileSync(
    join(work, "register.mjs"),
    `import { register } from "node:module";\nimport { appendFileSync } from "node:fs";\nregister(${JSON.stringify(pathToFileURL(join(work, "hooks.mjs")).href)});\nprocess.on("exit", () => appendFileSync(process.env.MIGRAKIT_TEST_TRACE, process.moduleLoadList.map((m) => "builtin:" + m + "\\n").join("")));\n`,
  );
  writeFileSync(
    join(work, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) {\n  if (url.startsWith("file:")) appendFileSync(process.env.MIGRAKIT_TEST_TRACE, url + "\\n");\n  return next(url, context);\n}\n`,
  );
  pg = await startTestPostgres();
});
after(async () => {
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

function repo(): string {
  const dir = mkdtempSync(join(work, "repo-"));
  cpSync(join(REPO_ROOT, "examples", "schema-repo"), dir, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@e", "-c", "commit.gpgsign=false", ...args], {
      cwd: dir,
    });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "init");
  git("tag", "v0.2.0"); // the example's release: the released-scripts rule runs
  return dir;
}

/** Run the bin; the files of this package it loaded, relative to the package root. */
function traced(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const trace = join(work, `trace-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(trace, "");
  const r = spawnSync(
    process.execPath,
    ["--import", pathToFileURL(join(work, "register.mjs")).href, MIGRAKIT_BIN, ...args],
    {
      cwd,
      env: ownFolders({ ...process.env, GITHUB_ACTIONS: "", ...env, MIGRAKIT_TEST_TRACE: trace }, env),
      encoding: "utf8",
    },
  );
  const root = pathToFileURL(REPO_ROOT).href;
  const lines = readFileSync(trace, "utf8").split("\n");
  const loaded = lines.filter((u) => u.startsWith(root)).map((u) => u.slice(root.length));
  // node_modules may be a symlink out of the package (a worktree): its files by the package they belong to.
  const packages = new Set(
    lines.flatMap((u) => {
      const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u.startsWith("file:") ? u : "");
      return m ? [m[1]!] : [];
    }),
  );
  const builtins = lines.filter((l) => l.startsWith("builtin:")).map((l) => l.slice("builtin:".length));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, loaded, packages: [...packages].sort(), builtins };
}

/** Our own files among those loaded (node_modules sits inside the package root in a plain checkout). */
const ours = (loaded: string[]) => loaded.filter((f) => !f.startsWith("node_modules/"));

test("check --static loads the bin and the one bundle, nothing else of ours or of node_modules", () => {
  const r = traced(["check", "--static"], repo());
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /no problems found/i);
  assert.deepEqual(r.loaded, ["bin/migrakit.js", "dist/bundle/loader.js"]);
  assert.deepEqual(r.packages, []);
});

test("release-prepare loads the one bundle, and does the release", () => {
  const dir = repo();
  const dry = traced(["release-prepare", "--version", "0.3.0", "--dry-run"], dir);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /__version__ "0\.2\.0" → "0\.3\.0"/);
  assert.deepEqual(dry.loaded, ["bin/migrakit.js", "dist/bundle/loader.js"]);
  const real = traced(["release-prepare", "--version", "0.3.0"], dir);
  assert.equal(real.status, 0, real.stderr);
  assert.match(readFileSync(join(dir, "lnschema_demo", "__init__.py"), "utf8"), /__version__ = "0\.3\.0"/);
});

test("the hook with nothing relevant staged loads only fast.js", () => {
  const dir = repo();
  writeFileSync(join(dir, "README.md"), "x\n");
  execFileSync("git", ["add", "README.md"], { cwd: dir });
  const r = traced(["hook", "pre-commit"], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.loaded, ["bin/migrakit.js", "dist/src/hook/fast.js"]);
});

test("the result cache's answer loads the one bundle; a miss goes on to the full CLI", () => {
  const dir = repo();
  const env = {
    MIGRAKIT_DATABASE_URL: pg.adminUrl,
    MIGRAKIT_PYTHON: testPythons()[0]!.python,
    XDG_CACHE_HOME: join(work, "cache"),
    CI: "",
    MIGRAKIT_WORKER: "0",
  };
  const first = traced(["check"], dir, env);
  assert.equal(first.status, 0, first.stderr);
  // The miss ran the full check, from the CLI's own bundle (a different one: no object crosses).
  assert.deepEqual(ours(first.loaded), ["bin/migrakit.js", "dist/bundle/loader.js"]);
  // Both bundles ran through the loader: each left its code cache.
  assert.deepEqual(
    readdirSync(join(work, "cache", "migrakit", "code-cache"))
      .map((n) => n.replace(/-[0-9a-f]{8}\.v8$/, ""))
      .sort(),
    ["cli", "quick"],
  );
  const second = traced(["check"], dir, env);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, /answered from the cache/);
  assert.deepEqual(second.loaded, ["bin/migrakit.js", "dist/bundle/loader.js"]);
});

test("a hook run that writes a script loads the quick exit (fast.js), then the CLI bundle: no other module of ours", () => {
  const dir = repo();
  const core = join(dir, "lnschema_demo", "_core.py");
  writeFileSync(
    core,
    readFileSync(core, "utf8").replace(
      "    handle: str = Field(index=True, unique=True)\n",
      "    handle: str = Field(index=True, unique=True)\n    nick: Optional[str] = None\n",
    ),
  );
  execFileSync("git", ["add", "lnschema_demo/_core.py"], { cwd: dir });
  const r = traced(["hook", "pre-commit"], dir, {
    MIGRAKIT_DATABASE_URL: pg.adminUrl,
    MIGRAKIT_PYTHON: testPythons()[0]!.python,
    MIGRAKIT_WORKER: "0",
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /check passed/);
  // The script was written and staged: the bundled hook did the whole job.
  assert.match(
    execFileSync("git", ["diff", "--cached", "--name-only"], { cwd: dir, encoding: "utf8" }),
    /versions\/.*\.py/,
  );
  assert.deepEqual(ours(r.loaded), ["bin/migrakit.js", "dist/src/hook/fast.js", "dist/bundle/loader.js"]);
  // The packages every CLI run needs (commander, pg, …) are in the bundle: only those it leaves out (the SQL
  // parser reads its .wasm next to itself) come from node_modules; and pg's Cloudflare probe no longer loads
  // Node's fetch.
  assert.deepEqual(
    r.packages.filter((p) => !["libpg-query", "semantic-release"].includes(p)),
    [],
  );
  assert.deepEqual(
    r.builtins.filter((m) => m.includes("undici")),
    [],
  );
});

test("which argv a quick path takes (the rest goes to commander)", () => {
  assert.deepEqual(quickCommand(["hook", "pre-commit"], {}), { kind: "hook" });
  assert.deepEqual(quickCommand(["check", "--static", "--json", "--cwd", "r"], {}), {
    kind: "check",
    static: true,
    cwd: "r",
    json: true,
  });
  assert.deepEqual(quickCommand(["check"], {}), { kind: "check", static: false });
  assert.deepEqual(quickCommand(["release-prepare", "--version", "1.0.0", "--dry-run"], {}), {
    kind: "release-prepare",
    version: "1.0.0",
    dryRun: true,
  });
  for (const argv of [["check"], ["check", "--json"]])
    assert.equal(quickCommand(argv, { CI: "true" }), null, "no result cache in CI");
  assert.equal(quickCommand(["check"], { MIGRAKIT_NO_CACHE: "1" }), null);
  for (const argv of [
    ["check", "--no-cache"],
    ["check", "--static", "--static"],
    ["check", "--against", "postgres://x"],
    ["check", "--cwd=r"],
    ["check", "--static", "--help"],
    ["release-prepare"],
    ["release-prepare", "--version"],
    ["release-prepare", "--version", "1.0.0", "extra"],
    ["hook", "pre-commit", "--json"],
    ["generate"],
  ]) {
    assert.equal(quickCommand(argv, {}), null, argv.join(" "));
  }
});
