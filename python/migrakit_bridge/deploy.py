"""The ``deploy`` method: apply the pending scripts to a real instance, under a lock, in as few transactions
as the scripts allow.

Postgres has transactional DDL, so pending scripts run in ONE transaction that we open ourselves, unless a
script declares ``migrakit_transaction = False`` (for ``CREATE INDEX CONCURRENTLY``, ``ALTER TYPE … ADD
VALUE`` on old servers: statements Postgres refuses inside a transaction). The pending scripts are then cut
into runs: each stretch of ordinary scripts is one transaction, each such script runs on its own without
one (autocommit, as alembic's ``autocommit_block`` would):

    lock connection:  pg_try_advisory_lock(key), polled until lock_wait_ms   -- SESSION level: held across
                                                                              every run, freed on exit
    per run, on a fresh work connection:
      BEGIN (or autocommit for a non-transactional script)
        lock_timeout / statement_timeout
        read the current revision          -- another deploy may have finished meanwhile (first run)
        alembic upgrade to the run's last revision (env.py on this connection)
        the history row of this run
      COMMIT (or ROLLBACK on any error)

A run that hits ``lock_timeout`` is rolled back and tried again, up to ``retries`` times with a growing pause;
meanwhile the lock connection notes which sessions block the work connection (``pg_blocking_pids``), so a
final failure names the holder. A failed non-transactional ``CREATE INDEX CONCURRENTLY`` leaves an INVALID
index behind: every invalid index the script left is dropped before answering. The deploy stops at once on
SIGINT/SIGTERM/SIGHUP or when stdin closes (stop.py): the statement in flight is cancelled and its run rolled
back; the answer says so.

Expected outcomes are answers (``status``: applied, up_to_date, changed, locked, failed, stopped): a script
raising is answered as ``failed`` with the script it came from, the SQLSTATE and the runs committed before it.
Failing to connect at all is an ordinary bridge error (category ``database``).
"""

import json
import os
import threading
import time
import traceback

from . import environment as env
from . import package as pkg
from .schema import create_schemas, script_directory, upgrade_groups
from .stop import StopWatch, Stopped
from .urls import with_driver

APPLICATION_NAME = "migrakit deploy"
POLL_SECONDS = 0.2
LOCK_NOT_AVAILABLE = "55P03"


class DeployScriptError(Exception):
    """A script (or env.py, or one of our statements) failed; its run was rolled back."""

    def __init__(self, cause, script, sqlstate):
        super().__init__("%s: %s" % (type(cause).__name__, cause))
        self.cause = cause
        self.sqlstate = sqlstate
        self.answer = {
            "status": "stopped" if isinstance(cause, Stopped) else "failed",
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


def _acquire(connection, key, wait_ms, stop):
    """Poll for the session-level advisory lock; a bounded wait instead of blocking forever."""
    from sqlalchemy import text

    deadline = time.monotonic() + wait_ms / 1000.0
    started = time.monotonic()
    while True:
        stop.check()
        if connection.execute(text("SELECT pg_try_advisory_lock(hashtext(:key)::bigint)"), {"key": key}).scalar():
            return {"waited_ms": int((time.monotonic() - started) * 1000)}
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL_SECONDS)


_SESSION = (
    "SELECT a.pid, a.usename, a.application_name, a.client_addr::text AS client, "
    "coalesce(a.xact_start, a.backend_start)::text AS since, a.state, left(a.query, 200) AS query "
    "FROM pg_stat_activity a "
)


def _holders(connection, key):
    """Who holds the deploy lock: sessions with that advisory lock granted (for the error message)."""
    from sqlalchemy import text

    rows = connection.execute(
        text(
            _SESSION + "JOIN pg_locks l ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid() AND l.objsubid = 1 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND l.objid::text = (hashtext(:key)::bigint & 4294967295)::text"
        ),
        {"key": key},
    )
    return [dict(row._mapping) for row in rows]


