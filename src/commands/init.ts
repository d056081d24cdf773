// `migrakit init`: set a schema repo up (config, env.py, script template, hook, release config, CI files).
// Reads the repo, plans with src/init/plan.ts, writes the plan, then lets husky point git at .husky/_.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "../output/context.js";
import { loadConfig } from "../config/load.js";
import { MigrakitError } from "../errors/index.js";
import { choosePackage, listPackages, readSchemaRepo } from "../model/repo.js";
import { parseInitFile } from "../model/init-file.js";
import { planInit, type Action, type InitState } from "../init/plan.js";
import { print } from "../output/output.js";

export interface InitCommandOptions {
  force?: boolean;
  ci?: string;
}

const ROOT = new URL("../../../", import.meta.url);
const RELEASE_CONFIG_FILES = [".releaserc", ".releaserc.json", ".releaserc.yaml", ".releaserc.yml", ".releaserc.js", ".releaserc.cjs", ".releaserc.mjs", "release.config.js", "release.config.cjs", "release.config.mjs"];

function read(root: string, rel: string): string | undefined {
  try {
    return readFileSync(join(root, rel), "utf8");
  } catch {
    return undefined;
  }
}

/** Top-level Python packages (folders with __init__.py), for a repo that has no migrations folder yet. */
function pythonPackages(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules" && existsSync(join(root, e.name, "__init__.py")))
    .map((e) => e.name)
    .filter((name) => name !== "tests" && name !== "docs")
    .sort();
}

async function findPackage(ctx: Context): Promise<string> {
  const config = await loadConfig(ctx);
  const schemaPackages = await listPackages(ctx.cwd, config);
  if (schemaPackages.length > 0 || ctx.packageName === undefined) {
    if (schemaPackages.length > 0) return choosePackage(schemaPackages, ctx.packageName, ctx.cwd);
    return choosePackage(pythonPackages(ctx.cwd), undefined, ctx.cwd);
  }
  const wanted = ctx.packageName.replace(/\/+$/, "");
  if (!existsSync(join(ctx.cwd, wanted)) || !statSync(join(ctx.cwd, wanted)).isDirectory()) {
    throw new MigrakitError("EMIGRAKIT_UNKNOWN_PACKAGE", { package: wanted, packages: pythonPackages(ctx.cwd).join(", ") || "(none)" });
  }
  return wanted;
}

async function readState(ctx: Context, pkg: string): Promise<InitState> {
  const root = ctx.cwd;
  const config = await loadConfig(ctx);
  // An existing history is adopted where it is (alembic.ini's script_location, the `migrations` key).
  const existing = await readSchemaRepo(root, pkg, config).catch(() => undefined);
  const m = existing?.migrationsDir ?? `${pkg}/migrations`;
  const paths = ["package.json", "pyproject.toml", "setup.py", `${pkg}/__init__.py`, `${m}/env.py`, `${m}/script.py.mako`, `${m}/versions/.gitkeep`, ".husky/pre-commit", ".releaserc.json", ".github/workflows/migrations.yml", ".github/workflows/release.yml"];
  const files = Object.fromEntries(paths.map((p) => [p, read(root, p)]));
  const head = existing && existing.graph.heads.length === 1 ? existing.graph.heads[0]! : null;
  const initText = files[`${pkg}/__init__.py`];
  const pkgJson = files["package.json"];
  let releaseConfigSource = RELEASE_CONFIG_FILES.find((f) => existsSync(join(root, f))) ?? null;
  if (!releaseConfigSource && pkgJson && "release" in JSON.parse(pkgJson)) releaseConfigSource = 'package.json "release"';
  const own = JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8")) as { version: string };
  return {
    pkg,
    files,
    init: initText === undefined ? null : parseInitFile(initText),
    head,
    configSource: config.source,
    releaseConfigSource,
    envTemplate: readFileSync(new URL("python/templates/env.py", ROOT), "utf8"),
    hookTemplate: readFileSync(new URL("hooks/pre-commit", ROOT), "utf8"),
    migrakitRange: `^${own.version}`,
    migrationsDir: m,
    gitPrefix: gitPrefix(root),
    ...(existing ? { convention: existing.convention } : {}),
    ignored: gitIgnored(root, [`${m}/env.py`, `${m}/script.py.mako`, ".husky/pre-commit"]),
  };
}

