// `migrakit init` as a plan: from what the repository holds now to the list of files to create or update.
// Pure, so that idempotence ("a second run changes nothing") and "never overwrite without --force" are
// properties of one function that tests can read directly.
import { setInitValue } from "../model/init-file.js";
import type { InitFile } from "../model/types.js";
import {
  migrationsWorkflow,
  PRE_COMMIT_CONFIG,
  RELEASE_CONFIG,
  releaseWorkflow,
  SCRIPT_TEMPLATE,
} from "./templates.js";

export interface InitState {
  /** The schema package folder (relative, `/`-separated). */
  pkg: string;
  /** Current texts of the files init may write (undefined = absent). */
  files: Record<string, string | undefined>;
  /** Parsed package __init__.py, when it exists and is readable. */
  init: InitFile | null;
  /** The head revision of the package's scripts (null when there are none). */
  head: string | null;
  /** Where configuration already lives, if anywhere (package.json key, migrakit.config.*, pyproject table). */
  configSource: string | null;
  /** A semantic-release configuration the repo already has (file name or package.json key), if any. */
  releaseConfigSource: string | null;
  /** env.py text to write when the package has none. */
  envTemplate: string;
  /** migrakit's hooks/pre-commit, installed as .husky/pre-commit. */
  hookTemplate: string;
  /** What to add to devDependencies for migrakit: the version or the tarball/URL this init ran from. */
  migrakitRange: string;
  /** Where the package's scripts already are (an adopted history stays there); default `{pkg}/migrations`. */
  migrationsDir?: string;
  /** The convention detected (docs/spec.md §3): alembic for an app's repo; written to the configuration. */
  convention?: "lamin" | "alembic";
  /** The project's folder below the git top (`backend`), when init runs in a subfolder; "" or undefined at the top. */
  gitPrefix?: string;
  /** Paths of those init writes that git ignores (`git check-ignore`): written, but never committed. */
  ignored?: string[];
  /**
   * Every schema package the repo holds when it has no configuration yet (a lamin core and its modules). The
   * configuration init writes names them all: naming only the one adopted would stop the others being checked,
   * and `init --package` could then not adopt them either.
   */
  packages?: string[];
}

/** Which git hook runner calls `migrakit hook pre-commit`: husky (npm), the pre-commit framework, or none. */
export type HookRunner = "husky" | "pre-commit" | "none";
export const HOOK_RUNNERS: readonly HookRunner[] = ["husky", "pre-commit", "none"];

export interface InitOptions {
  force: boolean;
  ci: "github" | null;
  /** Default husky. */
  hooks?: HookRunner;
}

export type Action =
  | { path: string; kind: "create" | "update"; content: string; why: string; warning?: string }
  | { path: string; kind: "skip"; why: string; warning?: string };

const DEV_DEPENDENCIES = (migrakit: string, hooks: HookRunner): Record<string, string> => ({
  migrakit,
  ...(hooks === "husky" ? { husky: "^9.1.7" } : {}),
  "semantic-release": "^24.2.9",
});

/** Create a file, or leave an existing one unless --force (then replace it when it differs). */
function ensureFile(state: InitState, opts: InitOptions, path: string, content: string, what: string): Action | null {
  const current = state.files[path];
  if (current === undefined) return { path, kind: "create", content, why: what };
  if (current === content) return null;
  if (opts.force) return { path, kind: "update", content, why: `${what} (--force)` };
  return { path, kind: "skip", why: `${path} exists and differs from migrakit's; kept (use --force to replace it)` };
}

