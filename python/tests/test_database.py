"""The database methods against a real Postgres: upgrade, downgrade, current, stamp, create_all, compare."""

import pytest

from conftest import FIRST, HEAD, query


def _tables(url):
    return query(
        url,
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in ('core', 'public') order by 1, 2",
    )


def test_upgrade_from_empty_creates_the_schema_and_the_version_table(bridge, pkg, db_url):
    assert bridge.call("current", **pkg, url=db_url) == []
    assert bridge.call("upgrade", **pkg, url=db_url, revision="head") == {"current": [HEAD]}
    assert _tables(db_url) == [("core", "hero"), ("core", "team"), ("public", "migration_hero")]
    assert bridge.call("current", **pkg, url=db_url) == [HEAD]


def test_downgrade_and_upgrade_step_by_step(bridge, pkg, db_url):
    bridge.call("upgrade", **pkg, url=db_url, revision="head")
    assert bridge.call("downgrade", **pkg, url=db_url, revision=FIRST) == {"current": [FIRST]}
    assert ("core", "hero") not in _tables(db_url)
    assert bridge.call("downgrade", **pkg, url=db_url, revision="base") == {"current": []}
    assert bridge.call("upgrade", **pkg, url=db_url, revision=FIRST) == {"current": [FIRST]}


def test_a_failing_script_rolls_back_everything(bridge, pkg, repo, db_url):
    script = repo / "heroes/migrations/versions/2023-02-16-b2c3d4e5f6a1-vx_x_x.py"
    script.write_text(
        script.read_text().replace(
            '        schema="core",\n    )\n',
            '        schema="core",\n    )\n    print("to stdout")\n    op.execute("select 1/0")\n',
        )
    )
    error = bridge.request("upgrade", **pkg, url=db_url, revision="head")["error"]
    assert error["type"] == "DataError" and "division by zero" in error["message"]
    assert "vx_x_x.py" in error["traceback"]
    # Postgres DDL is transactional and alembic ran everything in one transaction: nothing is left.
    assert _tables(db_url) == []
    assert bridge.call("current", **pkg, url=db_url) == []


def test_compare_at_head_is_empty(bridge, pkg, db_url):
    bridge.call("upgrade", **pkg, url=db_url, revision="head")
    result = bridge.call("compare", **pkg, url=db_url)
    assert result["diffs"] == [] and result["empty"] is True
    assert "pass" in result["upgrade_ops"]


def test_compare_one_script_behind_gives_the_table_and_the_op_lines(bridge, pkg, db_url):
    bridge.call("upgrade", **pkg, url=db_url, revision=FIRST)
    result = bridge.call("compare", **pkg, url=db_url)
    assert result["diffs"] == [
        {
            "kind": "add_table",
            "schema": "core",
            "table": "hero",
            "columns": [
                {
                    "name": "id",
                    "type": "INTEGER",
                    "nullable": False,
                    "primary_key": True,
                    "server_default": None,
                    "position": 0,
                },
                {
                    "name": "name",
                    "type": "VARCHAR",
                    "nullable": False,
                    "primary_key": False,
                    "server_default": None,
                    "position": 1,
                },
                {
                    "name": "team_id",
                    "type": "INTEGER",
                    "nullable": True,
                    "primary_key": False,
                    "server_default": None,
                    "position": 2,
                },
            ],
            "primary_key": ["id"],
            "foreign_keys": [
                {
                    "name": None,
                    "columns": ["team_id"],
                    "referred_schema": "core",
                    "referred_table": "team",
                    "referred_columns": ["id"],
                }
            ],
        }
    ]
    assert "op.create_table('hero'," in result["upgrade_ops"]
    assert "sa.ForeignKeyConstraint(['team_id'], ['core.team.id'], )" in result["upgrade_ops"]
    assert "op.drop_table('hero', schema='core')" in result["downgrade_ops"]
    assert result["imports"] == ["import sqlmodel"]


