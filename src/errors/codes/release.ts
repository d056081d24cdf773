import { show, type Catalogue } from "../catalogue.js";

// The release step: versions, renames, the semantic-release plugin.
export const releaseCodes = {
  EMIGRAKIT_VERSION_UNMAPPABLE: {
    exit: 2,
    title: "A release version has no PEP 440 form",
    message: (d) =>
      `Version "${show(d.version)}" cannot be written as a PEP 440 version${d.reason ? `: ${show(d.reason)}` : ""}.`,
    fix: () => "Use pre-release channels named rc, alpha, beta or dev (1.2.0-rc.3), or configure `prereleaseMap`.",
  },
  EMIGRAKIT_RELEASE_VERSION_BEHIND: {
    exit: 2,
    title: "The release version is older than __version__",
    message: (d) => `Releasing ${show(d.version)} would lower __version__ from ${show(d.current)} (${show(d.file)}).`,
    fix: () => "Release a newer version, or tag the release that __version__ names so semantic-release counts from it.",
  },
  EMIGRAKIT_RELEASE_APPLY_FAILED: {
    exit: 3,
    title: "Writing the release failed; every file was put back",
    message: (d) => `The release step failed at ${show(d.file)}: ${show(d.reason)}. Every file was restored as it was.`,
    fix: () => "Fix the cause (disk space, permissions, a file held open) and run the release again.",
  },
  EMIGRAKIT_RELEASE_JOURNAL_UNREADABLE: {
    exit: 3,
    title: "The journal of an interrupted release cannot be read",
    message: (d) => `${show(d.file)} exists but cannot be read: ${show(d.reason)}.`,
    fix: (d) =>
      `Check the working tree with \`git status\`, restore it (\`git checkout -- .\`) if needed, then delete ${show(d.file)}.`,
  },
  EMIGRAKIT_RELEASE_JOURNAL_STALE: {
    exit: 2,
    title: "The journal of an interrupted release no longer matches the files",
    message: (d) =>
      `A release of ${show(d.version)} was interrupted, but ${show(d.file)} ${show(d.state)}: replaying the journal (${show(d.journal)}) would overwrite that work, so nothing was touched.`,
    fix: (d) =>
      `Check the tree with \`git status\` and \`git diff\` and keep what you want, then discard the journal (rm '${show(d.journal)}') and run the release again.`,
  },
  EMIGRAKIT_RELEASE_PENDING: {
    exit: 1,
    title: "A release was interrupted and its journal is pending",
    message: (d) =>
      `A release of ${show(d.version)} was interrupted (journal ${show(d.journal)}); ${d.stale ? `${show(d.stale)}, so it cannot be finished from the journal` : "the files are half released"}.`,
    fix: (d) =>
      d.stale
        ? `Check the tree with \`git status\` and \`git diff\` and keep what you want, then discard the journal: rm '${show(d.journal)}'.`
        : `Finish it: \`npx migrakit release-prepare --version ${show(d.version)}\` (or run another version's release, which undoes it first). Do not delete either copy of a script by hand.`,
  },
  EMIGRAKIT_RELEASE_INTERRUPTED: {
    exit: 2,
    title: "An interrupted release is pending",
    message: (d) =>
      `A release of ${show(d.version)} was interrupted (journal ${show(d.file)}); a dry run does not touch files, so it cannot finish it.`,
    fix: (d) =>
      `Run the release again without --dry-run, or \`npx migrakit release-prepare --version ${show(d.version)}\` to finish it.`,
  },
  EMIGRAKIT_RELEASE_PLUGIN_OPTION: {
    exit: 2,
    title: "An option of the migrakit release plugin is invalid",
    message: (d) =>
      `The release plugin option \`${show(d.option)}\` is ${show(d.value)}, but it must be ${show(d.expected)}.`,
    fix: (d) =>
      `Fix \`${show(d.option)}\` in the ["migrakit/release", {…}] entry of your semantic-release configuration.`,
  },
  EMIGRAKIT_RELEASE_TAG_EXISTS: {
    exit: 1,
    title: "The version to release is already tagged, and commits have landed since",
    message: (d) =>
      `${show(d.version)} is already released (tag ${show(d.tag)}), and HEAD has ${show(d.commits)} commit(s) since: this would be a second, different ${show(d.version)}.`,
    fix: () =>
      "Release a version that has no tag yet (`git tag --list` shows the taken ones), e.g. the next patch release.",
  },
  EMIGRAKIT_RELEASE_FAILED: {
    exit: 1,
    title: "semantic-release failed",
    message: (d) => `semantic-release failed (${show(d.srCode)}): ${show(d.reason)}`,
    fix: (d) =>
      d.fix ? show(d.fix) : "Fix what semantic-release's message says (shown above), then run the release again.",
  },
} satisfies Catalogue;