class _BlockerWatch:
    """While a run works, note the sessions that block its connection (on the idle lock connection)."""

    def __init__(self, connection, pid):
        self.blockers = []
        self._connection = connection
        self._pid = pid
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="migrakit-blockers", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        return False

    def _watch(self):
        from sqlalchemy import text

        while not self._done.wait(0.1):
            try:
                rows = self._connection.execute(
                    text(_SESSION + "WHERE a.pid = ANY(pg_blocking_pids(:pid))"), {"pid": self._pid}
                )
                found = [dict(row._mapping) for row in rows]
            except Exception:  # noqa: BLE001 - only a diagnosis; the run's own outcome is what counts
                return
            if found:
                self.blockers = found


def _set_limits(connection, params, local):
    from sqlalchemy import text

    for name, key in (("lock_timeout", "lock_timeout_ms"), ("statement_timeout", "statement_timeout_ms")):
        value = params.get(key)
        if value is not None:
            connection.execute(
                text("SELECT set_config(:name, :value, :local)"),
                {"name": name, "value": "%dms" % int(value), "local": local},
            )


def _invalid_indexes(connection):
    from sqlalchemy import text

    rows = connection.execute(
        text(
            "SELECT n.nspname AS schema, c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT i.indisvalid"
        )
    )
    return {(row.schema, row.name) for row in rows}


def _drop_indexes(engine, names, params):
    """DROP INDEX CONCURRENTLY what a failed CREATE INDEX CONCURRENTLY left (it cannot run in a transaction).
    Returns the names dropped, and those that could not be (a session still holding the table)."""
    from sqlalchemy import text

    dropped, left = [], []
    with engine.connect() as raw:
        connection = raw.execution_options(isolation_level="AUTOCOMMIT")
        _set_limits(connection, {"lock_timeout_ms": params.get("lock_timeout_ms") or 30000}, local=False)
        quote = connection.dialect.identifier_preparer.quote
        for schema, name in sorted(names):
            try:
                connection.execute(text("DROP INDEX CONCURRENTLY IF EXISTS %s.%s" % (quote(schema), quote(name))))
                dropped.append("%s.%s" % (schema, name))
            except Exception:  # noqa: BLE001 - said in the answer; the operator drops it by hand
                left.append("%s.%s" % (schema, name))
    return dropped, left


def _run_env(params, config, script, fn, connection, **environment):
    config.attributes["connection"] = connection
    env.load_env(params, config, script, fn, **environment)


def _history(connection, params, run, mode):
    """The history row of one committed run (same transaction as the run when it has one)."""
    from sqlalchemy import text

    history = params.get("history")
    if not history:
        return
    checksums = params.get("checksums") or []
    upto = []
    for revision, digest in checksums:
        upto.append((revision, digest))
        if revision == run["to"]:
            break
    values = dict(history.get("values") or {})
    values.update(
        from_revision=run["from"],
        revision=run["to"],
        scripts=" ".join(run["revisions"]),
        checksums=json.dumps(dict(upto)) if checksums else None,
        mode=mode,
    )
    for sql in history.get("setup", []):
        connection.execute(text(sql))
    connection.execute(text(history["insert"]), values)


