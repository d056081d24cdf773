// `migrakit init`: set a schema repo up (config, env.py, script template, hook, release config, CI files).
// Reads the repo, plans with src/init/init-plan.ts, writes the plan, then (with --hooks husky, the default) lets
// husky point git at .husky/_; with --hooks pre-commit it writes .pre-commit-config.yaml and leaves git's
// hooks to `pre-commit install` (husky's core.hooksPath would make pre-commit refuse to install).
import type { Command } from "commander";
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "../output/context.js";
import { loadConfig } from "../config/load.js";
import { MigrakitError } from "../errors/index.js";
import { choosePackage, listPackages, readSchemaRepo } from "../model/repo.js";
import { parseInitFile } from "../model/init-file.js";
import { HOOK_RUNNERS, planInit, type Action, type HookRunner, type InitState } from "../init/init-plan.js";
import { print } from "../output/output.js";
import { RELEASE_CONFIG_FILES } from "../release/args.js";
import { fromPackageRoot, migrakitVersion, packageRoot } from "../util/package-root.js";

export interface InitCommandOptions {
  force?: boolean;
  ci?: string;
  hooks?: string;
}

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
    .filter(
      (e) =>
        e.isDirectory() &&
        !e.name.startsWith(".") &&
        e.name !== "node_modules" &&
        existsSync(join(root, e.name, "__init__.py")),
    )
    .map((e) => e.name)
    .filter((name) => name !== "tests" && name !== "docs")
    .sort();
}

async function findPackage(ctx: Context): Promise<string> {
  const config = await loadConfig(ctx);
  const schemaPackages = await listPackages(ctx.cwd, config);
  if (schemaPackages.length > 0 || ctx.packageName === undefined) {
    if (schemaPackages.length > 0) return choosePackage(schemaPackages, ctx.packageName, ctx.cwd);
    const candidates = pythonPackages(ctx.cwd);
    // Not EMIGRAKIT_NO_PACKAGE: its fix is to run `migrakit init`, which is this command.
    if (candidates.length === 0) throw new MigrakitError("EMIGRAKIT_INIT_NO_PACKAGE", { cwd: ctx.cwd });
    return choosePackage(candidates, undefined, ctx.cwd);
  }
  const wanted = ctx.packageName.replace(/\/+$/, "");
  if (!existsSync(join(ctx.cwd, wanted)) || !statSync(join(ctx.cwd, wanted)).isDirectory()) {
    throw new MigrakitError("EMIGRAKIT_UNKNOWN_PACKAGE", {
      package: wanted,
      packages: pythonPackages(ctx.cwd).join(", ") || "(none)",
    });
  }
  return wanted;
}

async function readState(ctx: Context, pkg: string): Promise<InitState> {
  const root = ctx.cwd;
  const config = await loadConfig(ctx);
  // An existing history is adopted where it is (alembic.ini's script_location, the `migrations` key).
  const existing = await readSchemaRepo(root, pkg, config).catch(() => undefined);
  const m = existing?.migrationsDir ?? `${pkg}/migrations`;
  const paths = [
    "package.json",
    "pyproject.toml",
    "setup.py",
    `${pkg}/__init__.py`,
    `${m}/env.py`,
    `${m}/script.py.mako`,
    `${m}/versions/.gitkeep`,
    ".husky/pre-commit",
    ".pre-commit-config.yaml",
    ".releaserc.json",
    ".github/workflows/migrations.yml",
    ".github/workflows/release.yml",
  ];
  const files = Object.fromEntries(paths.map((p) => [p, read(root, p)]));
  const head = existing && existing.graph.heads.length === 1 ? existing.graph.heads[0]! : null;
  const initText = files[`${pkg}/__init__.py`];
  const pkgJson = files["package.json"];
  let releaseConfigSource = RELEASE_CONFIG_FILES.find((f) => existsSync(join(root, f))) ?? null;
  if (!releaseConfigSource && pkgJson && "release" in JSON.parse(pkgJson))
    releaseConfigSource = 'package.json "release"';
  return {
    pkg,
    files,
    init: initText === undefined ? null : parseInitFile(initText),
    head,
    configSource: config.source,
    releaseConfigSource,
    envTemplate: readFileSync(fromPackageRoot("python", "templates", "env.py"), "utf8"),
    hookTemplate: readFileSync(fromPackageRoot("hooks", "pre-commit"), "utf8"),
    migrakitRange: migrakitSpec(),
    migrationsDir: m,
    gitPrefix: gitPrefix(root),
    ...(existing ? { convention: existing.convention } : {}),
    ignored: gitIgnored(root, [`${m}/env.py`, `${m}/script.py.mako`, ".husky/pre-commit"]),
    ...(config.source ? {} : { packages: await listPackages(root, config) }),
  };
}

const NON_REGISTRY_SPEC = /^(file:|git\+|git:|github:|gitlab:|bitbucket:|https?:|[^@/\s]+\/[^@\s]+$)/;

