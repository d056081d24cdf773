"""Running alembic's environment (the repo's ``migrations/env.py`` or the built-in default) through its API.

Every method that touches a database or the scripts goes through ``run``: it builds the alembic Config,
opens the connection and hands it to env.py the way pytest-alembic does (``config.attributes["connection"]``)
while also setting ``sqlalchemy.url`` for env.py files that only read that, and runs env.py with a
"work function" ``fn(heads, context)``, exactly like alembic's own commands do.
"""

import io
import os
import contextlib

from . import bytecode, guard
from . import package as pkg
from .urls import offline_url, with_async_driver, with_driver

TEMPLATES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates")


def _sqlalchemy_version():
    import sqlalchemy

    return sqlalchemy.__version__


def make_config(params, url=None, output_buffer=None):
    """alembic's Config for a request: the repo's alembic.ini (``config_file``) when it has one, so env.py sees
    ``config.config_file_name`` and the ini's options, with the script location and the URL set by us."""
    from alembic.config import Config

    kwargs = {}
    ini = params.get("config_file")
    if ini:
        kwargs.update(file_=ini, ini_section=params.get("ini_section") or "alembic")
    if output_buffer is not None:
        kwargs["output_buffer"] = output_buffer
    config = Config(**kwargs)
    config.set_main_option("script_location", pkg.migrations_dir(params))
    if ini:
        _paths_from(config, os.path.dirname(os.path.abspath(ini)))
    # The repo's own driver (asyncpg for alembic's async template, psycopg, …) when its ini names one.
    driver = _ini_driver(config) if ini else None
    url = with_driver(url, _sqlalchemy_version(), driver) if url else offline_url(_sqlalchemy_version())
    # configparser interpolates "%": a password like "p%40ss" must be written as "p%%40ss".
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    # For the default env.py (and for env.py files that want to know): which package, which version table.
    config.attributes["migrakit_package"] = params["package"]
    if params.get("version_table"):
        config.attributes["version_table"] = params["version_table"]
    return config


def _paths_from(config, here):
    """``prepend_sys_path`` and ``version_locations`` are relative to where alembic runs (the ini's folder)."""
    for option in ("prepend_sys_path", "version_locations"):
        try:
            value = config.get_main_option(option)
        except Exception:  # noqa: BLE001 - an interpolation the ini cannot resolve: leave it to alembic
            continue
        if value:
            paths = [p for p in value.replace(",", " ").split() if p]
            config.set_main_option(option, " ".join(os.path.normpath(os.path.join(here, p)) for p in paths))


def _ini_driver(config):
    try:
        value = config.get_main_option("sqlalchemy.url") or ""
    except Exception:  # noqa: BLE001 - %(VAR)s the ini leaves to the environment: no driver named
        return None
    scheme = value.split("://", 1)[0]
    return scheme.split("+", 1)[1] if scheme.startswith("postgresql+") else None


def has_own_env(params):
    return os.path.isfile(os.path.join(pkg.migrations_dir(params), "env.py"))


# Parsed script directories by (script location, versions listing): parsing imports every script, which is
# most of a request's cost on a long history; the helper serves many requests over the same scripts.
_scripts = {}
_SCRIPTS_KEPT = 8


def _listing(versions_dir):
    """Name, size, mtime, ctime and inode of each entry: a written, rewritten or replaced script changes it."""
    try:
        entries = list(os.scandir(versions_dir))
    except OSError:
        return None
    out = []
    for entry in entries:
        try:
            stat = entry.stat()
        except OSError:
            return None
        out.append((entry.name, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino))
    return tuple(sorted(out))


def script_directory(config):
    """alembic's ScriptDirectory for the config, reused while its versions folder is unchanged.

    Only ``script_location`` varies in our configs (make_config sets nothing else that ScriptDirectory reads),
    and every snapshot of the repo has its own location, so location + listing identify the parsed scripts.
    """
    from alembic.script import ScriptDirectory

    bytecode.install()
    location = config.get_main_option("script_location")
    listing = _listing(os.path.join(location, "versions")) if location else None
    if listing is None:
        return ScriptDirectory.from_config(config)
    key = (os.path.abspath(location), listing)
    script = _scripts.pop(key, None)
    if script is None:
        script = ScriptDirectory.from_config(config)
    _scripts[key] = script  # most recently used last
    while len(_scripts) > _SCRIPTS_KEPT:
        del _scripts[next(iter(_scripts))]
    return script


class _Borrowed:
    """What ``connection.connect()`` returns to env.py: the same connection, not closed on exit."""

    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        return self.connection

    def __exit__(self, *exc):
        return False