class _Deploy:
    def __init__(self, params, config, script, engine, stop):
        self.params = params
        self.config = config
        self.script = script
        self.engine = engine
        self.stop = stop
        self.versions_dir = os.path.join(pkg.migrations_dir(params), "versions")
        self.target = params.get("revision") or "head"
        self.head = script.get_current_head() if self.target == "head" else self.target
        self.committed = []  # the runs committed so far: {"from", "to", "revisions", "transactional"}
        self.retries = []
        self.dropped = []
        self.invalid_left = []
        self.heads = None

    # -- one run ---------------------------------------------------------------------------------------------
    def _connect(self, transactional):
        raw = self.engine.connect()
        connection = raw if transactional else raw.execution_options(isolation_level="AUTOCOMMIT")
        return raw, env._reentrant(connection)

    def _attempt(self, lock_connection, transactional, fn, first):
        """One try of one run: returns (state, heads) or raises DeployScriptError (the run rolled back)."""
        raw, connection = self._connect(transactional)
        release = self.stop.guard(connection)
        try:
            from sqlalchemy import text

            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
            transaction = connection.get_transaction() or connection.begin() if transactional else None
            invalid_before = None if transactional else _invalid_indexes(connection)
            watch = _BlockerWatch(lock_connection, pid)
            try:
                self.stop.armed = True
                with watch:
                    _set_limits(connection, self.params, local=transactional)
                    state = {}
                    _run_env(
                        self.params,
                        self.config,
                        self.script,
                        lambda rev, ctx: fn(rev, ctx, state),
                        connection,
                        destination_rev=self.target,
                    )
                    if state.get("run"):
                        self.stop.check()
                        _history(
                            connection, self.params, state["run"], "transaction" if transactional else "no transaction"
                        )
                    if state.get("record"):
                        _history(connection, self.params, state["record"], "record")
                    self.stop.check()
                self.stop.armed = False
                if transaction is not None:
                    if state.get("run") or state.get("record"):
                        transaction.commit()
                    else:
                        transaction.rollback()
                return state
            except BaseException as exc:
                self.stop.armed = False
                release()
                if transaction is not None and transaction.is_active:
                    transaction.rollback()
                if not isinstance(exc, Exception):
                    raise
                error = DeployScriptError(exc, _failing_script(exc, self.versions_dir), _sqlstate(exc))
                error.answer["blockers"] = watch.blockers
                if invalid_before is not None:
                    left = _invalid_indexes(lock_connection) - invalid_before
                    if left:
                        dropped, kept = _drop_indexes(self.engine, left, self.params)
                        self.dropped.extend(dropped)
                        self.invalid_left.extend(kept)
                raise error from exc
        finally:
            release()
            raw.close()

    def _run(self, lock_connection, transactional, fn, first=False):
        """A run with its retries after lock timeouts."""
        retries = int(self.params.get("retries", 0))
        attempt = 0
        while True:
            try:
                return self._attempt(lock_connection, transactional, fn, first)
            except DeployScriptError as error:
                if error.sqlstate != LOCK_NOT_AVAILABLE or attempt >= retries or self.stop.reason:
                    raise
                attempt += 1
                pause = min(float(self.params.get("retry_pause_ms", 1000)) / 1000.0 * (2 ** (attempt - 1)), 30.0)
                self.retries.append(
                    {
                        "attempt": attempt,
                        "of": retries,
                        "pause_ms": int(pause * 1000),
                        "script": error.answer["script"],
                        "blockers": error.answer.get("blockers", []),
                    }
                )
                deadline = time.monotonic() + pause
                while time.monotonic() < deadline:
                    self.stop.check()
                    time.sleep(0.05)

    # -- the work functions --------------------------------------------------------------------------------
    def first(self, rev, context, state):
        """Read where the instance is; apply the first run when it is transactional."""
        current = sorted(context.get_current_heads())
        state["from"] = current
        expected = self.params.get("expected_from")
        if current == [self.head]:
            state["status"] = "up_to_date"
            # Hashes to record (none yet, or a change accepted) — unless another deploy brought the instance
            # here while this one waited: that one recorded them.
            if self.params.get("record") and (expected is None or sorted(expected) == current):
                state["record"] = {"from": current[0], "to": current[0], "revisions": []}
            return []
        if expected is not None and current != sorted(expected):
            state["status"] = "changed"
            return []
        state["status"] = "applied"
        state["groups"] = upgrade_groups(self.script, self.target, rev)
        if not state["groups"][0]["transactional"]:
            return []
        return self._apply(rev, context, state, state["groups"][0])

    def _apply(self, rev, context, state, group):
        create_schemas(context)
        steps = self.script._upgrade_revs(group["to"], rev)
        current = sorted(context.get_current_heads())
        state["run"] = {
            "from": current[0] if current else None,
            "to": group["revisions"][-1],
            "revisions": [s.revision.revision for s in steps],
            "transactional": group["transactional"],
        }
        return steps

    def next_run(self, group):
        def fn(rev, context, state):
            return self._apply(rev, context, state, group)

        return fn

    def read_heads(self, connection):
        found = {}

        def read(rev, context):
            found["heads"] = sorted(context.get_current_heads())
            return []

        _run_env(self.params, self.config, self.script, read, connection, dont_mutate=True)
        return found.get("heads", [])

    # -- the whole deploy ----------------------------------------------------------------------------------
    def run(self, lock_connection):
        state = self._run(lock_connection, True, self.first, first=True)
        answer = {"status": state.get("status", "up_to_date"), "from": state.get("from", [])}
        if answer["status"] != "applied":
            answer["current"] = answer["from"]
            answer["recorded"] = bool(state.get("record"))
            return answer
        groups = state["groups"]
        if state.get("run"):
            self.committed.append(state["run"])
            groups = groups[1:]
        for group in groups:
            self.stop.check()
            result = self._run(lock_connection, group["transactional"], self.next_run(group))
            self.committed.append(result["run"])
        answer["applied"] = [
            {"revision": r, "path": self.script.get_revision(r).path}
            for run in self.committed
            for r in run["revisions"]
        ]
        return answer


