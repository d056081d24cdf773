// What semantic-release threw, as migrakit's errors (docs/spec.md §4): the plugin's own EMIGRAKIT_ codes keep
// their exit codes; anything else is EMIGRAKIT_RELEASE_FAILED carrying semantic-release's code and a fix line
// for the codes a schema repo meets (no remote, no push permission, no token). Pure.
import { definition, isErrorCode, MigrakitError, type ExitCode } from "../errors/index.js";

export interface ThrownByRelease {
  code?: unknown;
  message?: unknown;
  details?: unknown;
  semanticRelease?: unknown;
}

/** The fix for each semantic-release (or @semantic-release/github) code, as a step to take. */
const FIXES: Record<string, string> = {
  ENOREPOURL:
    "Add a git remote (`git remote add origin URL`) or pass `--repository-url URL`, then run the release again.",
  ENOGITREPO: "Run the release from the root of a git repository (or pass --cwd DIR).",
  EGITNOPERMISSION:
    "Give the release job push access to the remote (GitHub Actions: `permissions: contents: write` and the `GITHUB_TOKEN` env), check `git push --dry-run origin HEAD` works, then run the release again.",
  ENOGHTOKEN: "Set `GITHUB_TOKEN` (or `GH_TOKEN`) in the release job's environment, then run the release again.",
  EINVALIDGHTOKEN: "Set a valid `GITHUB_TOKEN` with `contents: write` on the repository, then run the release again.",
  EMISMATCHGITHUBURL:
    "Make `repositoryUrl` (or the `origin` remote) the GitHub repository the token belongs to, then run the release again.",
  ERELEASEBRANCHES:
    "Push from a release branch (main, next, beta, alpha) or pass `--branches NAME`, then run the release again.",
  EINVALIDBRANCH: "Fix `branches` in your semantic-release configuration (or --branches), then run the release again.",
  // The release notes' links are built from the repository URL: a remote given as a bare path (`git remote add
  // origin /srv/repo.git`, as one does for a local remote) fails there with Node's ERR_INVALID_URL (issue 17 walk).
  ERR_INVALID_URL:
    "Give the remote as a URL, e.g. `git remote set-url origin file:///abs/path/repo.git` for a local one (or pass `--repository-url URL`), then run the release again.",
  EPLUGINCONF:
    "Fix the plugin's entry in your semantic-release configuration (or remove your .releaserc to use migrakit's), then run the release again.",
};

const GENERIC_FIX =
  "Fix what semantic-release's message says (shown above), then run the release again; `npx release --dry-run --no-ci` tries it without pushing.";
const NO_CODE_FIX =
  "Check the remote is reachable with your credentials (`git ls-remote origin`), then run the release again.";

/** Every error semantic-release threw (it throws an AggregateError-like object with `errors` for several). */
export function releaseErrors(thrown: unknown): ThrownByRelease[] {
  const list = (thrown as { errors?: unknown })?.errors;
  return (Array.isArray(list) ? list : [thrown]).map((e) =>
    e !== null && typeof e === "object" ? (e as ThrownByRelease) : { message: String(e) },
  );
}

/** A migrakit code the plugin threw (already printed by semantic-release), with its catalogue exit code. */
export function migrakitCodeOf(e: ThrownByRelease): { code: string; exit: ExitCode } | null {
  if (typeof e.code !== "string" || !isErrorCode(e.code)) return null;
  return { code: e.code, exit: definition(e.code).exit };
}

/** A failure that is not migrakit's own, as EMIGRAKIT_RELEASE_FAILED: first line of the message only, no stack. */
export function wrapReleaseFailure(e: ThrownByRelease): MigrakitError {
  const srCode = typeof e.code === "string" && e.code ? e.code : null;
  const reason = String(e.message ?? "unknown error")
    .split("\n")[0]!
    .trim();
  const fix = srCode ? (FIXES[srCode] ?? GENERIC_FIX) : NO_CODE_FIX;
  return new MigrakitError("EMIGRAKIT_RELEASE_FAILED", { srCode: srCode ?? "no code", reason, fix });
}
