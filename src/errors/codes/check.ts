import { show, type Catalogue } from "../catalogue.js";

// The dynamic checks of `migrakit check` (real Python, real Postgres). Each is a finding (exit 1): the
// repository's scripts or ORM fail the CI "Build" step. The database's own error is in the message; the
// failing SQL and the repo's frames of the failure (file:line, function, source line) follow as the detail.
export const checkCodes = {
  EMIGRAKIT_REPLAY_FAILED: {
    exit: 1,
    title: "The released scripts do not upgrade an empty database",
    message: (d) =>
      `Upgrading an empty database through the released scripts failed in ${show(d.file)}: ${show(d.error)}`,
    fix: (d) =>
      d.mode === "replay"
        ? 'With `baseline: "replay"` every script must apply from empty. If the history starts from tables `create_all` made (lamin-era repos), set `baseline` to "release" or "auto".'
        : "Fix the script so that it applies from empty, or tag the last release so the release baseline can be used.",
  },
  EMIGRAKIT_NO_RELEASE: {
    exit: 1,
    title: "No release to build the baseline from",
    message: (d) =>
      `The release baseline needs the package as it was at the last release, but there is no git tag v${show(d.version)} (or ${show(d.version)}) and no recent commit without unreleased scripts` +
      (d.shallow === true ? " in this shallow clone" : "") +
      (d.note ? `; and ${show(d.note)}.` : "."),
    // A shallow clone (actions/checkout's default) has the tag upstream: fetching it is the fix, tagging is not.
    fix: (d) =>
      d.shallow === true
        ? "Fetch the history and tags (`git fetch --unshallow --tags`; GitHub Actions: actions/checkout with `fetch-depth: 0`), then run the check again."
        : `Tag the commit of release ${show(d.version)} (git tag v${show(d.version)} <commit>), or set \`baseline\` to "replay" if the history applies from empty.`,
  },
  EMIGRAKIT_RELEASE_BASELINE_FAILED: {
    exit: 1,
    title: "The release's ORM could not be created",
    message: (d) =>
      `Building the baseline from ${show(d.ref)} (create_all of its ORM, stamped with its _migration) failed: ${show(d.error)}`,
    fix: (d) =>
      `Check that the package imports and its tables create at ${show(d.ref)} (git checkout ${show(d.ref)}), or use \`baseline: "replay"\`.`,
  },
  EMIGRAKIT_RELEASE_REVISION_UNKNOWN: {
    exit: 1,
    title: "The release's _migration is not in the chain",
    // Reached when the release was tagged while its script was still unreleased (vx_x_x: release-prepare did
    // not run) and that script was regenerated or deleted since: the static rule lets an unreleased script
    // change, and the release's own scripts stamp its _migration, so only here does the gap show.
    message: (d) =>
      `Release ${show(d.ref)} is at revision "${show(d.revision)}", which no script of the current chain defines (a script unreleased at ${show(d.ref)} was regenerated or deleted since, or the released scripts were changed).`,
    fix: (d) =>
      `Check from a replay of the history instead: set "baseline": "replay" in the migrakit config (migrakit.config.json, or "migrakit" in package.json), so the check no longer starts from ${show(d.ref)}.`,
  },
  EMIGRAKIT_UPGRADE_FAILED: {
    exit: 1,
    title: "An unreleased script does not upgrade the baseline",
    message: (d) => `upgrade() of ${show(d.file)} failed on the ${show(d.baseline)} baseline: ${show(d.error)}`,
    fix: () =>
      "Fix upgrade() so that it applies to the database as the previous scripts leave it (the failing statement is shown below).",
  },
  EMIGRAKIT_ORM_IMPORT_FAILED: {
    exit: 1,
    title: "The schema package (its ORM) fails to import",
    message: (d) => `${show(d.package)} fails to import, at ${show(d.file)}:${show(d.line)}: ${show(d.error)}`,
    fix: (d) =>
      `Fix ${show(d.file)} line ${show(d.line)} (\`python -c "import ${show(d.module)}"\` shows the same error), then run the check again.`,
  },
  EMIGRAKIT_COMPARE_FAILED: {
    exit: 1,
    title: "The ORM could not be compared with the database",
    message: (d) => `Comparing the ORM with the database at head failed: ${show(d.error)}`,
    fix: () =>
      'The package or its env.py raised while loading the models; run `python -c "import <package>"` and fix what it reports.',
  },
  EMIGRAKIT_MODELS_MISMATCH: {
    exit: 1,
    title: "The ORM and the scripts disagree",
    message: (d) =>
      `The database at head differs from the ORM in ${show(d.count)} place${d.count === 1 ? "" : "s"}: ${show(d.summary)}.`,
    fix: (d) =>
      (d.file
        ? `Paste the block below into upgrade() (and downgrade()) of ${show(d.file)}`
        : "Add a new unreleased script with the block below (`migrakit generate` writes it)") +
      (d.imports
        ? `; it needs \`${show(d.imports)}\` at the top (alembic writes sqlmodel types as sqlmodel.…, also where the script imports it as sqm)`
        : "") +
      ".",
  },
  EMIGRAKIT_DOWNGRADE_EMPTY: {
    exit: 1,
    title: "A downgrade does nothing although its upgrade changes the schema",
    message: (d) =>
      `downgrade() of ${show(d.file)} is \`pass\`, but upgrade() changes the schema (below): the script cannot be rolled back.`,
    fix: () =>
      "Write the reverse operations in downgrade() (the models check prints alembic's). It is a warning unless `requireDowngrade` is true.",
  },
  EMIGRAKIT_DOWNGRADE_FAILED: {
    exit: 1,
    title: "A downgrade fails",
    message: (d) => `downgrade() of ${show(d.file)} failed right after its upgrade(): ${show(d.error)}`,
    fix: () => "Make downgrade() undo upgrade() in reverse order (the failing statement is shown below).",
  },
  EMIGRAKIT_DOWNGRADE_INCOMPLETE: {
    exit: 1,
    title: "A downgrade does not restore the schema",
    message: (d) =>
      `After downgrade() of ${show(d.file)} the schema differs from before its upgrade() (- before, + after downgrade):`,
    fix: () => "Make downgrade() undo every operation of upgrade(), in reverse order.",
  },
  EMIGRAKIT_ROUND_TRIP_FAILED: {
    exit: 1,
    title: "An upgrade fails when run again after its downgrade",
    message: (d) => `upgrade() of ${show(d.file)} failed when run again after downgrade(): ${show(d.error)}`,
    fix: () =>
      "downgrade() leaves something behind that upgrade() creates (or removes something it needs): make the two exact opposites.",
  },
  EMIGRAKIT_ROUND_TRIP_MISMATCH: {
    exit: 1,
    title: "Upgrade, downgrade, upgrade gives another schema",
    message: (d) =>
      `Running upgrade() of ${show(d.file)} again after downgrade() gives another schema than the first time (- first, + again):`,
    fix: () =>
      "Make downgrade() restore exactly what upgrade() found, so that the script can be rolled back and applied again.",
  },
} satisfies Catalogue;
