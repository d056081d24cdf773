import { show, type Catalogue } from "../catalogue.js";

// The static rules of docs/spec.md §1. Each is a finding of `check` (exit 1): the repository breaks a convention.
export const staticCodes = {
  EMIGRAKIT_INIT_MISSING: {
    exit: 1,
    title: "The package has no __init__.py",
    message: (d) => `${show(d.package)} has no __init__.py, so migrakit cannot read _migration and __version__.`,
    fix: (d) =>
      `Create ${show(d.package)}/__init__.py with \`_migration = None\` and \`__version__ = "0.0.0"\` (or run \`migrakit init\`).`,
  },
  EMIGRAKIT_INIT_UNREADABLE: {
    exit: 1,
    title: "__init__.py cannot be read",
    message: (d) => `${show(d.file)} cannot be read: ${show(d.reason)}.`,
    fix: () => "Save the file as UTF-8 with valid Python syntax.",
  },
  EMIGRAKIT_INIT_VALUE_UNREADABLE: {
    exit: 1,
    title: "A value in __init__.py is not a plain literal",
    message: (d) => `\`${show(d.name)}\` is assigned something other than a string literal (or None).`,
    fix: (d) =>
      `Write it as a literal, e.g. \`${show(d.name)} = "…"\`: tools (and migrakit) read it without running Python.`,
  },
  EMIGRAKIT_VERSION_MISSING: {
    exit: 1,
    title: "__version__ is missing",
    message: (d) => `${show(d.file)} does not assign \`__version__\`.`,
    fix: () =>
      'Add `__version__ = "0.0.0"` (PEP 440) to the package\'s __init__.py, or a static `version = "0.0.0"` to the [project] (or [tool.poetry]) table of pyproject.toml.',
  },
  EMIGRAKIT_VERSION_INVALID: {
    exit: 1,
    title: "__version__ is not a PEP 440 version",
    message: (d) =>
      `${d.source ? show(d.source) : "__version__"} is "${show(d.version)}", which is not a PEP 440 version.`,
    fix: () => 'Use a PEP 440 version such as "1.2.0", "1.2.0rc3" or "0.30a1".',
  },
  EMIGRAKIT_MIGRATION_MISSING: {
    exit: 1,
    title: "_migration is missing",
    message: (d) => `${show(d.file)} does not assign \`_migration\` although the package has scripts.`,
    fix: (d) => `Add \`_migration = "${show(d.head)}"\` (the head revision) to the package's __init__.py.`,
  },
  EMIGRAKIT_MIGRATION_MISMATCH: {
    exit: 1,
    title: "_migration is not the head revision",
    message: (d) =>
      `_migration is ${d.migration === null ? "None" : `"${show(d.migration)}"`}, but the head revision is ${d.head === null ? "none (no scripts)" : `"${show(d.head)}"`}.`,
    fix: (d) =>
      d.head === null
        ? "Set `_migration = None` in the package's __init__.py."
        : `Set \`_migration = "${show(d.head)}"\` in the package's __init__.py.`,
  },
  EMIGRAKIT_SCHEMA_ID_INVALID: {
    exit: 1,
    title: "_schema_id is not usable in a table name",
    message: (d) => `_schema_id is "${show(d.schemaId)}"; the version table would be "migration_${show(d.schemaId)}".`,
    fix: () => "Use lower-case letters, digits and underscores only.",
  },
  EMIGRAKIT_SCRIPT_NOT_A_FILE: {
    exit: 1,
    title: "An entry named like a script is not a file",
    message: (d) => `${show(d.file)} is ${show(d.kind)}, not a script file, and alembic loads every *.py in versions/.`,
    fix: (d) => `Remove ${show(d.file)} (git rm -r if it is tracked), or rename it so its name does not end in .py.`,
  },
  EMIGRAKIT_SCRIPT_NOT_UTF8: {
    exit: 1,
    title: "A script is not UTF-8",
    message: () => "The script is not valid UTF-8.",
    fix: () => "Re-save the file as UTF-8 (Python 3 reads source as UTF-8).",
  },
  EMIGRAKIT_SCRIPT_TRANSACTION_CONTROL: {
    exit: 1,
    title: "A script controls the transaction itself",
    message: (d) =>
      `The script runs ${show(d.what)}: what ran before it is committed on its own, so a later failure leaves the instance half migrated instead of rolled back.`,
    fix: () =>
      "Remove it. For statements Postgres refuses inside a transaction (CREATE INDEX CONCURRENTLY), put them alone in a script that declares `migrakit_transaction = False` (docs/operators.md).",
  },
  EMIGRAKIT_SCRIPT_SYNTAX: {
    exit: 1,
    title: "A script has a Python syntax error",
    message: (d) => `Python syntax error: ${show(d.reason)}.`,
    fix: () => "Fix the syntax; alembic cannot import the script as it is.",
  },
  EMIGRAKIT_SCRIPT_NAME: {
    exit: 1,
    title: "A script is not named {YYYY-MM-DD}-{revision}-{slug}.py",
    message: (d) =>
      `"${show(d.name)}" is a legacy name, and legacy names are accepted only before every unreleased script.`,
    fix: (d) => `Rename it to ${show(d.suggestion)}.`,
  },
  EMIGRAKIT_SCRIPT_DATE: {
    exit: 1,
    title: "The date in a script name is not a real date",
    message: (d) => `"${show(d.date)}" in the file name is not a valid calendar date.`,
    fix: () => "Use the creation date as YYYY-MM-DD.",
  },
  EMIGRAKIT_REVISION_MISSING: {
    exit: 1,
    title: "A script does not assign revision",
    message: () => 'No `revision = "…"` at module level.',
    fix: () => 'Add `revision = "<12 hex digits>"` (the revision in the file name).',
  },
  EMIGRAKIT_REVISION_NAME_MISMATCH: {
    exit: 1,
    title: "The revision in the file name differs from the one in the script",
    message: (d) => `The file name says revision "${show(d.nameRevision)}", the script says "${show(d.revision)}".`,
    fix: (d) => `Make them equal: rename the file to ${show(d.suggestion)} or fix \`revision\`.`,
  },
  EMIGRAKIT_REVISION_FORMAT: {
    exit: 1,
    title: "An unreleased script's revision is not 12 hex digits",
    message: (d) => `revision "${show(d.revision)}" is not 12 lower-case hex digits.`,
    fix: () => "Use a 12-hex-digit revision as alembic generates (migrakit generate writes one for you).",
  },
  EMIGRAKIT_DOWN_REVISION_MISSING: {
    exit: 1,
    title: "A script does not assign down_revision",
    message: () => "No `down_revision = …` at module level.",
    fix: () => 'Add `down_revision = "<parent revision>"`, or `down_revision = None` for the first script.',
  },
  EMIGRAKIT_HEADER_MISSING: {
    exit: 1,
    title: "A script has no version header",
    message: () => 'The script does not start with a docstring such as """vX.X.X.""".',
    fix: (d) => `Make the first line of the file \`"""${show(d.expected)}"""\`.`,
  },
  EMIGRAKIT_HEADER_MISMATCH: {
    exit: 1,
    title: "The header does not match the file name",
    message: (d) => `The header says "${show(d.header)}" but the file name makes it "${show(d.expected)}".`,
    fix: (d) =>
      d.released
        ? // A released script never changes (EMIGRAKIT_RELEASED_CHANGED): accept the history instead of editing it.
          `Leave the released script as it is and add \`"acceptHistoryUpTo": "${show(d.revision)}"\` to the configuration: the naming and header rules then apply only to the scripts after it.`
        : `Change the first line of the docstring to \`${show(d.expected)}\` (text below it may stay).`,
  },
  EMIGRAKIT_DUPLICATE_REVISION: {
    exit: 1,
    title: "Two scripts define the same revision",
    message: (d) => `Revision "${show(d.revision)}" is defined by ${show(d.files)}.`,
    fix: () => "Give one of them a new revision (and point its children at it), or delete the copy.",
  },
  EMIGRAKIT_MISSING_PARENT: {
    exit: 1,
    title: "down_revision names a revision no script defines",
    message: (d) => `down_revision "${show(d.parent)}" of revision "${show(d.revision)}" is not defined by any script.`,
    fix: () => "Point down_revision at an existing revision (the previous head), or restore the missing script.",
  },
  EMIGRAKIT_CYCLE: {
    exit: 1,
    title: "The revisions form a cycle",
    message: (d) => `The revisions ${show(d.cycle)} form a cycle.`,
    fix: () => "Fix down_revision so that the chain leads from one root to one head.",
  },
  EMIGRAKIT_MULTIPLE_ROOTS: {
    exit: 1,
    title: "More than one script has down_revision = None",
    message: (d) => `The chain has ${show(d.count)} roots: ${show(d.roots)}.`,
    fix: (d) =>
      `${show(d.step ?? "Point every root but the first at its parent")}; only the first script may have down_revision = None.`,
  },
  EMIGRAKIT_MULTIPLE_HEADS: {
    exit: 1,
    title: "The chain has more than one head",
    message: (d) =>
      `The chain has ${show(d.count)} heads: ${show(d.heads)} (typically after merging main into a branch).`,
    fix: (d) => `${show(d.step ?? "Run `migrakit rebase` to put the unreleased script on the new head")}.`,
  },
  EMIGRAKIT_MERGE_REVISION: {
    exit: 1,
    title: "A script merges revisions",
    message: (d) =>
      `Revision "${show(d.revision)}" has several parents (${show(d.parents)}); migrakit keeps the chain linear.`,
    fix: (d) =>
      `Delete the merge script${d.file ? ` ${show(d.file)}` : ""} (migrakit keeps one linear chain), then run \`npx migrakit rebase\`: it re-parents the branch's unreleased script on the other head.`,
  },
  EMIGRAKIT_UNRELEASED_NOT_AT_TIP: {
    exit: 1,
    title: "A released script comes after an unreleased one",
    message: (d) =>
      `Unreleased script "${show(d.unreleased)}" comes before released "${show(d.released)}" in the chain.`,
    fix: () =>
      "Unreleased scripts must be the newest: re-parent the unreleased script on the head (`migrakit rebase`).",
  },
  EMIGRAKIT_RELEASE_ORDER: {
    exit: 1,
    title: "Released versions go backwards along the chain",
    message: (d) =>
      `"${show(d.file)}" was released in ${show(d.version)}, after "${show(d.previousFile)}" released in ${show(d.previousVersion)}.`,
    fix: () => "Check the file names: a script's version cannot be lower than its parent's.",
  },
  EMIGRAKIT_RELEASED_AHEAD: {
    exit: 1,
    title: "A script is released in a version newer than __version__",
    message: (d) =>
      `"${show(d.file)}" is named for version ${show(d.version)}, newer than __version__ ${show(d.packageVersion)}.`,
    fix: (d) =>
      `Release ${show(d.version)} (\`npx migrakit release-prepare --version ${show(d.version)}\` accepts a script named for the version it releases), or rename the script back to vx_x_x.`,
  },
  EMIGRAKIT_RELEASED_ADDED: {
    exit: 1,
    title: "A new script is named for a version that is already released",
    message: (d) =>
      `"${show(d.file)}" is named for version ${show(d.version)}, but it was added after that version was released (${show(d.ref)} does not have it).`,
    fix: (d) =>
      `Name it as unreleased (\`git mv ${show(d.file)} ${show(d.suggestion)}\`, header """vX.X.X.""") so the next release gives it its version.`,
  },
  EMIGRAKIT_RELEASED_CHANGED: {
    exit: 1,
    title: "A released script was changed",
    message: (d) => `"${show(d.file)}" differs from its released copy at ${show(d.ref)}.`,
    fix: (d) =>
      `Released scripts never change: restore it (\`git checkout ${show(d.ref)} -- ${show(d.file)}\`) and put the change in a new script.`,
  },
  EMIGRAKIT_RELEASED_UNCHECKED: {
    exit: 1,
    title: "Whether released scripts changed cannot be checked",
    message: (d) => `The rule "released scripts never change" could not run: ${show(d.reason)}.`,
    fix: (d) => show(d.fix),
  },
} satisfies Catalogue;
