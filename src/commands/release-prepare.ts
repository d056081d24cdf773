// `migrakit release-prepare --version V [--dry-run]`: the release step without semantic-release — the same
// plan and the same journaled apply as the plugin's prepare. A release interrupted earlier is finished first
// (same version) or undone (another version), so running the command again always ends in a clean state.
import type { Command } from "commander";
import type { Context } from "../output/context.js";
import { applyReleasePlan, pendingRelease, recoverRelease } from "../release/apply.js";
import { loadRelease, makePlan, releaseFindings } from "../release/load.js";
import { changedPaths, formatPlan } from "../release/release-plan.js";
import { releaseVersion } from "../release/version.js";
import { releaseGitCommands } from "../release/git-commands.js";
import { loadConfig } from "../config/load.js";
import { MigrakitError } from "../errors/index.js";
import { git } from "../util/git.js";
import { firstTag } from "../util/git-refs.js";
import { print, reportFindings } from "../output/output.js";

export interface ReleasePrepareOptions {
  version: string;
  dryRun?: boolean;
}

export const name = "release-prepare";

export function describe(c: Command): Command {
  return c
    .description(
      "the release step by hand: bump __version__, rename vx_x_x scripts, rewrite their headers (all-or-nothing)",
    )
    .requiredOption("--version <version>", "the release version: semver (1.2.0-rc.3) or PEP 440 (1.2.0rc3)")
    .option("--dry-run", "print the plan; change nothing");
}

/**
 * A version whose tag exists is released already: re-running on the tagged commit itself is the usual no-op
 * (re-runnable releases), but with commits since the tag it would make a second, different release.
 */
async function refuseSecondRelease(
  cwd: string,
  env: NodeJS.ProcessEnv,
  v: { pep440: string; semver: string | null },
): Promise<void> {
  const tags = [...new Set([v.semver, v.pep440].filter((x): x is string => x !== null).flatMap((x) => [`v${x}`, x]))];
  // The usual case, a version not tagged yet, is read from .git without a git process per candidate tag.
  if (firstTag(cwd, tags, env) === undefined) return;
  for (const tag of tags) {
    const at = await git(["rev-parse", "-q", "--verify", `refs/tags/${tag}^{commit}`], { cwd, env }).catch(() => "");
    if (!at.trim()) continue;
    const commits = Number(
      (await git(["rev-list", "--count", `${at.trim()}..HEAD`], { cwd, env }).catch(() => "0")).trim(),
    );
    if (commits > 0) throw new MigrakitError("EMIGRAKIT_RELEASE_TAG_EXISTS", { version: v.pep440, tag, commits });
    return;
  }
}

export async function run(opts: ReleasePrepareOptions, ctx: Context): Promise<number> {
  const { cwd, env } = ctx;
  const inputs = { cwd, env, packageName: ctx.packageName };
  const config = await loadConfig({ cwd, env });
  const target = releaseVersion(opts.version, config.prereleaseMap).pep440;
  const pending = await pendingRelease({ cwd, env });
  if (pending && opts.dryRun) throw new MigrakitError("EMIGRAKIT_RELEASE_INTERRUPTED", pending);
  if (pending) {
    const r = await recoverRelease({ cwd, env, direction: (v) => (v === target ? "forward" : "back") });
    if (r && !ctx.json)
      print(
        ctx.stderr,
        `migrakit: an interrupted release of ${r.version} was ${r.direction === "forward" ? "finished" : "undone"} from its journal.`,
      );
  }
  const loaded = await loadRelease(inputs, config);
  await refuseSecondRelease(cwd, env, releaseVersion(opts.version, config.prereleaseMap));
  const findings = await releaseFindings(loaded, env, target);
  if (findings.length > 0) {
    reportFindings(ctx, findings, { packages: loaded.repos.map((r) => r.package) });
    return 1;
  }
  const plan = await makePlan(loaded, inputs, opts.version);
  const summary = {
    version: plan.version.pep440,
    semver: plan.version.semver,
    dryRun: Boolean(opts.dryRun),
    changes: plan.changes.map((c) => ({ kind: c.kind, from: c.from, to: c.to, describe: c.describe })),
    scripts: plan.scripts,
    changed: changedPaths(plan),
    git: releaseGitCommands(plan),
  };
  if (!ctx.json)
    print(
      ctx.stdout,
      `migrakit: ${opts.dryRun ? "would apply (dry run, nothing changed)" : "applying"}:\n${formatPlan(plan)}`,
    );
  if (!opts.dryRun) await applyReleasePlan(plan, { cwd, env });
  if (ctx.json) print(ctx.stdout, JSON.stringify({ ok: true, ...summary }, null, 2));
  else if (!opts.dryRun) {
    print(
      ctx.stdout,
      `migrakit: released ${plan.version.pep440}: ${summary.changed.length} file(s) changed. Record it with:`,
    );
    for (const line of summary.git) print(ctx.stdout, `  ${line}`);
  }
  return 0;
}
