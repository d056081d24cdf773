"""alembic's async env.py template (test/fixtures/async-app), run as it is with the repo's own async driver.

The app's alembic.ini names asyncpg and a database of its own (which does not exist here): the bridge keeps
the driver, redirects the connection to the scratch database, and env.py sees the ini as ``config_file_name``.
"""

import os
import shutil

import pytest

from conftest import PYTHON_DIR, query

ASYNC_APP = os.path.join(PYTHON_DIR, "..", "test", "fixtures", "async-app")
REVISION = "3f1a2b4c5d6e"


@pytest.fixture
def app(tmp_path):
    target = tmp_path / "app"
    shutil.copytree(ASYNC_APP, target)
    return target


def _params(app, **extra):
    return dict(
        repo_root=str(app),
        package="aioapp",
        migrations_dir="migrations",
        config_file=str(app / "alembic.ini"),
        version_table="alembic_version",
        **extra,
    )


def _round_trip(bridge, params, db_url):
    assert bridge.call("upgrade", **params, url=db_url, revision="head") == {"current": [REVISION]}
    assert query(db_url, "select version_num from alembic_version") == [(REVISION,)]
    assert bridge.call("compare", **params, url=db_url)["empty"] is True
    assert bridge.call("downgrade", **params, url=db_url, revision="base") == {"current": []}
    assert query(db_url, "select to_regclass('public.item')::text") == [(None,)]


def test_the_async_template_runs_with_the_ini_s_asyncpg_on_the_scratch_database(start_bridge, app, db_url):
    bridge = start_bridge(cwd=app)
    _round_trip(bridge, _params(app), db_url)
    # The SQL of `alembic upgrade --sql` needs no driver at all.
    sql = bridge.call("offline_sql", **_params(app))["sql"]
    assert "CREATE TABLE item" in sql


def test_without_a_driver_in_the_ini_an_installed_async_driver_is_used(start_bridge, app, db_url):
    ini = app / "alembic.ini"
    ini.write_text(ini.read_text().replace("postgresql+asyncpg://", "postgresql://"))
    _round_trip(start_bridge(cwd=app), _params(app), db_url)


def test_prepend_sys_path_is_taken_from_the_ini_s_folder(start_bridge, app, db_url, tmp_path):
    # The bridge runs elsewhere (migrakit's cwd is the git root); "." in the ini still means the app's folder.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    bridge = start_bridge(cwd=elsewhere)
    params = _params(app)
    params["repo_root"] = str(elsewhere)
    params["migrations_dir"] = str(app / "migrations")
    assert bridge.call("upgrade", **params, url=db_url, revision="head") == {"current": [REVISION]}
