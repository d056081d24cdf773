"""What generate writes beyond alembic (issue 12, issue 16 item 15), on both pinned stacks and real Postgres:
the order of ops, enum labels, VARCHAR lengths, the safe NOT NULL add, and the per-request reset of the
imported package. Rendered code is run with alembic's Operations on the database, as a script would be.
"""

import os
import sys

import pytest
import sqlalchemy as sa

from conftest import query


def _engine(url):
    from migrakit_bridge.urls import with_driver

    return sa.create_engine(with_driver(url), poolclass=sa.pool.NullPool)


def _produce(connection, metadata):
    from alembic.autogenerate import produce_migrations
    from alembic.migration import MigrationContext

    import migrakit_bridge.enums
    import migrakit_bridge.lengths  # noqa: F401

    context = MigrationContext.configure(connection, opts={"compare_type": True, "target_metadata": metadata})
    return context, produce_migrations(context, metadata).upgrade_ops


def _run(connection, context, code):
    """Run rendered op lines the way alembic runs a script's upgrade()."""
    from alembic.operations import Operations

    op = Operations(context)
    body = "\n".join(line[4:] if line.startswith("    ") else line for line in code.splitlines())
    exec(body, {"op": op, "sa": sa, "sqlmodel": __import__("sqlmodel")})


def _render(upgrade_ops, context):
    from migrakit_bridge.render import render_ops

    return render_ops(upgrade_ops, context)[0]


def _enum_metadata(labels):
    metadata = sa.MetaData()
    sa.Table(
        "item",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.Enum(*labels, name="kind")),
    )
    return metadata


def test_enum_labels_added_and_removed_are_migrated_both_ways(db_url):
    engine = _engine(db_url)
    with engine.begin() as c:
        _enum_metadata(["a", "b"]).create_all(c)
        c.execute(sa.text("INSERT INTO item (id, kind) VALUES (1, 'a')"))
    for labels, want in ((["a", "c", "b"], "{a,c,b}"), (["a", "c"], "{a,c}")):
        with engine.begin() as c:
            context, upgrade = _produce(c, _enum_metadata(labels))
            kinds = [d[0] for d in upgrade.as_diffs()]
            assert kinds == (["add_enum_value"] if "b" in labels else ["remove_enum_value"])
            before = query(db_url, "SELECT enum_range(NULL::kind)::text")[0][0]
            _run(c, context, _render(upgrade, context))
        assert query(db_url, "SELECT enum_range(NULL::kind)::text") == [(want,)]
        with engine.begin() as c:
            context, _ = _produce(c, _enum_metadata(labels))
            _run(c, context, _render(upgrade.reverse(), context))
        assert query(db_url, "SELECT enum_range(NULL::kind)::text") == [(before,)]
        with engine.begin() as c:
            context, _ = _produce(c, _enum_metadata(labels))
            _run(c, context, _render(upgrade, context))
        assert query(db_url, "SELECT id, kind::text FROM item") == [(1, "a")]
    engine.dispose()


def test_varchar_narrowed_or_widened_is_a_type_change(db_url):
    from sqlmodel.sql.sqltypes import AutoString

    engine = _engine(db_url)
    old = sa.MetaData()
    sa.Table(
        "t", old, sa.Column("id", sa.Integer, primary_key=True), sa.Column("a", sa.String), sa.Column("b", sa.String(5))
    )
    new = sa.MetaData()
    sa.Table(
        "t",
        new,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a", AutoString(length=10)),
        sa.Column("b", sa.String),
    )
    with engine.begin() as c:
        old.create_all(c)
        _, upgrade = _produce(c, new)
    changed = {d[0][3]: (str(d[0][5]), str(d[0][6])) for d in upgrade.as_diffs() if isinstance(d, list)}
    assert changed == {"a": ("VARCHAR", "VARCHAR(10)"), "b": ("VARCHAR(5)", "VARCHAR")}
    engine.dispose()