def _with_progress(answer, work, lock_connection):
    """What every answer carries: the runs committed, retries, dropped indexes, where the instance is now."""
    answer["committed"] = [
        {"from": r["from"], "to": r["to"], "revisions": r["revisions"], "transactional": r["transactional"]}
        for r in work.committed
    ]
    answer["retries"] = work.retries
    answer["dropped_indexes"] = work.dropped
    answer["invalid_indexes_left"] = work.invalid_left
    if "current" not in answer:
        try:
            raw = work.engine.connect()
            try:
                answer["current"] = work.read_heads(env._reentrant(raw))
            finally:
                raw.close()
        except Exception:  # noqa: BLE001 - the failure itself is the answer; where it stands is a bonus
            answer["current"] = None
    return answer


def deploy(params):
    """Upgrade the instance at ``url`` to ``revision`` (head); see the module docstring.

    params: package params, ``url``, ``expected_from`` (the revisions the operator confirmed; when the instance
    is elsewhere after the lock, nothing is done), ``lock_key``, ``lock_wait_ms``, ``lock_timeout_ms``,
    ``statement_timeout_ms``, ``retries``, ``retry_pause_ms``, ``history`` ({"setup": [sql], "insert": sql,
    "values": {…}}: one row per committed run), ``checksums`` ([[revision, sha256], …] root first, recorded
    with each row), ``record`` (write a row even when up to date), ``interruptible`` (watch stdin and signals).
    """
    from sqlalchemy import create_engine, event, pool, text

    pkg.prepare(params)
    config = env.make_config(params, url=params["url"])
    script = script_directory(params)
    engine = create_engine(
        with_driver(params["url"], env._sqlalchemy_version()),
        poolclass=pool.NullPool,
        connect_args={"application_name": params.get("application_name") or APPLICATION_NAME},
    )
    key = params.get("lock_key") or APPLICATION_NAME
    wait_ms = int(params.get("lock_wait_ms", 60000))
    interruptible = bool(params.get("interruptible"))
    try:
        with StopWatch(watch_stdin=interruptible, watch_signals=interruptible) as stop:
            event.listen(engine, "before_cursor_execute", lambda *args, **kw: stop.check() if stop.armed else None)
            work = _Deploy(params, config, script, engine, stop)
            with engine.connect() as raw:
                lock_connection = raw.execution_options(isolation_level="AUTOCOMMIT")
                try:
                    got = _acquire(lock_connection, key, wait_ms, stop)
                except Stopped as exc:
                    return DeployScriptError(exc, None, None).answer
                except Exception as exc:  # noqa: BLE001 - a statement of ours failing (a read-only server)
                    return DeployScriptError(exc, None, _sqlstate(exc)).answer
                if got is None:
                    return {"status": "locked", "holders": _holders(lock_connection, key), "waited_ms": wait_ms}
                try:
                    try:
                        answer = work.run(lock_connection)
                    except DeployScriptError as exc:
                        answer = exc.answer
                    except Stopped as exc:
                        answer = DeployScriptError(exc, None, None).answer
                    answer["waited_ms"] = got["waited_ms"]
                    if stop.reason and answer["status"] == "failed":
                        answer["status"] = "stopped"
                    if stop.reason:
                        answer["stop_reason"] = stop.reason
                    return _with_progress(answer, work, lock_connection)
                finally:
                    lock_connection.execute(text("SELECT pg_advisory_unlock(hashtext(:key)::bigint)"), {"key": key})
    finally:
        engine.dispose()


METHODS = {"deploy": deploy}
