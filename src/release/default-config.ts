// migrakit's default semantic-release configuration, used by the `release` bin when the repository has none
// of its own. Pure: the caller says which packages there are and whether a GitHub token is present.
import { fromPackageRoot } from "../util/package-root.js";

/** This plugin by path, so the default configuration works without `migrakit` being resolvable from the repo. */
export const PLUGIN_PATH = fromPackageRoot("dist", "release-plugins", "index.js");

export const RELEASE_MESSAGE = "chore(release): ${nextRelease.version} [skip ci]\n\n${nextRelease.notes}";

/** `main` releases; `next`, `beta` and `alpha` publish pre-releases (`-rc.N`, `-beta.N`, `-alpha.N` → PEP 440 rcN, bN, aN). */
export const DEFAULT_BRANCHES = [
  "main",
  { name: "next", prerelease: "rc" },
  { name: "beta", prerelease: true },
  { name: "alpha", prerelease: true },
];

/** What @semantic-release/git commits: the init files, the (renamed) scripts, pyproject.toml and the changelog. */
export function releaseAssets(packages: string[]): string[] {
  return [
    ...packages.flatMap((p) => [`${p}/__init__.py`, `${p}/migrations/versions/*.py`]),
    "pyproject.toml",
    "CHANGELOG.md",
  ];
}

export interface DefaultConfigInput {
  packages: string[];
  /** Include @semantic-release/github (only when GITHUB_TOKEN or GH_TOKEN is set: it needs the network). */
  github: boolean;
  /** Options for the migrakit plugin. */
  pluginOptions?: Record<string, unknown>;
  /**
   * How semantic-release finds this plugin (and logs it): "migrakit/release" where that resolves from the
   * repository, else its path (a repo that runs a migrakit installed elsewhere). Default: the path.
   */
  plugin?: string;
}

/** The name semantic-release logs ("Loaded plugin … from migrakit/release"), when the repo can import it. */
export const PLUGIN_NAME = "migrakit/release";

export function defaultReleaseConfig(input: DefaultConfigInput): Record<string, unknown> {
  const plugins: unknown[] = [
    ["@semantic-release/commit-analyzer", { preset: "conventionalcommits" }],
    ["@semantic-release/release-notes-generator", { preset: "conventionalcommits" }],
    [input.plugin ?? PLUGIN_PATH, input.pluginOptions ?? {}],
    ["@semantic-release/changelog", { changelogFile: "CHANGELOG.md" }],
    ["@semantic-release/git", { assets: releaseAssets(input.packages), message: RELEASE_MESSAGE }],
  ];
  if (input.github) plugins.push("@semantic-release/github");
  return { branches: DEFAULT_BRANCHES, tagFormat: "v${version}", plugins };
}

export const hasGitHubToken = (env: NodeJS.ProcessEnv) => Boolean(env.GITHUB_TOKEN || env.GH_TOKEN);
