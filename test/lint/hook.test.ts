// The lint where a developer meets it: removing a column from the ORM makes the hook write a drop_column,
// which the lint blocks (the script is left staged, without a marker, for the developer to review);
// `generate` says the script is destructive and prints the marker line but never writes it; with the marker (or `allowDestructive`)
// the commit passes and the remaining warnings are printed. Real git, real alembic, real Postgres.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { serverForFile } from "../check/dynamic-helpers.js";
import { REPO_ROOT, testPythons } from "../helpers/python.js";

const { pg, cache } = serverForFile();
const python = testPythons()[0]!.python;
const VERSIONS = "lnschema_demo/migrations/versions";
let dir: string;
let cacheHome: string | undefined;
/** Read when a test runs: the server is only there once the file's before-hooks have all run. */
const envOf = (): NodeJS.ProcessEnv => ({
  MIGRAKIT_PYTHON: python,
  MIGRAKIT_DATABASE_URL: pg.adminUrl,
  XDG_CACHE_HOME: (cacheHome ??= cache()),
  CI: "",
  MIGRAKIT_NO_CACHE: "1",
});

const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=Dev", "-c", "user.email=dev@example.com", ...args], {
    cwd: dir,
    encoding: "utf8",
  });
const cli = (...args: string[]) => runCli(args, { cwd: dir, env: envOf(), timeoutMs: 300_000 });
const unreleased = () => readdirSync(join(dir, VERSIONS)).filter((f) => f.endsWith("-vx_x_x.py"));

before(() => {
  dir = mkdtempSync(join(tmpdir(), "migrakit-lint-hook-"));
  cpSync(join(REPO_ROOT, "examples/schema-repo"), dir, { recursive: true, filter: (s) => !s.includes("__pycache__") });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "schema repo at 0.2.0");
  git("tag", "v0.2.0");
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("the hook blocks a generated drop_column and prints the marker line; it writes no marker", () => {
  const core = join(dir, "lnschema_demo/_core.py");
  const text = readFileSync(core, "utf8");
  const without = text.replace("    handle: str = Field(index=True, unique=True)\n", "");
  assert.notEqual(without, text);
  writeFileSync(core, without);
  git("add", "lnschema_demo/_core.py");
  const r = cli("hook", "pre-commit");
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /error EMIGRAKIT_LINT_DESTRUCTIVE: drop-column: drops column core\.user\.handle/);
  assert.ok(r.stderr.includes("# migrakit: allow drop-column core.user.handle — <why it is safe>"), r.stderr);
  const [script] = unreleased();
  assert.ok(script, "the script is written for review");
  assert.ok(
    !readFileSync(join(dir, VERSIONS, script!), "utf8").includes("migrakit: allow"),
    "the hook never writes a marker",
  );
});

test("generate says the script drops a column and prints the marker, without writing it", () => {
  const r = cli("generate");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /destructive: drop-column core\.user\.handle/);
  assert.ok(r.stdout.includes("# migrakit: allow drop-column core.user.handle — <why this is safe>"), r.stdout);
  const [script] = unreleased();
  assert.ok(script);
  assert.ok(
    !readFileSync(join(dir, VERSIONS, script!), "utf8").includes("migrakit: allow"),
    "generate never writes a marker",
  );
});

test("with the marker the hook passes and prints the warnings that remain; a marker without reason is refused", () => {
  const file = join(dir, VERSIONS, unreleased()[0]!);
  const text = readFileSync(file, "utf8");
  writeFileSync(file, text.replace("def upgrade()", "# migrakit: allow drop-column core.user.handle\ndef upgrade()"));
  git("add", "-A");
  const refused = cli("hook", "pre-commit");
  assert.equal(refused.status, 1, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /EMIGRAKIT_LINT_MARKER_INVALID/);
  writeFileSync(
    file,
    text.replace(
      "def upgrade()",
      "# migrakit: allow drop-column core.user.handle — handles moved to core.profile in 0.2\ndef upgrade()",
    ),
  );
  git("add", "-A");
  const r = cli("hook", "pre-commit");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stderr, /EMIGRAKIT_LINT_DESTRUCTIVE/);
  assert.match(r.stderr, /warning EMIGRAKIT_LINT_LOCK: index-not-concurrent: drops index ix_core_user_handle/);
});

test("allowDestructive: true accepts the drop repo-wide; check --json lists the findings with lines", () => {
  const file = join(dir, VERSIONS, unreleased()[0]!);
  writeFileSync(file, readFileSync(file, "utf8").replace(/# migrakit: allow drop-column.*\n/, ""));
  const blocked = cli("check", "--json");
  assert.equal(blocked.status, 1, blocked.stdout + blocked.stderr);
  const doc = JSON.parse(blocked.stdout) as { findings: { code: string; line?: number; file?: string }[] };
  const drop = doc.findings.find((f) => f.code === "EMIGRAKIT_LINT_DESTRUCTIVE");
  assert.ok(drop?.line && drop.file === `${VERSIONS}/${unreleased()[0]}`, JSON.stringify(doc.findings));
  const annotated = runCli(["check"], { cwd: dir, env: { ...envOf(), GITHUB_ACTIONS: "true" }, timeoutMs: 300_000 });
  assert.ok(
    annotated.stdout.includes(
      `::error file=${VERSIONS}/${unreleased()[0]},line=${drop.line},title=EMIGRAKIT_LINT_DESTRUCTIVE::`,
    ),
    annotated.stdout,
  );
  assert.ok(annotated.stdout.includes("::warning file="), annotated.stdout);
  writeFileSync(join(dir, "migrakit.config.json"), JSON.stringify({ allowDestructive: true }));
  const r = cli("check");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(existsSync(join(dir, "migrakit.config.json")));
});
