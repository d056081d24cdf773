"""sequences.py: SERIAL detection read once per comparison gives, column by column, what alembic's own
per-column query gives (the reflected column after ``autogen_column_reflect``), in one query.

The cases are those where the two could part: a serial key, a default on another column's sequence, on a
sequence no column owns, on a sequence in a schema off the search_path, a quoted name, and one relname in
two schemas (alembic's older query matches relname only).
"""

from sqlalchemy import event, inspect

from conftest import _engine
from migrakit_bridge import sequences  # noqa: F401  (installs the batched method)

_DDL = [
    "CREATE TABLE plain (id serial PRIMARY KEY, n integer)",
    "CREATE TABLE borrower (k integer PRIMARY KEY DEFAULT nextval('plain_id_seq'::regclass))",
    "CREATE SEQUENCE loose",
    "CREATE TABLE loosely (id integer DEFAULT nextval('loose'), b bigint DEFAULT nextval('loose'))",
    'CREATE TABLE "Weird" (id serial PRIMARY KEY)',
    "CREATE SCHEMA other",
    "CREATE TABLE other.plain (id serial PRIMARY KEY)",
    "CREATE TABLE other.elsewhere (id bigserial PRIMARY KEY)",
]
_TABLES = [
    (None, "plain"),
    (None, "borrower"),
    (None, "loosely"),
    (None, "Weird"),
    ("other", "plain"),
    ("other", "elsewhere"),
]


def _reflected(connection, method):
    """Every column of _TABLES as the comparison sees it after ``method``, and the statements it took."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import MetaData, Table

    impl = MigrationContext.configure(connection).impl
    inspector = inspect(connection)
    statements = []

    def count(*_args):
        statements.append(1)

    out = []
    for schema, name in _TABLES:
        columns = inspector.get_columns(name, schema=schema)
        table = Table(name, MetaData(), schema=schema)
        event.listen(connection, "before_cursor_execute", count)
        try:
            for info in columns:
                info = dict(info)
                method(impl, inspector, table, info)
                out.append((schema, name, info["name"], info.get("default")))
        finally:
            event.remove(connection, "before_cursor_execute", count)
    return out, len(statements)


def test_batched_serial_detection_answers_as_alembic_does(db_url):
    from alembic.ddl.postgresql import PostgresqlImpl

    batched = PostgresqlImpl.autogen_column_reflect
    assert getattr(batched, "_migrakit_batched", False), "this alembic's query is not one sequences.py knows"
    engine = _engine(db_url)
    with engine.connect() as connection:
        for statement in _DDL:
            connection.exec_driver_sql(statement)
        theirs, their_statements = _reflected(connection, batched._migrakit_original)
        ours, our_statements = _reflected(connection, batched)
    engine.dispose()
    assert ours == theirs, (ours, theirs)
    # The serial keys lost their default (the comparison is not vacuous), the borrowed and loose ones kept it.
    by_column = {(s, t, c): d for s, t, c, d in theirs}
    assert by_column[(None, "plain", "id")] is None
    assert by_column[(None, "borrower", "k")] is not None
    assert by_column[(None, "loosely", "b")] is not None
    # alembic's own query ran once per column with a nextval default; ours once, plus those it left to alembic.
    assert their_statements >= 6
    assert our_statements < their_statements
