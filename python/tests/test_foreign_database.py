"""env.py files that connect by themselves: every connection goes to the scratch database, or the run aborts.

A "developer database" with rows sits on the same server; each env.py below points at it its own way and
ignores the connection it is handed. After upgrade, downgrade and compare its contents are unchanged.
"""

import uuid

import pytest

from conftest import FIRST, HEAD, _engine, _with_database, query

OWN_ENGINE_ENV = """
import os
from alembic import context
from sqlalchemy import create_engine, engine_from_config, pool
from sqlmodel import SQLModel

import heroes  # noqa: F401

config = context.config


def _connectable():
%s


with _connectable().connect() as connection:
    context.configure(connection=connection, target_metadata=SQLModel.metadata, include_schemas=True,
                      include_name=lambda n, t, p: t != "schema" or n in (None, "core"),
                      compare_type=True, version_table="migration_hero")
    with context.begin_transaction():
        context.run_migrations()
"""

WAYS = {
    "hard-coded URL": '    return create_engine("%(dev)s", poolclass=pool.NullPool)',
    "environment variable": '    return create_engine(os.environ["HEROES_DATABASE_URL"], poolclass=pool.NullPool)',
    "settings dict": (
        '    settings = {"sqlalchemy.url": "%(dev)s"}\n'
        '    return engine_from_config(settings, prefix="sqlalchemy.", poolclass=pool.NullPool)'
    ),
}


@pytest.fixture
def dev_url(admin_url):
    """A database migrakit did not create, with a table and rows in it."""
    from sqlalchemy import text

    name = "developer_" + uuid.uuid4().hex[:8]
    admin = _engine(admin_url)
    with admin.connect() as connection:
        connection.execute(text('CREATE DATABASE "%s"' % name))
    url = _with_database(admin_url, name)
    engine = _engine(url)
    with engine.connect() as connection:
        connection.execute(text("CREATE SCHEMA core"))
        connection.execute(text("CREATE TABLE core.team (id integer primary key, name varchar not null)"))
        connection.execute(text("INSERT INTO core.team VALUES (1, 'mine'), (2, 'also mine')"))
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name))
        admin.dispose()


def _dump(url):
    return (
        query(
            url,
            "select table_schema, table_name, column_name, data_type from information_schema.columns "
            "where table_schema not in ('pg_catalog', 'information_schema') order by 1, 2, 3",
        ),
        query(url, "select * from core.team order by id"),
    )


def _with_env(repo, body, dev):
    (repo / "heroes/migrations/env.py").write_text(OWN_ENGINE_ENV % (body % {"dev": dev}))


@pytest.mark.parametrize("way", sorted(WAYS))
def test_an_engine_env_py_builds_itself_goes_to_the_scratch_database(way, start_bridge, pkg, repo, db_url, dev_url):
    _with_env(repo, WAYS[way], dev_url)
    before = _dump(dev_url)
    bridge = start_bridge(env={"HEROES_DATABASE_URL": dev_url})
    assert bridge.call("upgrade", **pkg, url=db_url, revision="head") == {"current": [HEAD]}
    assert bridge.call("compare", **pkg, url=db_url)["empty"] is True
    assert bridge.call("downgrade", **pkg, url=db_url, revision=FIRST) == {"current": [FIRST]}
    assert ("core", "hero") not in query(db_url, "select table_schema, table_name from information_schema.tables")
    assert query(db_url, "select version_num from migration_hero") == [(FIRST,)]
    assert _dump(dev_url) == before


def test_a_connection_the_redirect_cannot_reach_aborts_before_any_script_runs(start_bridge, pkg, repo, db_url, dev_url):
    # A creator= bypasses SQLAlchemy's connect arguments: only the guard's question "where am I?" catches it.
    dev = dev_url.replace("postgresql://", "postgresql+psycopg2://", 1)
    body = (
        "    import psycopg2\n    from sqlalchemy.engine import make_url\n"
        '    u = make_url("%(dev)s")\n'
        '    return create_engine("postgresql+psycopg2://", poolclass=pool.NullPool, creator=lambda: psycopg2.connect('
        "host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database))"
    )
    _with_env(repo, body, dev)
    before = _dump(dev_url)
    bridge = start_bridge()
    error = bridge.request("upgrade", **pkg, url=db_url, revision="head")["error"]
    assert error["type"] == "ForeignDatabaseError"
    database = dev_url.rsplit("/", 1)[1]
    assert "database %r" % database in error["message"]
    password = _engine(dev_url).url.password
    assert not password or password not in error["message"]
    assert _dump(dev_url) == before
    assert query(db_url, "select table_name from information_schema.tables where table_schema = 'core'") == []


def test_an_offline_run_whose_env_py_connects_with_the_url_it_is_given_fails_on_no_host(start_bridge, pkg, repo):
    # The offline URL names a socket folder that cannot exist: the connect fails at once, with no host
    # name to look up first (a DNS lookup of "offline" was every such run's cost).
    from migrakit_bridge.urls import OFFLINE_SOCKET_DIR

    _with_env(repo, '    return create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)', "")
    error = start_bridge().request("schemas", **pkg)["error"]
    assert error["category"] == "database"
    assert OFFLINE_SOCKET_DIR in error["message"]
    assert "host name" not in error["message"]


def test_offline_runs_may_not_connect_at_all(start_bridge, pkg, repo, dev_url):
    _with_env(repo, WAYS["hard-coded URL"], dev_url)
    before = _dump(dev_url)
    error = start_bridge().request("offline_sql", **pkg)["error"]
    assert error["type"] == "ForeignDatabaseError"
    assert _dump(dev_url) == before
