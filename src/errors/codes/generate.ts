import { show, type Catalogue } from "../catalogue.js";

// `generate`, rename detection, `rebase` and the pre-commit hook.
export const generateCodes = {
  EMIGRAKIT_RENAME_SYNTAX: {
    exit: 2,
    title: "A --rename option is not TABLE.OLD=NEW or OLD_TABLE=NEW_TABLE",
    message: (d) =>
      `--rename ${show(d.value)} is not TABLE.OLD=NEW (a column), SCHEMA.TABLE.OLD=NEW, OLD_TABLE=NEW_TABLE (a table) or SCHEMA.TABLE=OTHER_SCHEMA.TABLE (a move).`,
    fix: () =>
      "Write the names as the database and the ORM spell them, e.g. `--rename transform.version=v` or `--rename run=execution`.",
  },
  EMIGRAKIT_BACKFILL_SYNTAX: {
    exit: 2,
    title: "A --backfill option is not TABLE.COLUMN=SQL",
    message: (d) => `--backfill ${show(d.value)} is not TABLE.COLUMN=SQL or SCHEMA.TABLE.COLUMN=SQL.`,
    fix: () =>
      "Name the new NOT NULL column and the SQL value its existing rows get, e.g. `--backfill core.item.kind=\"'unknown'\"`.",
  },
  EMIGRAKIT_RENAME_NOT_FOUND: {
    exit: 2,
    title: "A --rename names no dropped and added column or table",
    message: (d) =>
      `--rename ${show(d.renames)}: the comparison of the ORM with the database at head drops and adds no such pair.`,
    fix: () =>
      "Check the names: OLD as the database has it (the released scripts), NEW as the ORM has it now; run `migrakit generate` without --rename to see the differences.",
  },
  EMIGRAKIT_RENAME_AMBIGUOUS: {
    exit: 1,
    title: "Dropped and added columns or tables could be renames, but not one way only",
    message: (d) => `Could be renames, and migrakit does not guess: ${show(d.summary)}.`,
    fix: (d) =>
      `Say which: run \`npx migrakit generate ${show(d.options)}\` (or --no-renames for drop + add, losing the data), then stage the script and commit again.`,
  },
  EMIGRAKIT_SCRIPT_EDITED: {
    exit: 1,
    title: "The unreleased script was edited by hand and lacks operations",
    message: (d) =>
      `${show(d.file)} was ${d.ownership === "foreign" ? "written" : "edited"} by hand, so migrakit does not rewrite it, but it does not bring the database to the ORM yet (${show(d.summary)}).`,
    fix: (d) =>
      `Add the lines below to ${show(d.file)} (or delete the script and run \`migrakit generate\` to have it written anew).`,
  },
  EMIGRAKIT_GENERATE_HEADS: {
    exit: 1,
    title: "The scripts have several heads",
    message: (d) =>
      `The scripts of ${show(d.package)} end in several heads (${show(d.heads)}), typically after merging main into a branch that added a script.`,
    fix: (d) =>
      d.convention === "alembic"
        ? `Merge the heads in a new script with \`alembic merge -m "merge" ${show(d.heads).replaceAll(",", "")}\` (or give each branch its own \`branch_labels\`), then generate again.`
        : "Run `npx migrakit rebase`: it re-parents the branch's unreleased script on the new head (the pre-commit hook does it by itself).",
  },
  EMIGRAKIT_GENERATE_BRANCH: {
    exit: 1,
    title: "Several labelled branches: which one the new script goes on is not known",
    message: (d) =>
      d.given === undefined
        ? `The scripts of ${show(d.package)} have several labelled heads (${show(d.labels)}), and nothing says which branch this change belongs to.`
        : `No head of ${show(d.package)} is named ${show(d.given)}: its heads are ${show(d.labels)}.`,
    fix: (d) =>
      `Run \`migrakit generate --head ${show(d.first)}\` with the branch label the change belongs to (for the pre-commit hook: set \`generateHead\` in the migrakit config).`,
  },
  EMIGRAKIT_GENERATE_CHAIN: {
    exit: 1,
    title: "The scripts are not one linear chain",
    message: (d) =>
      `The scripts of ${show(d.package)} are not one linear chain from one root to one head, so there is no head to generate on.`,
    fix: () => "Run `migrakit check --static`: it names the script that breaks the chain.",
  },
  EMIGRAKIT_FILE_TEMPLATE_INVALID: {
    exit: 2,
    title: "alembic's file_template cannot name a new script",
    message: (d) => `${show(d.file)}: file_template ${show(d.template)} cannot be formatted (${show(d.reason)}).`,
    fix: () =>
      "Use only alembic's tokens, each written %%(name)s or %%(name)d: rev, slug, epoch, year, month, day, hour, minute, second (e.g. `file_template = %%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s`), and a timezone Python knows.",
  },
  EMIGRAKIT_GENERATE_NO_INIT: {
    exit: 2,
    title: "The package has no readable __init__.py",
    message: (d) => `${show(d.package)}/__init__.py is missing or not UTF-8, so _migration cannot be updated.`,
    fix: () =>
      "Create the package's __init__.py (migrakit init writes one) with `_migration = None` and `__version__`.",
  },
  EMIGRAKIT_GENERATE_BASELINE: {
    exit: 1,
    title: "The database at head could not be built",
    message: (d) =>
      `The database at head (what the script is generated against) could not be built: ${show(d.message)}`,
    fix: (d) => (typeof d.fix === "string" && d.fix ? d.fix : "Run `migrakit check` for the details."),
  },
  EMIGRAKIT_HOOK_RELEASE_COMMIT: {
    exit: 1,
    title: "A release commit would get a new unreleased script",
    message: (d) =>
      `This commit changes __version__ of ${show(d.package)} (${show(d.from)} → ${show(d.to)}), a release, but the staged scripts miss ORM changes: the hook would write a new unreleased script into the release.`,
    fix: () =>
      "Stage everything the release step changed (`git add -A`, which records the renamed scripts) and commit again; commit further ORM changes after the release.",
  },
  EMIGRAKIT_HOOK_UNSTAGED_SCRIPT: {
    exit: 1,
    title: "The unreleased script has unstaged changes",
    message: (d) =>
      `${show(d.file)} differs between the index and the working tree, and the hook would have to rewrite it.`,
    fix: () =>
      "Stage the script (git add) or stash its unstaged changes, then commit again; migrakit never touches unstaged work.",
  },
  EMIGRAKIT_REBASE_UNDECIDABLE: {
    exit: 1,
    title: "Which branch of scripts to move is not clear",
    message: (d) => `The scripts of ${show(d.package)} have several heads and ${show(d.reason)}.`,
    fix: () =>
      "Re-parent the branch's script by hand (its down_revision) on the other head, or pass --onto <git ref of main> so migrakit knows which scripts are main's.",
  },
  EMIGRAKIT_REBASE_CONFLICT: {
    exit: 1,
    title: "A file rebase needs still holds git conflict markers",
    message: (d) =>
      `${show(d.file)}:${show(d.line)} holds a git conflict (${show(d.reason)}); rebase resolves only the _migration/__version__ lines of __init__.py, so nothing was written.`,
    fix: (d) =>
      `Resolve the conflict in ${show(d.file)} (keep both sides' other changes; _migration and __version__ may stay conflicted), then run \`npx migrakit rebase\` again.`,
  },
  EMIGRAKIT_NOT_A_GIT_REPO: {
    exit: 2,
    title: "The hook runs outside a git work tree",
    message: (d) => `${show(d.cwd)} is not inside a git work tree.`,
    fix: () => "Run `migrakit hook pre-commit` from git's pre-commit hook (husky runs it at the repository root).",
  },
  EMIGRAKIT_GIT_MISSING: {
    exit: 3,
    title: "git is not installed",
    message: () => "git is not installed (no `git` on PATH), so the hook cannot read what is staged.",
    fix: () => "Install git (apt-get install git, brew install git, …) or put it on PATH, then commit again.",
  },
} satisfies Catalogue;