def test_a_not_null_column_added_to_a_table_with_rows_is_added_in_three_steps(db_url):
    from migrakit_bridge.backfill import apply_backfills, drop_noops

    engine = _engine(db_url)
    old = sa.MetaData()
    sa.Table("t", old, sa.Column("id", sa.Integer, primary_key=True))
    new = sa.MetaData()
    sa.Table("t", new, sa.Column("id", sa.Integer, primary_key=True), sa.Column("n", sa.Integer, nullable=False))
    with engine.begin() as c:
        old.create_all(c)
        c.execute(sa.text("INSERT INTO t (id) VALUES (1), (2)"))
    with engine.begin() as c:
        context, upgrade = _produce(c, new)
        found = apply_backfills(upgrade, [{"schema": None, "table": "t", "column": "n", "sql": "7"}])
        assert found == [{"schema": None, "table": "t", "column": "n", "value": "7", "fill_in": False}]
        assert new.tables["t"].c.n.nullable is False, "the ORM's column is not modified"
        _run(c, context, _render(upgrade, context))
    assert query(db_url, "SELECT id, n FROM t ORDER BY id") == [(1, 7), (2, 7)]
    assert query(
        db_url, "SELECT is_nullable FROM information_schema.columns WHERE table_name = 't' AND column_name = 'n'"
    ) == [("NO",)]
    downgrade = upgrade.reverse()
    drop_noops(downgrade)
    with engine.begin() as c:
        context, _ = _produce(c, new)
        _run(c, context, _render(downgrade, context))
    assert query(
        db_url, "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'n'"
    ) == [(0,)]
    # Without a value: the script says so, and on rows SET NOT NULL fails (nothing is lost).
    with engine.begin() as c:
        context, upgrade = _produce(c, new)
        apply_backfills(upgrade, [])
        code = _render(upgrade, context)
    assert "# migrakit: fill in t.n" in code
    with pytest.raises(Exception, match="null values"):
        with engine.begin() as c:
            context, _ = _produce(c, new)
            _run(c, context, code)
    assert query(db_url, "SELECT id FROM t ORDER BY id") == [(1,), (2,)]
    engine.dispose()


def test_ops_are_ordered_by_dependencies_whatever_order_alembic_gave():
    from alembic.operations import ops

    from migrakit_bridge.ordering import order

    metadata = sa.MetaData()
    gone = sa.Table("gone", metadata, sa.Column("id", sa.Integer, primary_key=True))
    child = sa.Table(
        "child",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("gone_id", sa.Integer, sa.ForeignKey("gone.id")),
    )
    parent = sa.Table("parent", metadata, sa.Column("id", sa.Integer, primary_key=True))
    kid = sa.Table(
        "kid",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id")),
    )
    fk = next(iter(child.foreign_key_constraints))
    fk.name = "fk_child_gone"

    def alembic_like():
        return ops.UpgradeOps(
            ops=[
                ops.CreateTableOp.from_table(kid),
                ops.CreateTableOp.from_table(parent),
                ops.DropTableOp.from_table(gone),
                ops.ModifyTableOps(
                    "child",
                    [
                        ops.DropConstraintOp.from_constraint(fk),
                        ops.DropColumnOp.from_column_and_tablename(None, "child", child.c.gone_id),
                    ],
                ),
            ]
        )

    def names(upgrade):
        out = []
        for o in upgrade.ops:
            for x in o.ops if isinstance(o, ops.ModifyTableOps) else [o]:
                out.append(
                    "%s:%s"
                    % (
                        type(x).__name__,
                        getattr(x, "constraint_name", None) or getattr(x, "column_name", None) or x.table_name,
                    )
                )
        return out

    first, second = alembic_like(), alembic_like()
    second.ops.reverse()
    order(first)
    order(second)
    want = [
        "DropConstraintOp:fk_child_gone",
        "CreateTableOp:parent",
        "CreateTableOp:kid",
        "DropColumnOp:gone_id",
        "DropTableOp:gone",
    ]
    assert names(first) == want
    assert names(second) == want
    # The reverse (the downgrade) is valid too: tables back referenced-first, the FK last.
    assert names(first.reverse()) == [
        "CreateTableOp:gone",
        "AddColumnOp:child",
        "DropTableOp:kid",
        "DropTableOp:parent",
        "CreateForeignKeyOp:fk_child_gone",
    ]


