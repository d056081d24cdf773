"""The protocol and the methods that need no database."""

import importlib.metadata as metadata
import json

from conftest import FIRST, HEAD


def test_versions_reports_this_interpreters_stack(bridge):
    result = bridge.call("versions")
    assert result["alembic"] == metadata.version("alembic")
    assert result["sqlalchemy"] == metadata.version("SQLAlchemy")
    assert result["sqlmodel"] == metadata.version("sqlmodel")
    assert result["pydantic"] == metadata.version("pydantic")
    assert result["psycopg2"] == metadata.version("psycopg2-binary")
    assert result["driver"] == "psycopg2"
    assert result["protocol"] == 1


def test_heads_and_history_come_from_the_scripts(bridge, pkg):
    assert bridge.call("heads", **pkg) == [HEAD]
    history = bridge.call("history", **pkg)
    assert [(r["revision"], r["down_revision"]) for r in history] == [(FIRST, []), (HEAD, [FIRST])]
    assert history[1]["path"].endswith("2023-02-16-b2c3d4e5f6a1-vx_x_x.py")
    assert history[0]["doc"] == "v0.1.0."


def test_a_new_script_is_seen_by_the_same_process(bridge, pkg, repo):
    assert bridge.call("heads", **pkg) == [HEAD]
    (repo / "heroes/migrations/versions/2023-03-01-c3d4e5f6a1b2-vx_x_x.py").write_text(
        'revision = "c3d4e5f6a1b2"\ndown_revision = "%s"\n\ndef upgrade():\n    pass\n\n'
        "def downgrade():\n    pass\n" % HEAD
    )
    assert bridge.call("heads", **pkg) == ["c3d4e5f6a1b2"]


def test_schemas_without_a_database_read_the_orm(bridge, pkg):
    assert bridge.call("schemas", **pkg) == ["core"]


def test_offline_sql_is_what_alembic_upgrade_sql_prints(bridge, pkg):
    sql = bridge.call("offline_sql", **pkg, **{"from": FIRST, "to": "head"})["sql"]
    assert "CREATE SCHEMA IF NOT EXISTS core;" in sql
    assert "CREATE TABLE core.hero" in sql
    assert "CREATE TABLE core.team" not in sql  # it starts from FIRST
    assert "UPDATE migration_hero SET version_num='%s' WHERE migration_hero.version_num = '%s';" % (HEAD, FIRST) in sql
    everything = bridge.call("offline_sql", **pkg, to="head")["sql"]
    assert "CREATE TABLE migration_hero" in everything and "CREATE TABLE core.team" in everything
    down = bridge.call("offline_sql", **pkg, **{"from": HEAD, "to": FIRST, "direction": "downgrade"})["sql"]
    assert "DROP TABLE core.hero;" in down


def test_bad_json_and_unknown_methods_are_answered_and_the_loop_goes_on(bridge, pkg):
    bad = bridge.send_line("{not json")
    assert bad["id"] is None and bad["error"]["type"] == "ProtocolError"
    unknown = bridge.request("frobnicate")
    assert unknown["error"]["type"] == "UnknownMethod"
    assert bridge.call("heads", **pkg) == [HEAD]


def test_a_failing_env_reports_a_traceback_and_the_loop_goes_on(bridge, pkg, repo):
    env_py = repo / "heroes/migrations/env.py"
    good = env_py.read_text()
    env_py.write_text("print('noise on stdout')\nraise RuntimeError('env.py is broken')\n")
    response = bridge.request("schemas", **pkg)
    error = response["error"]
    assert error["type"] == "RuntimeError" and error["message"] == "env.py is broken"
    assert error["category"] == "error"
    assert 'migrations/env.py", line 2' in error["traceback"]
    env_py.write_text(good)
    # The print went to stderr: the next response is still the next line of stdout.
    assert bridge.call("schemas", **pkg) == ["core"]


def test_a_missing_module_says_which(bridge, pkg, repo):
    (repo / "heroes/_core.py").write_text("import not_installed_anywhere\n")
    error = bridge.request("package", **pkg)["error"]
    assert error["category"] == "missing_module" and error["module"] == "not_installed_anywhere"


def test_stdout_carries_only_protocol(start_bridge, pkg):
    bridge = start_bridge()
    bridge.call("heads", **pkg)
    bridge.process.stdin.close()
    rest = bridge.process.stdout.read()
    assert bridge.process.wait(timeout=30) == 0
    for line in rest.splitlines():
        json.loads(line)


def test_package_info(bridge, pkg):
    info = bridge.call("package", **pkg)
    assert info["version"] == "0.2.0" and info["migration"] == HEAD and info["schema_id"] == "hero"
    assert info["own_env"] is True


def test_versions_answers_even_when_alembic_cannot_be_imported(start_bridge, pkg, tmp_path):
    # The preflight must report a missing alembic instead of the helper dying at start-up.
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\n"
        "class _Hide:\n"
        "    @staticmethod\n"
        "    def find_spec(name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'alembic':\n"
        "            raise ModuleNotFoundError(\"No module named 'alembic'\", name='alembic')\n"
        "sys.meta_path.insert(0, _Hide)\n"
    )
    bridge = start_bridge(extra_path=[tmp_path])
    assert bridge.call("versions")["protocol"] == 1
    error = bridge.request("heads", **pkg)["error"]
    assert error["category"] == "missing_module" and error["module"] == "alembic"


def test_a_run_of_its_own_collects_as_a_warm_workers_child_does(bridge, pkg, repo):
    # The stack the bridge imported at start is out of the collector's sight (frozen, as the worker's parent
    # leaves it to a child) and young objects are collected at the threshold of a run's child, not at 700:
    # what the package sees when a request imports it.
    from migrakit_bridge.server import RUN_GC_THRESHOLD

    init = repo / "heroes" / "__init__.py"
    init.write_text(
        init.read_text()
        + "\nimport gc as _gc\n__version__ = '%d %d' % (_gc.get_threshold()[0], _gc.get_freeze_count())\n"
    )
    threshold, frozen = map(int, bridge.call("package", **pkg)["version"].split())
    assert threshold == RUN_GC_THRESHOLD
    assert frozen > 10_000  # the stack's modules, classes and functions