function packageJsonAction(state: InitState, hooks: HookRunner): Action | null {
  const current = state.files["package.json"];
  const pkg: Record<string, unknown> =
    current === undefined
      ? {
          name: `${state.pkg === "." ? "schema" : state.pkg.split("/").pop()!.replace(/_/g, "-")}-migrations`,
          private: true,
        }
      : JSON.parse(current);
  const before = JSON.stringify(pkg);
  const dev = { ...((pkg.devDependencies as Record<string, string>) ?? {}) };
  for (const [name, range] of Object.entries(DEV_DEPENDENCIES(state.migrakitRange, hooks))) {
    const deps = (pkg.dependencies as Record<string, string> | undefined) ?? {};
    if (!dev[name] && !deps[name]) dev[name] = range;
  }
  pkg.devDependencies = dev;
  if (hooks === "husky") {
    const scripts = { ...((pkg.scripts as Record<string, string>) ?? {}) };
    const husky = huskyCommand(state);
    if (!scripts.prepare) scripts.prepare = husky;
    else if (!/\bhusky\b/.test(scripts.prepare)) scripts.prepare = `${scripts.prepare} && ${husky}`;
    pkg.scripts = scripts;
  }
  // Configuration goes to package.json when it exists (or when there is no pyproject.toml to hold it).
  if (!state.configSource && (current !== undefined || state.files["pyproject.toml"] === undefined))
    pkg.migrakit = configFor(state);
  if (current !== undefined && JSON.stringify(pkg) === before) return null;
  const indent = current?.match(/^[ \t]+(?=")/m)?.[0] ?? "  ";
  const content = JSON.stringify(pkg, null, indent) + "\n";
  const husky = hooks === "husky";
  const deps = `devDependencies (migrakit ${state.migrakitRange}${husky ? ", husky" : ""}, semantic-release)${husky ? " and the husky prepare script" : ""}`;
  return current === undefined
    ? { path: "package.json", kind: "create", content, why: deps }
    : {
        path: "package.json",
        kind: "update",
        content,
        why: deps + (pkg.migrakit && !before.includes('"migrakit":{') ? ", migrakit configuration" : ""),
      };
}

/** husky runs at the git top; a project in a subfolder keeps its hooks there (husky's documented set-up). */
function huskyCommand(state: InitState): string {
  if (!state.gitPrefix) return "husky";
  const up = state.gitPrefix
    .split("/")
    .map(() => "..")
    .join("/");
  return `cd ${up} && husky ${state.gitPrefix}/.husky`;
}

/** The hook: git runs it at the top, so a project in a subfolder changes into it first. */
export function hookText(state: InitState): string {
  if (!state.gitPrefix) return state.hookTemplate;
  // Before anything else: husky's PATH entry node_modules/.bin is relative, so it is backend's after the cd.
  const lines = state.hookTemplate.split("\n");
  const at = lines.findIndex((l) => l.trim() !== "" && !l.startsWith("#"));
  lines.splice(at < 0 ? lines.length : at, 0, `cd ${JSON.stringify(state.gitPrefix)} || exit 1`);
  return lines.join("\n");
}

function pyprojectAction(state: InitState): Action | null {
  const current = state.files["pyproject.toml"];
  if (state.configSource || current === undefined || state.files["package.json"] !== undefined) return null;
  const eol = current.includes("\r\n") ? "\r\n" : "\n";
  const sep = current === "" || current.endsWith(eol + eol) ? "" : current.endsWith(eol) ? eol : eol + eol;
  const lines = Object.entries(configFor(state)).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  return {
    path: "pyproject.toml",
    kind: "update",
    content: `${current}${sep}[tool.migrakit]${eol}${lines.join(eol)}${eol}`,
    why: "migrakit configuration ([tool.migrakit])",
  };
}

/** The configuration init writes: the packages, and the convention when it is not the default. */
function configFor(state: InitState): Record<string, unknown> {
  const packages = state.packages?.includes(state.pkg) ? state.packages : [state.pkg];
  return { packages, ...(state.convention === "alembic" ? { convention: "alembic" } : {}) };
}

function initFileAction(state: InitState): Action | null {
  if (state.convention === "alembic") return null; // an app's repo needs no _migration or __version__
  const path = `${state.pkg}/__init__.py`;
  const current = state.files[path];
  let text = current ?? "";
  if (!state.init?.migration) text = setInitValue(text, "_migration", state.head);
  if (!state.init?.version) text = setInitValue(text, "__version__", "0.0.0");
  if (current === text) return null;
  return {
    path,
    kind: current === undefined ? "create" : "update",
    content: text,
    why: "_migration and __version__ where missing",
  };
}

/** The hook file of the chosen runner: .husky/pre-commit, an entry in .pre-commit-config.yaml, or nothing. */
function hookAction(state: InitState, opts: InitOptions, hooks: HookRunner): Action | null {
  if (hooks === "husky")
    return ensureFile(
      state,
      opts,
      ".husky/pre-commit",
      hookText(state),
      state.gitPrefix ? `the pre-commit hook (husky; cd ${state.gitPrefix} first)` : "the pre-commit hook (husky)",
    );
  if (hooks === "none") return null;
  const current = state.files[".pre-commit-config.yaml"];
  if (current === undefined)
    return {
      path: ".pre-commit-config.yaml",
      kind: "create",
      content: PRE_COMMIT_CONFIG,
      why: "the pre-commit hook (pre-commit framework): run `pre-commit install`",
    };
  if (/migrakit hook pre-commit|id: migrakit\b/.test(current)) return null;
  // Merging into someone's YAML is not safe to do blindly: say what to add instead.
  return {
    path: ".pre-commit-config.yaml",
    kind: "skip",
    why: 'the file exists: add the migrakit hook from docs/ci.md ("The pre-commit framework") to its repos, then run `pre-commit install`',
  };
}

export function planInit(state: InitState, opts: InitOptions): Action[] {
  const m = state.migrationsDir ?? `${state.pkg}/migrations`;
  const hooks = opts.hooks ?? "husky";
  const actions: (Action | null)[] = [
    packageJsonAction(state, hooks),
    pyprojectAction(state),
    initFileAction(state),
    ensureFile(
      state,
      opts,
      `${m}/env.py`,
      state.envTemplate,
      "alembic environment (naming convention, schemas, type comparison, version table)",
    ),
    ensureFile(state, opts, `${m}/script.py.mako`, SCRIPT_TEMPLATE, 'script template with the """vX.X.X.""" header'),
    state.files[`${m}/versions/.gitkeep`] === undefined && !state.head
      ? { path: `${m}/versions/.gitkeep`, kind: "create", content: "", why: "the versions folder" }
      : null,
    hookAction(state, opts, hooks),
    state.releaseConfigSource && state.releaseConfigSource !== ".releaserc.json"
      ? {
          path: ".releaserc.json",
          kind: "skip",
          why: `the repo already configures semantic-release in ${state.releaseConfigSource}; add "migrakit/release" to its plugins`,
        }
      : ensureFile(
          state,
          opts,
          ".releaserc.json",
          RELEASE_CONFIG,
          "semantic-release with migrakit's default configuration",
        ),
  ];
  if (opts.ci === "github") {
    const pythonInstall =
      state.files["pyproject.toml"] !== undefined || state.files["setup.py"] !== undefined
        ? "pip install -e . alembic psycopg2-binary"
        : "pip install alembic sqlmodel psycopg2-binary";
    actions.push(
      ensureFile(
        state,
        opts,
        ".github/workflows/migrations.yml",
        migrationsWorkflow({ pythonInstall }),
        "CI: migrakit check on pull requests",
      ),
    );
    actions.push(
      ensureFile(state, opts, ".github/workflows/release.yml", releaseWorkflow(), "CI: release on push to main"),
    );
  }
  return actions.filter((a): a is Action => a !== null).map((a) => withIgnoredWarning(state, a));
}

/** lamin's repos ignored migrations/env.py: the hook and CI then run another env.py than the developer's. */
function withIgnoredWarning(state: InitState, a: Action): Action {
  if (!state.ignored?.includes(a.path)) return a;
  return {
    ...a,
    warning: `git ignores ${a.path}, so it is never committed and CI runs without it; remove its line from .gitignore (\`git check-ignore -v ${a.path}\` names it)`,
  };
}
