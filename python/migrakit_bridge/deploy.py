"""The ``deploy`` method: apply the pending scripts to a real instance, all or nothing, under a lock.

Postgres has transactional DDL, so the whole deploy is ONE transaction that we open ourselves:

    BEGIN
      set_config(lock_timeout / statement_timeout, local)      -- the operator's limits, for this deploy only
      pg_try_advisory_xact_lock(key), polled until lock_wait_ms  -- one deploy per database at a time
      read the current revision                                   -- another deploy may have finished meanwhile
      alembic upgrade (env.py on this connection)                 -- alembic sees a transaction and adds none
      history statements                                          -- the record of this deploy
    COMMIT (or ROLLBACK on any error: the instance stays exactly as it was)

The connection goes to env.py through ``config.attributes["connection"]`` like every other method; because it
is already inside a transaction, alembic's ``begin_transaction()`` is a no-op, so nothing commits early.
lamin-style env.py files call ``.connect()`` on what they get: ``environment._reentrant`` hands them this same
connection. The advisory lock is transaction-scoped: it is released by COMMIT/ROLLBACK, or when the process dies.

Expected outcomes are answers (``status``: applied, up_to_date, changed, locked, failed): a script raising is
rolled back and answered as ``failed`` with the script it came from and the SQLSTATE, so the TypeScript side
can say which file failed and why (a timeout, a missing privilege, the script's own error). Failing to connect
at all is an ordinary bridge error (category ``database``).
"""

import os
import time
import traceback

from . import environment as env
from . import package as pkg
from .schema import create_schemas, script_directory
from .urls import with_driver

APPLICATION_NAME = "migrakit deploy"
POLL_SECONDS = 0.2


class DeployScriptError(Exception):
    """A script (or env.py) failed; the transaction was rolled back. Carries the failing file and SQLSTATE."""

    def __init__(self, cause, script, sqlstate):
        super().__init__("%s: %s" % (type(cause).__name__, cause))
        self.answer = {
            "status": "failed",
            "type": type(cause).__name__,
            "message": str(cause),
            "traceback": "".join(traceback.format_exception(type(cause), cause, cause.__traceback__)),
            "script": script,
            "sqlstate": sqlstate,
        }


def _sqlstate(exc):
    """The SQLSTATE of a DBAPI error (psycopg2: pgcode, psycopg 3: sqlstate), else None."""
    orig = getattr(exc, "orig", None) or exc
    return getattr(orig, "pgcode", None) or getattr(orig, "sqlstate", None)


def _failing_script(exc, versions_dir):
    """The migration script in the traceback closest to the error (None when the error came from elsewhere)."""
    versions_dir = os.path.abspath(versions_dir) + os.sep
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(frame.filename).startswith(versions_dir):
            found = "%s:%s" % (frame.filename, frame.lineno)
    return found


def _acquire(connection, key, wait_ms):
    """Poll for the transaction-scoped advisory lock; a bounded wait instead of blocking forever."""
    from sqlalchemy import text

    deadline = time.monotonic() + wait_ms / 1000.0
    started = time.monotonic()
    while True:
        if connection.execute(text("SELECT pg_try_advisory_xact_lock(hashtext(:key)::bigint)"), {"key": key}).scalar():
            return {"waited_ms": int((time.monotonic() - started) * 1000)}
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL_SECONDS)


def _holders(connection, key):
    """Who holds the lock: sessions with that advisory lock granted (for the error message)."""
    from sqlalchemy import text

    rows = connection.execute(text(
        "SELECT a.pid, a.usename, a.application_name, a.client_addr::text AS client, a.xact_start::text AS since "
        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid() AND l.objsubid = 1 "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND l.objid::text = (hashtext(:key)::bigint & 4294967295)::text"
    ), {"key": key})
    return [dict(row._mapping) for row in rows]


def _set_limits(connection, params):
    from sqlalchemy import text

    for name, key in (("lock_timeout", "lock_timeout_ms"), ("statement_timeout", "statement_timeout_ms")):
        value = params.get(key)
        if value is not None:
            connection.execute(text("SELECT set_config(:name, :value, true)"), {"name": name, "value": "%dms" % int(value)})