/** The folder below the git top init runs in (`backend`), "" at the top or outside a repository. */
function gitPrefix(cwd: string): string {
  const r = spawnSync("git", ["rev-parse", "--show-prefix"], { cwd, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim().replace(/\/+$/, "") : "";
}

/** Which of `paths` git ignores and does not track (none outside a git repository). */
function gitIgnored(cwd: string, paths: string[]): string[] {
  const r = spawnSync("git", ["check-ignore", "--", ...paths], { cwd, encoding: "utf8" });
  return r.status === 0 ? r.stdout.split("\n").filter(Boolean) : [];
}

/** husky v9's own installer (core.hooksPath = .husky/_), run in the repo: it works on the process's folder. */
function installHusky(cwd: string, env: NodeJS.ProcessEnv, prefix = ""): Promise<string> {
  const husky = pathToFileURL(createRequire(import.meta.url).resolve("husky")).href;
  // In a subfolder project husky runs at the top with the project's hooks folder (`husky backend/.husky`).
  const dir = prefix ? JSON.stringify(`${prefix}/.husky`) : "";
  const script = `import(${JSON.stringify(husky)}).then((m) => { const r = m.default(${dir}); if (r) console.log(r); })`;
  return new Promise((resolve) => {
    execFile(process.execPath, ["--input-type=module", "-e", script], { cwd, env }, (error, stdout, stderr) => {
      resolve(error ? `husky could not be installed: ${stderr.trim() || error.message}` : stdout.trim());
    });
  });
}

export async function run(opts: InitCommandOptions, ctx: Context): Promise<number> {
  if (opts.ci !== undefined && opts.ci !== "github") {
    throw new MigrakitError("EMIGRAKIT_USAGE", { command: "init", reason: `--ci ${opts.ci} is not supported (only --ci github).` });
  }
  const pkg = await findPackage(ctx);
  const state = await readState(ctx, pkg);
  const actions = planInit(state, { force: Boolean(opts.force), ci: opts.ci === "github" ? "github" : null });
  for (const a of actions) {
    if (a.kind === "skip") continue;
    mkdirSync(dirname(join(ctx.cwd, a.path)), { recursive: true });
    writeFileSync(join(ctx.cwd, a.path), a.content, a.path === ".husky/pre-commit" ? { mode: 0o755 } : undefined);
  }
  const prefix = state.gitPrefix ?? "";
  const top = prefix ? join(ctx.cwd, ...prefix.split("/").map(() => "..")) : ctx.cwd;
  const hooks = existsSync(join(top, ".git")) ? await installHusky(top, ctx.env, prefix) : "not a git repository: run `npx husky` after `git init`";
  report(ctx, pkg, actions, hooks);
  return 0;
}

function report(ctx: Context, pkg: string, actions: Action[], hooks: string): void {
  if (ctx.json) {
    print(ctx.stdout, JSON.stringify({ ok: true, package: pkg, actions: actions.map(({ path, kind, why, warning }) => ({ path, kind, why, ...(warning ? { warning } : {}) })), hooks: hooks || "installed" }, null, 2));
    return;
  }
  const changed = actions.filter((a) => a.kind !== "skip");
  print(ctx.stdout, changed.length ? `migrakit init (${pkg}):` : `migrakit init (${pkg}): nothing to change`);
  for (const a of actions) {
    print(ctx.stdout, `  ${a.kind.padEnd(6)} ${a.path} — ${a.why}`);
    if (a.warning) print(ctx.stderr, `migrakit: warning: ${a.warning}`);
  }
  if (hooks) print(ctx.stdout, `  hooks  ${hooks}`);
  if (changed.some((a) => a.path === "package.json")) print(ctx.stdout, "next: run `npm install` to install migrakit, husky and semantic-release");
}
