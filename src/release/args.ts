// The `release` bin's command line: semantic-release's own options (passed through unchanged in meaning) plus
// migrakit's --cwd and --package. Pure. Mirrors semantic-release's cli.js: list options take several values
// and comma-separated ones; `--no-ci` is `ci: false`.
import { MigrakitError } from "../errors/index.js";

export interface ReleaseArgs {
  cwd?: string;
  packageName?: string;
  help: boolean;
  debug: boolean;
  /** --json: one JSON document on stdout (semantic-release's log goes to stderr). */
  json: boolean;
  /** Options for semantic-release (camelCase, as its API takes them). */
  options: Record<string, unknown>;
}

const LISTS: Record<string, string> = {
  b: "branches",
  branches: "branches",
  p: "plugins",
  plugins: "plugins",
  e: "extends",
  extends: "extends",
  "verify-conditions": "verifyConditions",
  "verify-release": "verifyRelease",
  "generate-notes": "generateNotes",
  prepare: "prepare",
  publish: "publish",
  success: "success",
  fail: "fail",
};
const STRINGS: Record<string, string> = {
  r: "repositoryUrl",
  "repository-url": "repositoryUrl",
  t: "tagFormat",
  "tag-format": "tagFormat",
  "analyze-commits": "analyzeCommits",
};
const BOOLEANS: Record<string, string> = { d: "dryRun", "dry-run": "dryRun", ci: "ci" };

function usage(reason: string): MigrakitError {
  return new MigrakitError("EMIGRAKIT_USAGE", { reason, command: "release" });
}

export function parseReleaseArgs(argv: string[]): ReleaseArgs {
  const out: ReleaseArgs = { help: false, debug: false, json: false, options: {} };
  const lists: Record<string, string[]> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^(--?)([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!m) throw usage(`unexpected argument "${arg}" (the release command takes options only)`);
    const [, dashes, rawName, inline] = m;
    const name = rawName!;
    if (dashes === "-" && name.length !== 1) throw usage(`unknown option "${arg}"`);
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("-")) throw usage(`option "${arg}" needs a value`);
      i++;
      return next;
    };
    if (name === "h" || name === "help") out.help = true;
    else if (name === "debug") out.debug = true;
    else if (name === "json") out.json = true;
    else if (name === "cwd") out.cwd = value();
    else if (name === "package") out.packageName = value();
    else if (name.startsWith("no-") && BOOLEANS[name.slice(3)]) out.options[BOOLEANS[name.slice(3)]!] = false;
    else if (BOOLEANS[name]) out.options[BOOLEANS[name]!] = inline === undefined ? true : inline !== "false";
    else if (STRINGS[name]) out.options[STRINGS[name]!] = value();
    else if (LISTS[name]) {
      const key = LISTS[name]!;
      // Like semantic-release's CLI: values until the next option; a single "false" empties the list.
      const values: string[] = [value()];
      while (inline === undefined && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("-"))
        values.push(argv[++i]!);
      lists[key] = [
        ...(lists[key] ?? []),
        ...values.flatMap((v) =>
          v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ];
    } else throw usage(`unknown option "${arg}"`);
  }
  for (const [key, values] of Object.entries(lists))
    out.options[key] = values.length === 1 && values[0] === "false" ? [] : values;
  return out;
}

/** The files semantic-release reads its configuration from (cosmiconfig's search places for "release"). */
export const RELEASE_CONFIG_FILES = [
  ".releaserc",
  ".releaserc.json",
  ".releaserc.yaml",
  ".releaserc.yml",
  ".releaserc.js",
  ".releaserc.cjs",
  ".releaserc.mjs",
  ".releaserc.ts",
  ".releaserc.cts",
  ".releaserc.mts",
  "release.config.js",
  "release.config.cjs",
  "release.config.mjs",
  "release.config.ts",
  "release.config.cts",
  "release.config.mts",
  ".config/releaserc",
  ".config/releaserc.json",
  ".config/releaserc.yaml",
  ".config/releaserc.yml",
  ".config/releaserc.js",
  ".config/releaserc.cjs",
  ".config/releaserc.mjs",
];

export const RELEASE_HELP = `Usage: release [options]

Runs semantic-release with migrakit's default configuration (conventional commits, the migrakit plugin,
CHANGELOG.md, @semantic-release/git, @semantic-release/github when GITHUB_TOKEN/GH_TOKEN is set), unless the
repository has its own (.releaserc*, release.config.*, or "release" in package.json).

Options (passed to semantic-release):
  -d, --dry-run               show the next version, the release plan and the notes; change nothing
      --no-ci                 run outside CI (semantic-release otherwise forces a dry run there)
  -b, --branches <names...>   branches to release from
  -r, --repository-url <url>  the git repository URL
  -t, --tag-format <format>   the git tag format (default v\${version})
  -p, --plugins <names...>    plugins (replaces the default list)
  -e, --extends <configs...>  shareable configurations
      --debug                 semantic-release's debug output
Options (migrakit):
      --cwd <dir>             the repository root (default: the current folder)
      --package <name>        release only this schema package
      --json                  one JSON document on stdout (the release or the errors); the log goes to stderr
  -h, --help                  this text
`;
