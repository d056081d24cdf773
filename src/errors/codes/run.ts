import { show, type Catalogue } from "../catalogue.js";

// The run itself rather than the repo: where its output goes, the shared embedded server other runs use,
// and the hook that cannot find migrakit. Exit 3 (the environment) or 4 (another run holds what is needed).
export const runCodes = {
  EMIGRAKIT_OUTPUT_FAILED: {
    exit: 3,
    title: "The output could not be written",
    message: (d) => `migrakit could not write its output to ${show(d.stream)}: ${show(d.reason)}.`,
    fix: () =>
      "Send the output somewhere with room (a file on a disk that is not full, or a pipe that stays open) and run again.",
  },
  EMIGRAKIT_SERVER_IN_USE: {
    exit: 4,
    title: "Other migrakit runs use the embedded Postgres",
    message: (d) => `The embedded Postgres (${show(d.dataDir)}) is in use by ${show(d.users)}; it was left running.`,
    fix: () =>
      "Wait for those runs to finish and run `migrakit server stop` again (the last run of a CI job stops it by itself).",
  },
  EMIGRAKIT_SERVER_STOPPED: {
    exit: 3,
    title: "The embedded Postgres stopped during the run",
    message: (d) =>
      `The embedded Postgres (${show(d.dataDir)}) stopped while this run used it (${show(d.reason)}); nothing in the repository was changed.`,
    fix: () => "Run the same command again: it starts the embedded Postgres anew.",
  },
  EMIGRAKIT_NOT_INSTALLED: {
    exit: 3,
    title: "The pre-commit hook cannot find migrakit",
    message: () =>
      "The pre-commit hook runs migrakit, but migrakit is not installed in this repository (no node_modules/.bin/migrakit).",
    fix: () =>
      "Run `npm install` (it installs migrakit and the hook), then commit again; to commit without the check this once: `git commit --no-verify`.",
  },
} satisfies Catalogue;