def _run_env(params, config, script, fn, connection, **environment):
    config.attributes["connection"] = connection
    env.load_env(params, config, script, fn, **environment)


def _deploy_in(connection, params, config, script):
    """Everything inside the transaction; returns the answer, and whether to commit."""
    from sqlalchemy import text


    target = params.get("revision") or "head"
    expected = sorted(params.get("expected_from") or [])
    key = params.get("lock_key") or APPLICATION_NAME
    try:
        _set_limits(connection, params)
        got = _acquire(connection, key, int(params.get("lock_wait_ms", 60000)))
    except Exception as exc:  # noqa: BLE001 - a statement of ours failing (a timeout, a read-only server)
        raise DeployScriptError(exc, None, _sqlstate(exc)) from exc
    if got is None:
        return {"status": "locked", "holders": _holders(connection, key), "waited_ms": int(params.get("lock_wait_ms", 60000))}, False

    state = {}
    head = script.get_current_head() if target == "head" else target

    def upgrade(rev, context):
        current = sorted(context.get_current_heads())
        state["from"] = current
        if current == [head]:
            state["status"] = "up_to_date"
            return []
        if params.get("expected_from") is not None and current != expected:
            state["status"] = "changed"
            return []
        create_schemas(context)
        steps = script._upgrade_revs(target, rev)
        state["status"] = "applied"
        state["applied"] = [{"revision": s.revision.revision, "path": s.revision.path} for s in steps]
        return steps

    try:
        _run_env(params, config, script, upgrade, connection, destination_rev=target)
    except Exception as exc:  # noqa: BLE001 - the repo's scripts failing is the answer we must describe
        raise DeployScriptError(exc, _failing_script(exc, os.path.join(pkg.migrations_dir(params), "versions")),
                                _sqlstate(exc)) from exc

    answer = {"status": state.get("status", "up_to_date"), "from": state.get("from", []), "waited_ms": got["waited_ms"]}
    if answer["status"] != "applied":
        answer["current"] = answer["from"]
        return answer, False

    found = {}

    def read(rev, context):
        found["heads"] = sorted(context.get_current_heads())
        return []

    _run_env(params, config, script, read, connection, dont_mutate=True)
    answer["current"] = found.get("heads", [])
    answer["applied"] = state["applied"]
    history = params.get("history") or {}
    try:
        for statement in history.get("statements", []):
            connection.execute(text(statement["sql"]), statement.get("values") or {})
    except Exception as exc:  # noqa: BLE001 - e.g. no right to create the history table: roll back, say so
        raise DeployScriptError(exc, None, _sqlstate(exc)) from exc
    return answer, True


def deploy(params):
    """Upgrade the instance at ``url`` to ``revision`` (head) in one transaction; see the module docstring.

    params: package params, ``url``, ``expected_from`` (the revisions the operator confirmed; when the instance
    is elsewhere after the lock, nothing is done), ``lock_key``, ``lock_wait_ms``, ``lock_timeout_ms``,
    ``statement_timeout_ms``, ``history`` ({"statements": [{"sql", "values"}]}, run after the upgrade).
    """
    from sqlalchemy import create_engine, pool

    # Imported here: commands.py registers this module at its end, so a top-level import would be circular.

    pkg.prepare(params)
    config = env.make_config(params, url=params["url"])
    script = script_directory(params)
    engine = create_engine(
        with_driver(params["url"], env._sqlalchemy_version()),
        poolclass=pool.NullPool,
        connect_args={"application_name": APPLICATION_NAME},
    )
    try:
        with engine.connect() as raw:
            connection = env._reentrant(raw)
            transaction = connection.begin()
            try:
                answer, commit = _deploy_in(connection, params, config, script)
            except DeployScriptError as exc:
                if transaction.is_active:
                    transaction.rollback()
                return exc.answer
            except BaseException:
                if transaction.is_active:
                    transaction.rollback()
                raise
            if commit:
                transaction.commit()
            else:
                transaction.rollback()
            return answer
    finally:
        engine.dispose()


METHODS = {"deploy": deploy}