/**
 * The devDependency spec of the migrakit this init runs from, so that `npm install` installs the same one:
 * the tarball, folder or git URL of an `npx <spec>` or a project that installed it so (read from the
 * package.json next to the node_modules it sits in; `file:` made absolute), a checkout's folder, else its
 * version (from the registry).
 */
function migrakitSpec(): string {
  const root = packageRoot();
  const own = { version: migrakitVersion() };
  if (basename(dirname(root)) === "node_modules") {
    const holder = dirname(dirname(root));
    const pkg = read(holder, "package.json");
    const deps = pkg
      ? (JSON.parse(pkg) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> })
      : {};
    const spec = deps.devDependencies?.migrakit ?? deps.dependencies?.migrakit;
    if (spec && NON_REGISTRY_SPEC.test(spec)) {
      const path = spec.startsWith("file:") ? spec.slice(5) : null;
      return path !== null && !isAbsolute(path) ? `file:${resolve(holder, path)}` : spec;
    }
    return `^${own.version}`;
  }
  if (existsSync(join(root, ".git"))) return `file:${root}`;
  return `^${own.version}`;
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

export const name = "init";

export function describe(c: Command): Command {
  return c
    .description("set up a schema repo: config, env.py, script template, pre-commit hook, release config (idempotent)")
    .option("--force", "replace files that exist and differ from migrakit's")
    .option("--ci <provider>", "also write CI workflow files (github)")
    .option(
      "--hooks <runner>",
      "who runs the pre-commit hook: husky (npm), pre-commit (the Python framework) or none",
      "husky",
    );
}

export async function run(opts: InitCommandOptions, ctx: Context): Promise<number> {
  if (opts.ci !== undefined && opts.ci !== "github") {
    throw new MigrakitError("EMIGRAKIT_USAGE", {
      command: "init",
      reason: `--ci ${opts.ci} is not supported (only --ci github).`,
    });
  }
  const hooks = HOOK_RUNNERS.find((h) => h === (opts.hooks ?? "husky"));
  if (!hooks)
    throw new MigrakitError("EMIGRAKIT_USAGE", {
      command: "init",
      reason: `--hooks ${opts.hooks} is not one of ${HOOK_RUNNERS.join(", ")}`,
    });
  const pkg = await findPackage(ctx);
  const state = await readState(ctx, pkg);
  const actions = planInit(state, { force: Boolean(opts.force), ci: opts.ci === "github" ? "github" : null, hooks });
  for (const a of actions) {
    if (a.kind === "skip") continue;
    mkdirSync(dirname(join(ctx.cwd, a.path)), { recursive: true });
    writeFileSync(join(ctx.cwd, a.path), a.content, a.path === ".husky/pre-commit" ? { mode: 0o755 } : undefined);
  }
  report(ctx, pkg, actions, await installHooks(ctx, hooks, state.gitPrefix ?? ""));
  return 0;
}

/** What init did or leaves to do about git's hooks, as one line ("" when husky installed them silently). */
async function installHooks(ctx: Context, hooks: HookRunner, prefix: string): Promise<string> {
  // A project in a subfolder (`backend/`): git's hooks live at the top of the repository.
  const top = prefix ? join(ctx.cwd, ...prefix.split("/").map(() => "..")) : ctx.cwd;
  const git = existsSync(join(top, ".git"));
  if (hooks === "pre-commit")
    return `${git ? "" : "after `git init`: "}run \`pre-commit install\` (and \`npm install\`) to enable the hook`;
  if (hooks === "none") return "none installed: call `npx migrakit hook pre-commit` from your own pre-commit hook";
  return git ? await installHusky(top, ctx.env, prefix) : "not a git repository: run `npx husky` after `git init`";
}

function report(ctx: Context, pkg: string, actions: Action[], hooks: string): void {
  if (ctx.json) {
    print(
      ctx.stdout,
      JSON.stringify(
        {
          ok: true,
          package: pkg,
          actions: actions.map(({ path, kind, why, warning }) => ({
            path,
            kind,
            why,
            ...(warning ? { warning } : {}),
          })),
          hooks: hooks || "installed",
        },
        null,
        2,
      ),
    );
    return;
  }
  const changed = actions.filter((a) => a.kind !== "skip");
  print(ctx.stdout, changed.length ? `migrakit init (${pkg}):` : `migrakit init (${pkg}): nothing to change`);
  for (const a of actions) {
    print(ctx.stdout, `  ${a.kind.padEnd(6)} ${a.path} — ${a.why}`);
    if (a.warning) print(ctx.stderr, `migrakit: warning: ${a.warning}`);
  }
  if (hooks) print(ctx.stdout, `  hooks  ${hooks}`);
  if (changed.some((a) => a.path === "package.json"))
    print(ctx.stdout, "next: run `npm install` to install what package.json now lists");
}