CHANGED_ORM = """
from typing import Optional

from sqlmodel import Field, SQLModel
from sqlalchemy import UniqueConstraint


class Team(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("slug", name="uq_team_slug"), {"schema": "core"})

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    slug: str = Field(sa_column_kwargs={"server_default": "x"})


class Hero(SQLModel, table=True):
    __table_args__ = {"schema": "core"}

    id: Optional[int] = Field(default=None, primary_key=True)
    name: Optional[int] = None
"""


def _by_kind(diffs):
    out = {}
    for diff in diffs:
        out.setdefault(diff["kind"], []).append(diff)
    return out


def test_compare_structures_every_kind_of_change(bridge, start_bridge, pkg, repo, db_url):
    # The shared bridge has imported this repo's ORM already; a fresh process sees the edited one.
    bridge.call("upgrade", **pkg, url=db_url, revision="head")
    (repo / "heroes/_core.py").write_text(CHANGED_ORM)
    result = start_bridge().call("compare", **pkg, url=db_url)
    kinds = _by_kind(result["diffs"])
    assert kinds["add_column"] == [
        {
            "kind": "add_column",
            "schema": "core",
            "table": "team",
            "column": "slug",
            "type": "VARCHAR",
            "nullable": False,
            "primary_key": False,
            "server_default": "x",
            "position": 2,
        }
    ]
    assert kinds["remove_column"] == [
        {
            "kind": "remove_column",
            "schema": "core",
            "table": "hero",
            "column": "team_id",
            "type": "INTEGER",
            "nullable": True,
            "primary_key": False,
            "server_default": None,
            "position": 2,
        }
    ]
    assert kinds["remove_index"] == [
        {
            "kind": "remove_index",
            "schema": "core",
            "table": "team",
            "name": "ix_core_team_name",
            "columns": ["name"],
            "unique": False,
        }
    ]
    assert kinds["add_unique"] == [
        {"kind": "add_unique", "schema": "core", "table": "team", "name": "uq_team_slug", "columns": ["slug"]}
    ]
    assert [d["table"] for d in kinds["remove_fk"]] == ["hero"]
    assert kinds["remove_fk"][0]["columns"] == ["team_id"] and kinds["remove_fk"][0]["referred_table"] == "team"
    alters = {(d["table"], d["column"]): d for d in kinds["alter_column"]}
    assert list(alters) == [("hero", "name")]
    assert alters[("hero", "name")]["changes"] == {
        "type": {"from": "VARCHAR", "to": "INTEGER"},
        "nullable": {"from": False, "to": True},
    }
    assert alters[("hero", "name")]["existing"] == {"type": "VARCHAR", "nullable": False, "server_default": None}
    up = result["upgrade_ops"]
    assert (
        "op.add_column('team', sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(), server_default='x', nullable=False), schema='core')"
        in up
    )
    assert "op.drop_column('hero', 'team_id', schema='core')" in up
    assert "op.alter_column('hero', 'name'," in up
    assert "op.add_column('hero', sa.Column('team_id'" in result["downgrade_ops"]


def test_compare_sees_added_and_removed_tables(bridge, start_bridge, pkg, repo, db_url):
    # The shared bridge has imported this repo's ORM already; a fresh process sees the edited one.
    bridge.call("upgrade", **pkg, url=db_url, revision="head")
    source = (repo / "heroes/_core.py").read_text()
    hero = source.index("class Hero")
    (repo / "heroes/_core.py").write_text(
        source[:hero] + "class Villain(SQLModel, table=True):\n"
        '    __table_args__ = {"schema": "core"}\n\n'
        "    id: Optional[int] = Field(default=None, primary_key=True)\n"
    )
    (repo / "heroes/__init__.py").write_text(
        (repo / "heroes/__init__.py").read_text().replace("Hero, Team", "Team, Villain")
    )
    kinds = _by_kind(start_bridge().call("compare", **pkg, url=db_url)["diffs"])
    assert [(d["schema"], d["table"]) for d in kinds["add_table"]] == [("core", "villain")]
    assert [(d["schema"], d["table"]) for d in kinds["remove_table"]] == [("core", "hero")]
    removed = kinds["remove_table"][0]
    assert [c["name"] for c in removed["columns"]] == ["id", "name", "team_id"]