def _reentrant(connection):
    """Let lamin-style env.py files call ``.connect()`` on the connection we hand them.

    They do ``with config.attributes["connection"].connect() as c:`` which an Engine supports, and a 1.4
    Connection too (a "branch"), but a 2.x Connection has no ``connect``. Swapping in a subclass that adds it
    keeps the object a real Connection for env.py files that use it directly (pytest-alembic style).
    """
    cls = type(connection)
    sub = _reentrant_classes.get(cls)
    if sub is None:
        sub = _reentrant_classes[cls] = type(
            "MigrakitConnection", (cls,), {"__slots__": (), "connect": lambda self: _Borrowed(self)}
        )
    connection.__class__ = sub
    return connection


_reentrant_classes = {}


def _commit(connection):
    transaction = connection.get_transaction()
    if transaction is not None and transaction.is_active:
        transaction.commit()


# Engines by URL. NullPool: no connection outlives its request (the TS side drops scratch databases between
# requests), but the dialect's first-connect set-up and its compiled-statement cache are paid once per URL.
_engines = {}


def _engine(url):
    from sqlalchemy import create_engine, pool

    driver_url = with_driver(url, _sqlalchemy_version())
    engine = _engines.get(driver_url)
    if engine is None:
        engine = _engines[driver_url] = create_engine(driver_url, poolclass=pool.NullPool)
    return engine


@contextlib.contextmanager
def connect(url, autocommit=False):
    with _engine(url).connect() as raw:
        # autocommit: for scripts declaring ``migrakit_transaction = False`` (CREATE INDEX CONCURRENTLY).
        connection = raw.execution_options(isolation_level="AUTOCOMMIT") if autocommit else raw
        yield _reentrant(connection)
        # env.py commits the transaction it began; one we began ourselves (autobegin) is ours to end.
        _commit(connection)


def load_env(params, config, script, fn, **environment):
    """Run the repo's env.py (or the built-in one) with the work function ``fn``: the one way env.py is loaded.

    ``config.attributes["connection"]``, when set, is the connection env.py is handed.
    """
    from alembic.runtime.environment import EnvironmentContext
    from alembic.util import load_python_file

    bytecode.install()
    env_dir = pkg.migrations_dir(params) if has_own_env(params) else TEMPLATES_DIR
    with EnvironmentContext(config, script, fn=fn, **environment):
        load_python_file(env_dir, "env.py")


@contextlib.contextmanager
def _async_engines_take_an_async_driver():
    """alembic's async env.py template builds ``async_engine_from_config`` from ``sqlalchemy.url``; without an
    ini naming its driver that URL names psycopg2, which asyncio refuses: swap in an installed async driver."""
    try:
        from sqlalchemy.ext import asyncio as aio
        from sqlalchemy.ext.asyncio import engine as aio_engine
    except ImportError:  # no greenlet: env.py cannot be async either
        yield
        return
    original = aio_engine.create_async_engine

    def create_async_engine(url, *args, **kwargs):
        if not isinstance(url, str):  # a URL object: str() would hide the password
            url = url.render_as_string(hide_password=False)
        return original(with_async_driver(url, _sqlalchemy_version()), *args, **kwargs)

    aio_engine.create_async_engine = aio.create_async_engine = create_async_engine
    try:
        yield
    finally:
        aio_engine.create_async_engine = aio.create_async_engine = original


def run(params, fn, url=None, as_sql=False, after=None, autocommit=False, **environment):
    """Run env.py with the work function ``fn`` on the scratch database ``url``; the offline SQL when ``as_sql``.
    ``autocommit``: our connection runs outside a transaction (a script marked non-transactional).

    Every connection opened meanwhile — ours, or one env.py makes itself — goes to ``url`` (guard.only);
    without a URL (offline) none may be opened at all. ``after(connection)``, when given, runs on our
    connection once env.py has finished with it (before our own commit), and its value is returned instead.
    """
    pkg.prepare(params)
    buffer = io.StringIO() if as_sql else None
    online = not as_sql and url is not None
    config = make_config(params, url=url if online else None, output_buffer=buffer)
    script = script_directory(config)

    with guard.only(url if online else None), _async_engines_take_an_async_driver():
        if not online:
            load_env(params, config, script, fn, as_sql=as_sql, **environment)
        else:
            with connect(url, autocommit=autocommit) as connection:
                config.attributes["connection"] = connection
                load_env(params, config, script, fn, as_sql=as_sql, **environment)
                if after is not None:
                    return after(connection)
    return buffer.getvalue() if buffer is not None else None
