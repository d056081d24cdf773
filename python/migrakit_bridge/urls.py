"""Database URLs: the TypeScript side passes a plain ``postgresql://`` URL; the bridge picks the driver.

psycopg2 comes first (what the seed's era used and what SQLAlchemy 1.4 supports); psycopg 3 needs
SQLAlchemy 2.x, whose ``postgresql+psycopg`` dialect drives it.
"""

import importlib.util

_PLAIN_SCHEMES = ("postgresql://", "postgres://")


def _has_module(name):
    return importlib.util.find_spec(name) is not None


def _major(version):
    try:
        return int(str(version).split(".")[0])
    except ValueError:
        return 0


def choose_driver(sqlalchemy_version=None):
    """The SQLAlchemy dialect suffix to use (``psycopg2`` or ``psycopg``), or None when neither works."""
    if _has_module("psycopg2"):
        return "psycopg2"
    if _has_module("psycopg") and (sqlalchemy_version is None or _major(sqlalchemy_version) >= 2):
        return "psycopg"
    return None


def choose_async_driver(sqlalchemy_version=None):
    """An asyncio driver for alembic's async env.py template: asyncpg, else psycopg 3 (SQLAlchemy 2.x)."""
    if _has_module("asyncpg"):
        return "asyncpg"
    if _has_module("psycopg") and (sqlalchemy_version is None or _major(sqlalchemy_version) >= 2):
        return "psycopg"
    return None


_SYNC_ONLY = ("postgresql://", "postgres://", "postgresql+psycopg2://", "postgresql+pg8000://")


def with_async_driver(url, sqlalchemy_version=None):
    """A URL an async engine can use: a sync-only driver is swapped for an installed async one."""
    for scheme in _SYNC_ONLY:
        if url.startswith(scheme):
            driver = choose_async_driver(sqlalchemy_version)
            if driver is None:
                raise ModuleNotFoundError("No asyncio Postgres driver: install asyncpg", name="asyncpg")
            return "postgresql+" + driver + "://" + url[len(scheme) :]
    return url


def with_driver(url, sqlalchemy_version=None, driver=None):
    """``postgresql://…`` → ``postgresql+psycopg2://…`` (or ``+driver``); a URL that names its driver is left alone."""
    for scheme in _PLAIN_SCHEMES:
        if url.startswith(scheme):
            driver = driver or choose_driver(sqlalchemy_version)
            if driver is None:
                raise ModuleNotFoundError(
                    "No Postgres driver: install psycopg2-binary (or psycopg[binary] with SQLAlchemy 2.x)",
                    name="psycopg2",
                )
            return "postgresql+" + driver + "://" + url[len(scheme) :]
    return url


# The socket folder of offline runs: under /dev/null, which is no folder, so it can never exist. An env.py that
# builds its own engine and connects anyway (offline: migrakit hands it no connection) fails there at once;
# a host name ("offline", as it was) cost a DNS lookup first, however long the resolver takes to say no.
OFFLINE_SOCKET_DIR = "/dev/null/migrakit-offline"


def offline_url(sqlalchemy_version=None):
    """A URL for offline (``--sql``) runs: only its dialect matters, nothing connects to it."""
    return with_driver("postgresql:///offline?host=" + OFFLINE_SOCKET_DIR, sqlalchemy_version)
