"""The recorder behind the safety lint: an upgrade with ``record`` answers what each script did."""

from conftest import FIRST, HEAD

THIRD = "c3d4e5f6a1b2"

THIRD_SCRIPT = '''"""vX.X.X."""
from alembic import op
import sqlalchemy as sa

revision = "c3d4e5f6a1b2"
down_revision = "b2c3d4e5f6a1"


def upgrade() -> None:
    op.alter_column("team", "name", type_=sa.String(20), schema="core")
    op.add_column("team", sa.Column("token", sa.String(), nullable=False, server_default=sa.text("md5(random()::text)")), schema="core")
    op.create_index("ix_team_token", "team", ["token"], unique=True, schema="core")
    op.execute("ALTER TABLE core.team ADD CONSTRAINT ck_name CHECK (name <> '') NOT VALID")
    op.get_bind().execute(sa.text("UPDATE core.team SET name = :n WHERE id = 0"), {"n": "x"})
    with op.get_context().autocommit_block():
        op.execute("SELECT 1")
    op.drop_column("team", "token", schema="core")


def downgrade() -> None:
    pass
'''


def test_upgrade_records_each_scripts_ops_with_the_state_before_them(bridge, pkg, repo, db_url):
    versions = repo / "heroes/migrations/versions"
    (versions / "2023-02-17-c3d4e5f6a1b2-vx_x_x.py").write_text(THIRD_SCRIPT)
    bridge.call("upgrade", **pkg, url=db_url, revision=FIRST)
    result = bridge.call("upgrade", **pkg, url=db_url, revision=THIRD, record=True)
    assert result["current"] == [THIRD]
    recorded = result["recorded"]
    assert sorted(recorded) == sorted([HEAD, THIRD])
    assert [o["op"] for o in recorded[HEAD]["ops"]] == ["create_table"]
    ops = recorded[THIRD]["ops"]
    assert [o["op"] for o in ops] == [
        "alter_column",
        "add_column",
        "create_index",
        "execute",
        "sql",
        "autocommit_block",
        "execute",
        "drop_column",
    ]
    alter, add, index, check, raw = ops[:5]
    assert alter["before"] == {"type": "character varying", "nullable": False} and alter["type"] == "VARCHAR(20)"
    assert alter["table"] == "team" and alter["schema"] == "core" and alter["line"] == 10
    assert add["volatile"] == ["random"] and add["nullable"] is False
    assert index["unique"] is True and index["concurrently"] is False
    assert "NOT VALID" in check["sql"]
    assert raw["sql"].startswith("UPDATE core.team") and raw["params"] is True
    assert recorded[THIRD]["transactional"] is True


def test_upgrade_without_record_answers_as_before(bridge, pkg, db_url):
    assert bridge.call("upgrade", **pkg, url=db_url, revision="head") == {"current": [HEAD]}


def test_offline_sql_records_too_reading_column_states_from_the_instance(bridge, pkg, repo, db_url):
    versions = repo / "heroes/migrations/versions"
    (versions / "2023-02-17-c3d4e5f6a1b2-vx_x_x.py").write_text(THIRD_SCRIPT)
    bridge.call("upgrade", **pkg, url=db_url, revision=HEAD)
    result = bridge.call("offline_sql", **pkg, url=db_url, record=True, **{"from": HEAD, "to": THIRD})
    assert "ALTER TABLE core.team" in result["sql"]
    ops = result["recorded"][THIRD]["ops"]
    assert ops[0]["op"] == "alter_column" and ops[0]["before"] == {"type": "character varying", "nullable": False}
    # Nothing ran: the instance is still at HEAD.
    assert bridge.call("current", **pkg, url=db_url) == [HEAD]