def test_schema_moves_and_enum_types_are_ordered_so_both_directions_run():
    """Pure: whatever order the ops come in, the schema is created before tables move into it, a type before
    the table that uses it and after the one that used it last; reversed (the downgrade), the schema the
    tables move back into is created first and the created type dropped after its table."""
    from alembic.operations import ops

    from migrakit_bridge.backfill import drop_noops
    from migrakit_bridge.enums import CreateEnumTypeOp, DropEnumTypeOp, SetEnumSchemaOp
    from migrakit_bridge.ordering import order
    from migrakit_bridge.renames import CreateSchemaOp, KeepSchemaOp, SetSchemaOp

    metadata = sa.MetaData()
    fresh = sa.Table(
        "fresh", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("m", sa.Enum("x", name="mood"))
    )
    gone = sa.Table("gone", metadata, sa.Column("id", sa.Integer, primary_key=True), schema="b")

    def scrambled(reverse):
        out = [
            DropEnumTypeOp("b", "kind", ["a"]),
            ops.DropTableOp.from_table(gone),
            KeepSchemaOp("a"),
            ops.CreateTableOp.from_table(fresh),
            SetEnumSchemaOp("state", "a", "b"),
            SetSchemaOp("owner", "a", "b"),
            CreateEnumTypeOp(None, "mood", ["x"]),
            CreateSchemaOp("b"),
        ]
        return ops.UpgradeOps(ops=list(reversed(out)) if reverse else out)

    for reverse in (False, True):  # within a phase ops keep their order: the dependencies hold either way
        upgrade = scrambled(reverse)
        order(upgrade)
        downgrade = upgrade.reverse()
        drop_noops(downgrade)
        drop_noops(upgrade)
        kinds = [type(o).__name__ for o in upgrade.ops]
        assert kinds.index("CreateSchemaOp") < kinds.index("SetSchemaOp")
        assert kinds.index("CreateEnumTypeOp") < kinds.index("CreateTableOp")
        assert kinds.index("DropTableOp") < kinds.index("DropEnumTypeOp")
        assert "KeepSchemaOp" not in kinds
        back = [(type(o).__name__, getattr(o, "schema", None)) for o in downgrade.ops]
        assert back.index(("CreateSchemaOp", "a")) < back.index(("SetSchemaOp", "a"))
        assert back.index(("CreateSchemaOp", "a")) < [b[0] for b in back].index("SetEnumSchemaOp")
        assert [b[0] for b in back].index("DropTableOp") < [b[0] for b in back].index("DropEnumTypeOp")
        assert [b[0] for b in back].index("CreateEnumTypeOp") < [b[0] for b in back].index("CreateTableOp")


def test_a_request_gets_no_naming_convention_from_the_tree_imported_before_it(tmp_path):
    from sqlmodel import SQLModel

    from migrakit_bridge import package as pkg

    trees = {}
    for name, convention in (("with", '{"pk": "pk_%(table_name)s", "ix": "ix_%(column_0_label)s"}'), ("without", None)):
        root = tmp_path / name
        (root / "careful_pkg").mkdir(parents=True)
        (root / "careful_pkg" / "__init__.py").write_text(
            "from sqlmodel import Field, SQLModel\n"
            + ("SQLModel.metadata.naming_convention = %s\n" % convention if convention else "")
            + "class T(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
        )
        (root / "careful_helper.py").write_text("import careful_pkg\nT = careful_pkg.T\n")
        trees[name] = str(root)
    for first, second in (("with", "without"), ("without", "with"), ("with", "without")):
        for root in (trees[first], trees[second]):
            pkg.import_package({"package": "careful_pkg", "repo_root": root, "import_root": root})
            import importlib

            helper = importlib.import_module("careful_helper")
            assert os.path.dirname(helper.__file__) == root, (
                "a module of the old tree that imports the package is purged too"
            )
            has = "pk" in SQLModel.metadata.naming_convention
            assert has == (root == trees["with"]), (first, second, root)
            assert list(SQLModel.metadata.tables) == ["t"]
    pkg._purge("careful_pkg", trees["with"])
    pkg._purge("careful_pkg", trees["without"])
    for root in trees.values():
        while root in sys.path:
            sys.path.remove(root)
