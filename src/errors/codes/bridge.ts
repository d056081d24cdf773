import { show, type Catalogue } from "../catalogue.js";

// The Python side: the user's interpreter, its packages, and the bridge process (python/migrakit_bridge).
// Exit 3 when the machine lacks something or the helper misbehaves; exit 1 when the repo's own Python code
// (env.py, a script, the ORM) raised, because that is the repository failing a check.
export const bridgeCodes = {
  EMIGRAKIT_PYTHON_NOT_FOUND: {
    exit: 3,
    title: "No Python interpreter",
    message: (d) => `No Python interpreter found (tried: ${show(d.tried)}).`,
    fix: () => "Install Python 3.8+, activate your virtualenv, or set MIGRAKIT_PYTHON / `python` in the configuration.",
  },
  EMIGRAKIT_PYTHON_TOO_OLD: {
    exit: 3,
    title: "The Python interpreter is too old",
    message: (d) => `${show(d.python)} is Python ${show(d.version)}; migrakit needs Python 3.8 or newer.`,
    fix: () => "Point `python` in the configuration (or MIGRAKIT_PYTHON) at a Python 3.8+ interpreter.",
  },
  EMIGRAKIT_PYTHON_PACKAGE_MISSING: {
    exit: 3,
    title: "A Python package migrakit needs is missing",
    message: (d) => `${show(d.python)} lacks ${show(d.missing)}.`,
    fix: (d) => `Install it into that interpreter: ${show(d.pip)}`,
  },
  EMIGRAKIT_BRIDGE_START: {
    exit: 3,
    title: "The Python helper did not start",
    message: (d) => `The Python helper could not start with ${show(d.python)}: ${show(d.reason)}`,
    fix: () =>
      "Run the interpreter by hand to see why (e.g. `python -c 'import sys; print(sys.version)'`); its stderr is shown above.",
  },
  EMIGRAKIT_BRIDGE_PROTOCOL: {
    exit: 3,
    title: "The Python helper wrote something that is not a response",
    message: (d) =>
      `During ${show(d.method)} the Python helper wrote a line that is not a protocol response: ${show(d.line)}`,
    fix: () =>
      "Something in the interpreter's start-up (sitecustomize, a .pth file) writes to stdout; remove that output or report a migrakit bug.",
  },
  EMIGRAKIT_BRIDGE_EXITED: {
    exit: 3,
    title: "The Python helper ended unexpectedly",
    message: (d) =>
      `The Python helper ended ${d.signal ? `by signal ${show(d.signal)}` : `with exit code ${show(d.code)}`} during ${show(d.method)}.${d.stderr ? ` Its last output: ${show(d.stderr)}` : ""}`,
    fix: () =>
      "Look at the helper's output above (a crash in a C extension or os._exit in the repo's code ends it); run again with MIGRAKIT_BRIDGE_VERBOSE=1 for more.",
  },
  EMIGRAKIT_BRIDGE_TIMEOUT: {
    exit: 3,
    title: "The Python helper did not answer in time",
    message: (d) => `${show(d.method)} did not answer within ${show(d.timeoutMs)} ms; the helper was stopped.`,
    fix: () =>
      "Look at where it waited (shown on a terminal after a few seconds): a lock held by another connection, an ORM import on a slow share, a loop; fix that, or raise MIGRAKIT_BRIDGE_TIMEOUT (e.g. MIGRAKIT_BRIDGE_TIMEOUT=20min).",
  },
  EMIGRAKIT_BRIDGE_DATABASE: {
    exit: 3,
    title: "Python cannot reach the database",
    message: (d) => `${show(d.method)} cannot use the database: ${show(d.message)}`,
    fix: () =>
      "Check that Postgres runs and accepts the URL's user, password and database (MIGRAKIT_DATABASE_URL or `database`).",
  },
  EMIGRAKIT_ENV_FOREIGN_DATABASE: {
    exit: 2,
    title: "env.py connected to a database migrakit did not create",
    message: (d) => `During ${show(d.method)} ${show(d.message)}.`,
    fix: () =>
      'Make env.py take the connection migrakit hands it: in run_migrations_online, `connectable = config.attributes.get("connection")`, ' +
      "and when it is set, `context.configure(connection=connectable, ...)` instead of building an engine (engines built from a URL are " +
      "redirected by themselves; one with `creator=` or a non-Postgres URL cannot be).",
  },
  EMIGRAKIT_PYTHON_ERROR: {
    exit: 1,
    title: "The repository's Python code raised an error",
    message: (d) =>
      `${show(d.method)} failed in Python: ${show(d.type)}: ${show(d.message)}${d.where ? ` (${show(d.where)})` : ""}`,
    // `where`: the innermost of the repo's own frames Python reported (python/migrakit_bridge/frames.py).
    fix: (d) =>
      d.where
        ? `Fix the code at ${show(d.where)} (in env.py, a script or the ORM) and run again.`
        : "The traceback points into env.py, a script or the ORM: fix the code there and run again.",
  },
} satisfies Catalogue;
