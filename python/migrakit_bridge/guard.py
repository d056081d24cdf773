"""Every connection opened while env.py runs goes to the scratch database migrakit created (docs/spec.md §3b).

A repo's env.py often builds its own engine — from settings, an environment variable, a hard-coded URL —
and ignores the connection it is handed; run as it is, ``check`` would upgrade and round-trip the
developer's own database. Two SQLAlchemy hooks, installed for the run and removed after it, prevent that:

- **redirect** (``do_connect``, on every Postgres dialect): the address, user, password and database of the
  connection being opened are replaced by the scratch database's, keeping the engine's own driver (asyncpg,
  psycopg, psycopg2) and its other connect arguments. This reaches engines env.py builds however it likes,
  and engines a settings module built before the run.
- **check** (the pool's ``connect``, on every pool): each new DBAPI connection is asked where it is
  (``current_database()``, the server's address, port and start time) before SQLAlchemy uses it, so before
  any statement of a script; one that is not where migrakit's own connection is aborts the run. That
  catches what a redirect cannot reach: an engine with a ``creator=``, a non-Postgres dialect.

The abort is a ``ForeignDatabaseError`` whatever env.py makes of the exception (see ``only``); the
TypeScript side maps that type to its own error code.
"""

import contextlib

# The connect arguments that say where to connect and as whom: replaced by the scratch database's.
_ADDRESS_KEYS = (
    "host",
    "hostaddr",
    "port",
    "user",
    "password",
    "database",
    "dbname",
    "dsn",
    "service",
    "passfile",
    "sslmode",
    "conninfo",
)

_IDENTITY_SQL = (
    "SELECT current_database(), current_user, host(inet_server_addr()), inet_server_port(), "
    "pg_postmaster_start_time()::text"
)


class ForeignDatabaseError(Exception):
    """env.py connected somewhere migrakit did not create; ``what`` names it (never with a password)."""

    def __init__(self, what):
        super().__init__(
            "env.py connected to %s, not to the scratch database migrakit created; nothing was run there" % what
        )
        self.what = what


def _describe(identity):
    if identity is None:
        return "a database that is not Postgres"
    database, user, host, port = identity[:4]
    where = "%s:%s" % (host, port) if host else "a local socket%s" % (" (port %s)" % port if port else "")
    return "database %r on %s as user %r" % (database, where, user)


def _identity(dbapi_connection):
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(_IDENTITY_SQL)
        row = tuple(cursor.fetchone())
    finally:
        cursor.close()
    # The query opened a transaction on drivers that begin implicitly; end it so SQLAlchemy starts clean
    # (psycopg2 refuses to switch to autocommit inside one).
    dbapi_connection.rollback()
    return row


class _Run:
    def __init__(self, url):
        self.url = url
        self.reference = None  # where migrakit's own connection is: (database, host, port, start time)
        self.violation = None
        self.own_pools = set()

    def redirect(self, dialect, connection_record, cargs, cparams):
        if self.url is None or dialect.name != "postgresql":
            return None
        from sqlalchemy.engine import make_url

        target = make_url(self.url).set(drivername="%s+%s" % (dialect.name, dialect.driver))
        new_args, new_params = dialect.create_connect_args(target)
        for key in _ADDRESS_KEYS:
            cparams.pop(key, None)
        cparams.update(new_params)
        cargs[:] = list(new_args)
        return None

    def check(self, dbapi_connection, connection_record):
        if self.violation is not None:
            raise self.violation
        try:
            identity = _identity(dbapi_connection)
        except Exception:  # noqa: BLE001 - not Postgres (sqlite, …): not a database migrakit created
            identity = None
        if identity is None:
            self.violation = ForeignDatabaseError(_describe(None))
            raise self.violation
        where = (identity[0], identity[2], identity[3], identity[4])
        if self.reference is None and self.url is not None and self._is_scratch(identity):
            self.reference = where
            return
        if where != self.reference:
            self.violation = ForeignDatabaseError(_describe(identity))
            raise self.violation

    def _is_scratch(self, identity):
        """The first connection is migrakit's own (environment.connect opens it before env.py runs)."""
        from sqlalchemy.engine import make_url

        url = make_url(self.url)
        return identity[0] == url.database and (url.port is None or identity[3] in (None, url.port))


@contextlib.contextmanager
def only(url):
    """Within the block, connections go to ``url`` (the scratch database) or, when None, nowhere."""
    from sqlalchemy import event
    from sqlalchemy.engine import Dialect
    from sqlalchemy.pool import Pool

    run = _Run(url)
    event.listen(Dialect, "do_connect", run.redirect)
    event.listen(Pool, "connect", run.check)
    try:
        yield run
    except BaseException:
        # env.py (or alembic) may wrap or swallow the abort; the run still touched a foreign database.
        if run.violation is not None:
            raise run.violation from None
        raise
    finally:
        event.remove(Pool, "connect", run.check)
        event.remove(Dialect, "do_connect", run.redirect)
    if run.violation is not None:
        raise run.violation