def test_create_all_then_stamp_matches_the_upgraded_schema(bridge, pkg, db_url):
    created = bridge.call("create_all", **pkg, url=db_url)
    assert created["tables"] == ["core.hero", "core.team"]
    assert bridge.call("current", **pkg, url=db_url) == []
    assert bridge.call("stamp", **pkg, url=db_url, revision="head") == {"current": [HEAD]}
    assert bridge.call("compare", **pkg, url=db_url)["diffs"] == []


def test_schemas_with_a_database(bridge, pkg, db_url):
    assert bridge.call("schemas", **pkg, url=db_url) == ["core"]


def test_the_default_environment_when_the_repo_has_no_env_py(bridge, pkg, repo, db_url):
    (repo / "heroes/migrations/env.py").unlink()
    assert bridge.call("package", **pkg)["own_env"] is False
    assert bridge.call("upgrade", **pkg, url=db_url, revision="head") == {"current": [HEAD]}
    # _schema_id = "hero" → version table migration_hero, as the repo's own env.py had it.
    assert ("public", "migration_hero") in _tables(db_url)
    assert bridge.call("compare", **pkg, url=db_url)["diffs"] == []
    assert bridge.call("schemas", **pkg) == ["core"]
    # An explicit version table wins over _schema_id.
    assert bridge.call("current", **pkg, url=db_url, version_table="other_version") == []


def test_other_schemas_in_the_database_are_left_alone_by_the_default_env(bridge, pkg, repo, db_url):
    (repo / "heroes/migrations/env.py").unlink()
    query(db_url, "create schema bionty; create table bionty.gene (id int primary key); select 1")
    bridge.call("upgrade", **pkg, url=db_url, revision="head")
    assert bridge.call("compare", **pkg, url=db_url)["diffs"] == []


def test_a_password_with_percent_signs_survives_configparser(bridge, pkg, db_url, admin_url):
    user = "bridge_pct_user"
    query(
        admin_url, "drop role if exists %s; create role %s login password 'p%%40ss' superuser; select 1" % (user, user)
    )
    try:
        head, _, tail = db_url.partition("://")
        host_part = tail.split("@", 1)[-1]
        url = "postgresql://%s:p%%2540ss@%s" % (user, host_part)  # the URL-encoded password "p%40ss"
        assert bridge.call("upgrade", **pkg, url=url, revision="head") == {"current": [HEAD]}
    finally:
        query(admin_url, "drop owned by %s cascade; select 1" % user)


def test_an_unreachable_database_is_an_environment_error(bridge, pkg):
    error = bridge.request("current", **pkg, url="postgresql://nobody@127.0.0.1:1/none")["error"]
    assert error["category"] == "database" and error["type"] == "OperationalError"


def test_psycopg3_when_asked_for(bridge, pkg, db_url):
    import sqlalchemy

    if int(sqlalchemy.__version__.split(".")[0]) < 2:
        pytest.skip("SQLAlchemy 1.4 has no psycopg 3 dialect")
    url = db_url.replace("postgresql://", "postgresql+psycopg://", 1)
    assert bridge.call("upgrade", **pkg, url=url, revision="head") == {"current": [HEAD]}
    assert bridge.call("compare", **pkg, url=url)["diffs"] == []


GENERIC_ENV = """
from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import heroes  # noqa: F401

config = context.config
connectable = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.",
                                 poolclass=pool.NullPool)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=SQLModel.metadata, include_schemas=True,
                      version_table="generic_version")
    with context.begin_transaction():
        context.run_migrations()
"""


def test_an_env_py_that_only_reads_sqlalchemy_url(bridge, pkg, repo, db_url):
    # alembic's generic template ignores config.attributes and connects with sqlalchemy.url itself.
    (repo / "heroes/migrations/env.py").write_text(GENERIC_ENV)
    assert bridge.call("upgrade", **pkg, url=db_url, revision="head") == {"current": [HEAD]}
    assert ("public", "generic_version") in _tables(db_url)
