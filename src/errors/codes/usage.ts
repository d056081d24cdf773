import { show, type Catalogue } from "../catalogue.js";

export const usageCodes = {
  EMIGRAKIT_USAGE: {
    exit: 2,
    title: "The command line is not valid",
    message: (d) => `${show(d.reason)}`,
    fix: (d) => `Run \`migrakit ${d.command ? show(d.command) + " " : ""}--help\` to see the accepted arguments.`,
  },
  EMIGRAKIT_CWD_MISSING: {
    exit: 2,
    title: "The working folder does not exist",
    message: (d) => `The folder ${show(d.cwd)} does not exist or is not a folder.`,
    fix: () => "Pass an existing folder with --cwd, or run migrakit from the root of your schema repository.",
  },
  EMIGRAKIT_NO_PACKAGE: {
    exit: 2,
    title: "No schema package found",
    message: (d) => `No folder holding migrations/versions was found under ${show(d.cwd)}.`,
    fix: () =>
      "Run migrakit at the root of a schema repository, set `packages` in the configuration, or run `migrakit init`.",
  },
  EMIGRAKIT_SEVERAL_PACKAGES: {
    exit: 2,
    title: "Several schema packages and none chosen",
    message: (d) => `This repository holds several schema packages (${show(d.packages)}); this command works on one.`,
    fix: (d) => `Pass --package with one of: ${show(d.packages)}.`,
  },
  EMIGRAKIT_INIT_NO_PACKAGE: {
    exit: 2,
    title: "init found no Python package to set up",
    message: (d) =>
      `No Python package (a folder holding __init__.py) was found in ${show(d.cwd)}, so there is nothing for migrakit to set up.`,
    fix: () =>
      "Run init at the root of the repository that holds your schema package (`--cwd DIR`), or create the package first (a folder with `__init__.py` and your SQLModel classes) and run init again.",
  },
  EMIGRAKIT_UNKNOWN_PACKAGE: {
    exit: 2,
    title: "The chosen package is not a schema package",
    message: (d) => `--package ${show(d.package)} names no configured schema package (known: ${show(d.packages)}).`,
    fix: () =>
      "Pass the folder name of a package that holds migrations/versions, or add it to `packages` in the configuration.",
  },
  EMIGRAKIT_VERSIONS_MISSING: {
    exit: 2,
    title: "A configured package has no migrations/versions folder",
    // The folder looked at, not "migrations/versions": `migrations` or alembic.ini may have pointed elsewhere.
    message: (d) =>
      `The package ${show(d.package)} has no versions folder: ${d.folder === undefined ? `${show(d.package)}/migrations/versions` : show(d.folder)} does not exist.`,
    fix: () =>
      "Create it (migrakit init does), or correct `packages`, or `migrations` (the folder holding versions/) in the configuration.",
  },
} satisfies Catalogue;
