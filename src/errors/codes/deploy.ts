import { show, type Catalogue } from "../catalogue.js";

// Real instances: `status`, `deploy` and `check --against`. Connection and login failures reuse the
// database codes (EMIGRAKIT_DB_UNREACHABLE, _AUTH, _MISSING); these are the instance's own problems.
// `target` details are `host:port/database`, never a URL, so no password can reach a message.
export const deployCodes = {
  EMIGRAKIT_VERSION_TABLE_MISSING: {
    exit: 3,
    title: "The instance has no version table",
    message: (d) => `The database ${show(d.target)} has no version table ${show(d.table)} (looked in every schema).`,
    fix: () =>
      "Check that the URL names the instance and that --package / `versionTable` name the right package; a database that alembic never migrated must first be stamped with the revision its schema matches (`alembic stamp <revision>`).",
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
      d.install ? `Install the package version the instance runs (pip install "${show(d.install)}") and run again.` : `Install the newest release of ${show(d.package)} (pip install -U ${show(d.package)}) and run again.`,
  },
  EMIGRAKIT_INSTANCE_HEADS: {
    exit: 3,
    title: "The instance's version table holds several revisions",
    message: (d) => `The version table ${show(d.table)} of ${show(d.target)} holds several revisions (${show(d.revisions)}); migrakit deploys linear histories only.`,
    fix: () => "Bring the instance to a single revision with alembic (merge or stamp) and run again.",
  },
  EMIGRAKIT_HISTORY_NOT_LINEAR: {
    exit: 1,
    title: "The package's scripts do not form one chain",
    message: (d) => `The migration scripts of ${show(d.package)} do not form one linear chain, so the scripts to deploy cannot be listed.`,
    fix: () => "Run `migrakit check --static` and fix what it reports (one root, one head, no merges).",
  },
  EMIGRAKIT_DEPLOY_CONFIRM: {
    exit: 2,
    title: "A deploy needs a confirmation",
    message: (d) => `Deploying ${show(d.count)} migration(s) to ${show(d.target)} needs a confirmation, and there is no terminal to ask on.`,
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
    message: (d) => `Another deploy holds the lock on ${show(d.target)} (waited ${show(d.waited)}; held by ${show(d.holders)}).`,
    fix: () =>
      "Wait for the other deploy to finish, then run `migrakit status` and deploy again if needed; raise the wait with --lock-wait.",
  },
  EMIGRAKIT_INSTANCE_CHANGED: {
    exit: 4,
    title: "The instance changed while the deploy waited",
    message: (d) => `While this deploy waited, ${show(d.target)} moved from ${show(d.expected)} to ${show(d.found)}; nothing was applied.`,
    fix: () => "Run `migrakit status --db URL` to see where it is now, then deploy again.",
  },
  EMIGRAKIT_DEPLOY_FAILED: {
    exit: 1,
    title: "A migration script failed on the instance",
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
    message: (d) => `Upgrading a copy of ${show(d.target)} from ${show(d.from)} to head failed${d.where ? ` at ${show(d.where)}` : ""}: ${show(d.error)}.`,
    fix: () =>
      "The instance's data breaks a script that passes on an empty database (NULLs, duplicates, rows a new constraint rejects): make the script handle such rows (an UPDATE before the ALTER), then check again.",
  },
} satisfies Catalogue;
