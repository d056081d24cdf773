"""migrakit's helper process: drives alembic in the user's own Python.

migrakit (TypeScript) starts ``python -m migrakit_bridge`` once per run and sends it line-delimited JSON
requests on stdin; answers go to stdout, everything else to stderr. See ``server.py`` for the protocol and
``methods.py`` for the method table. Importing this package is cheap: alembic and SQLAlchemy are imported
only by the methods that need them, so the ``versions`` preflight works even when they are missing.
"""

PROTOCOL_VERSION = 1
