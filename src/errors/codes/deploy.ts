import { show, type Catalogue } from "../catalogue.js";

// Real instances: `status`, `deploy` and `check --against`. Connection and login failures reuse the
// database codes (EMIGRAKIT_DB_UNREACHABLE, _AUTH, _MISSING); these are the instance's own problems.
// `target` details are `host:port/database`, never a URL, so no password can reach a message.
export const deployCodes = {
  EMIGRAKIT_VERSION_TABLE_MISSING: {
    exit: 3,
    title: "The instance has no version table",
    message: (d) =>
      `The database ${show(d.target)} has tables but no version table ${show(d.table)} (looked in every schema), so where its schema stands is unknown.`,
    fix: () =>
      "Check that the URL names the instance and that --package / `versionTable` name the right package; a database that alembic never migrated must first be stamped with the revision its schema matches (`alembic stamp <revision>`). (An empty database needs nothing: deploy brings it to head; nor does one that holds other packages' version tables and none of this package's tables.)",
  },
  EMIGRAKIT_VERSION_TABLE_INVALID: {
    exit: 3,
    title: "A table has the version table's name but is not one",
    message: (d) =>
      `The table ${show(d.table)} in ${show(d.target)} has the version table's name but not its column version_num (it has: ${show(d.columns)}).`,
    fix: () =>
      "Point migrakit at the package's real version table (config `versionTable`, or `_schema_id` in __init__.py), or rename that table if it belongs to something else.",
  },
  EMIGRAKIT_APPLIED_SCRIPT_CHANGED: {
    exit: 1,
    title: "A script the instance already ran has changed since",
    message: (d) =>
      `${show(d.count)} script(s) applied to ${show(d.target)} have changed since they were deployed: ${show(d.scripts)}; the instance does not have what they now say.`,
    fix: (d) =>
      `Restore the released text (git checkout <tag> -- <file>) and put the change in a new script; or, when the edit changes nothing the instance needs, accept it: migrakit deploy --accept-changed ${show(d.first)} (recorded in the deploy history).`,
  },
  EMIGRAKIT_UNRELEASED_REFUSED: {
    exit: 2,
    title: "The deploy would apply unreleased scripts",
    message: (d) =>
      `The deploy to ${show(d.target)} would apply ${show(d.count)} unreleased (vx_x_x) script(s): ${show(d.scripts)}; they may still change, and an instance that ran one drifts from the release.`,
    fix: () =>
      "Deploy a released version of the package; for a test instance, pass --allow-unreleased (recorded in the deploy history).",
  },
  EMIGRAKIT_DEPLOY_PARTIAL: {
    exit: 1,
    title: "A failed deploy left the instance changed",
    message: (d) =>
      `Deploying to ${show(d.target)} failed${d.script ? ` in ${show(d.script)}` : ""}: ${show(d.reason)}. The instance was NOT left as it was: ${show(d.left)}.`,
    fix: () =>
      'Look at the instance (`migrakit status --db URL`, and the objects named above) before anything else; a script that commits (op.execute("COMMIT"), autocommit_block) cannot be rolled back: fix it, then deploy again.',
  },
  EMIGRAKIT_DEPLOY_STOPPED: {
    exit: 3,
    title: "The deploy was stopped",
    message: (d) => `The deploy to ${show(d.target)} was stopped (${show(d.reason)}): ${show(d.left)}.`,
    fix: () => "Run `migrakit status --db URL` to see where the instance is, then deploy again when ready.",
  },
  EMIGRAKIT_TARGETS_INVALID: {
    exit: 2,
    title: "The list of instances cannot be used",
    message: (d) => `The instances from ${show(d.source)} cannot be used: ${show(d.reason)}.`,
    fix: () =>
      "Give one Postgres URL or libpq service name per line (blank lines and # comments are ignored), or a query whose first column is the URL.",
  },
  EMIGRAKIT_FLEET_OPTION_INVALID: {
    exit: 2,
    title: "A fleet option is out of range",
    message: (d) => `${show(d.option)} ${JSON.stringify(show(d.value))} is not valid: ${show(d.reason)}.`,
    fix: () =>
      "Write --parallel N and --retries N with whole numbers (parallel at least 1), and --shard I/N with 1 ≤ I ≤ N.",
  },
  EMIGRAKIT_PG_SERVICE_UNKNOWN: {
    exit: 2,
    title: "A libpq service name is not defined",
    message: (d) => `The service ${show(d.service)} is not in ${show(d.files)}.`,
    fix: () =>
      "Define it in ~/.pg_service.conf (or the file PGSERVICEFILE names), or write the instance's URL instead.",
  },
  EMIGRAKIT_FLEET_NOT_AT_HEAD: {
    exit: 1,
    title: "Some instances of the fleet are not at head",
    message: (d) => `${show(d.failed)} of ${show(d.total)} instance(s) are not at head: ${show(d.instances)}.`,
    fix: () =>
      "See each instance's result in the table above; fix what it says and run the same command again: instances already at head are left alone.",
  },
  EMIGRAKIT_INSTANCE_PRIVILEGE: {
    exit: 3,
    title: "The role may not read or change the instance",
    message: (d) => `The role ${show(d.user)} at ${show(d.target)} may not ${show(d.action)}: ${show(d.reason)}.`,
    fix: () =>
      "Connect as the role that owns the instance's tables (the one that created them), or grant this role the privilege named above.",
  },
  EMIGRAKIT_INSTANCE_AHEAD: {
    exit: 3,
    title: "The instance runs a newer schema than the installed package",
    message: (d) =>
      `The database ${show(d.target)} is at revision ${show(d.revision)}, which ${show(d.package)} ${show(d.installed)} does not know: the instance runs ${show(d.instanceVersion)}.`,
    fix: (d) =>
      d.unreleased === true
        ? `Run from the checkout that has revision ${show(d.revision)} (the branch of the unreleased work: git log --all --oneline -S ${show(d.revision)}), or install the release of ${show(d.package)} that includes it once it is out.`
        : d.install
          ? `Install the package version the instance runs (pip install "${show(d.install)}") and run again.`
          : `Install the newest release of ${show(d.package)} (pip install -U ${show(d.package)}) and run again.`,
  },
  EMIGRAKIT_INSTANCE_HEADS: {
    exit: 3,
    title: "The instance's version table holds several revisions",
    message: (d) =>
      `The version table ${show(d.table)} of ${show(d.target)} holds several revisions (${show(d.revisions)}); migrakit deploys linear histories only.`,
    fix: () => "Bring the instance to a single revision with alembic (merge or stamp) and run again.",
  },
  EMIGRAKIT_HISTORY_NOT_LINEAR: {
    exit: 1,
    title: "The package's scripts do not form one chain",
    message: (d) =>
      `The scripts of ${show(d.package)} do not form one linear chain, so the scripts to deploy cannot be listed.`,
    // A history the alembic convention accepts (labelled branches, merges) passes check --static: no loop back.
    fix: (d) =>
      d.accepted
        ? `deploy, status and check --against follow one head only for now (a history that merges into one head is fine); deploy these labelled branches with alembic itself: \`alembic upgrade heads\``
        : "Run `migrakit check --static` and fix what it reports (one root, one head, no merges).",
  },
  EMIGRAKIT_DEPLOY_CONFIRM: {
    exit: 2,
    title: "A deploy needs a confirmation",
    message: (d) =>
      `Deploying ${show(d.count)} script(s) to ${show(d.target)} needs a confirmation, and there is no terminal to ask on.`,
    fix: () => "Run it on a terminal, or pass --yes to confirm in advance (after checking `migrakit status --db URL`).",
  },
  EMIGRAKIT_DEPLOY_CANCELLED: {
    exit: 2,
    title: "The deploy was not confirmed",
    message: (d) => `Nothing was deployed to ${show(d.target)}: the confirmation was declined.`,
    fix: () => "Run `migrakit deploy` again and answer y when you are ready.",
  },
  EMIGRAKIT_DEPLOY_LOCKED: {
    exit: 4,
    title: "Another deploy holds the instance's lock",
    message: (d) =>
      `Another deploy holds the lock on ${show(d.target)} (waited ${show(d.waited)}; held by ${show(d.holders)}).`,
    fix: () =>
      "Wait for the other deploy to finish, then run `migrakit status` and deploy again if needed; raise the wait with --lock-wait.",
  },
  EMIGRAKIT_INSTANCE_CHANGED: {
    exit: 4,
    title: "The instance changed while the deploy waited",
    message: (d) =>
      `While this deploy waited, ${show(d.target)} moved from ${show(d.expected)} to ${show(d.found)}; nothing was applied.`,
    fix: () => "Run `migrakit status --db URL` to see where it is now, then deploy again.",
  },
  EMIGRAKIT_DEPLOY_FAILED: {
    exit: 1,
    title: "A script failed on the instance",
    message: (d) =>
      `Deploying to ${show(d.target)} failed${d.script ? ` in ${show(d.script)}` : ""}: ${show(d.type)}: ${show(d.reason)}. Everything was rolled back; the instance is still at ${show(d.from)}.`,
    fix: () =>
      "Fix the script (try it on a copy first: `migrakit check --against URL`), release the fix and deploy again.",
  },
  EMIGRAKIT_DEPLOY_TIMEOUT: {
    exit: 3,
    title: "A deploy statement hit lock_timeout or statement_timeout",
    message: (d) =>
      `Deploying to ${show(d.target)} stopped at ${show(d.limit)}${d.script ? ` in ${show(d.script)}` : ""}: ${show(d.reason)}. Everything was rolled back; the instance is still at ${show(d.from)}.`,
    fix: () =>
      "Deploy when fewer sessions use the tables (long transactions hold locks), or raise --lock-timeout / --statement-timeout.",
  },
  EMIGRAKIT_DURATION_INVALID: {
    exit: 2,
    title: "A duration option is not a duration",
    message: (d) => `${show(d.option)} ${JSON.stringify(show(d.value))} is not a duration.`,
    fix: () => "Write a number of milliseconds or a number with a unit: 500ms, 30s, 5min, 1h (0 means no limit).",
  },
  EMIGRAKIT_ROW_LIMIT_INVALID: {
    exit: 2,
    title: "--row-limit is not a positive whole number",
    message: (d) => `--row-limit ${JSON.stringify(show(d.value))} is not a positive whole number.`,
    fix: () => "Give the number of rows to copy per table, e.g. --row-limit 10000.",
  },
  EMIGRAKIT_CLONE_FAILED: {
    exit: 3,
    title: "The instance could not be copied",
    message: (d) => `A throw-away copy of ${show(d.target)} could not be made (${show(d.how)}): ${show(d.reason)}.`,
    fix: () =>
      "Install pg_dump and pg_restore at least as new as the server (apt-get install postgresql-client-NN), or give the role CREATEDB and run when nobody is connected, so that CREATE DATABASE … TEMPLATE works.",
  },
  EMIGRAKIT_AGAINST_UPGRADE: {
    exit: 1,
    title: "The scripts fail on a copy of the real instance",
    message: (d) =>
      `Upgrading a copy of ${show(d.target)} from ${show(d.from)} to head failed${d.where ? ` at ${show(d.where)}` : ""}: ${show(d.error)}.`,
    fix: () =>
      "The instance's data breaks a script that passes on an empty database (NULLs, duplicates, rows a new constraint rejects): make the script handle such rows (an UPDATE before the ALTER), then check again.",
  },
} satisfies Catalogue;
