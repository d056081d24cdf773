"""A NOT NULL column added to a table that may have rows, in the form that works when it has some.

alembic writes ``add_column(..., nullable=False)``, which Postgres refuses on any table with a row (there
is no value to put in the new column). Unless the column has a server default, the column is added in
three steps instead: added nullable, existing rows given a value, then ``SET NOT NULL``:

- the value is the SQL expression the user gave (``migrakit generate --backfill schema.table.column=SQL``);
- without one, the script says so where a person reads it: a ``migrakit: fill in`` comment over an UPDATE
  that sets NULL, so that on a table with rows the ``SET NOT NULL`` fails (the transaction rolls back,
  nothing is lost) until a value is filled in; on an empty table it is correct as written.

The downgrade is the reverse: ``DROP NOT NULL`` then drop the column (the UPDATE has no reverse).
"""

from alembic.autogenerate import renderers
from alembic.operations import ops

from .quoting import ident, py_str, qualified

PLACEHOLDER = "NULL"


class BackfillOp(ops.MigrateOperation):
    phase = 4  # with the column adds and alters (ordering.py), between its add and its SET NOT NULL

    def __init__(self, table_name, column_name, value, schema=None):
        self.table_name, self.column_name, self.value, self.schema = table_name, column_name, value, schema

    @property
    def fill_in(self):
        return self.value is None

    def reverse(self):
        return _NoOp()

    def to_diff_tuple(self):
        return ("backfill", self.schema, self.table_name, self.column_name, self.value)


class _NoOp(ops.MigrateOperation):
    """What a backfill leaves in the downgrade: nothing (removed before rendering)."""

    phase = 4

    def reverse(self):
        return _NoOp()

    def to_diff_tuple(self):
        return ("noop",)


@renderers.dispatch_for(BackfillOp)
def _render_backfill(autogen_context, op):
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    table = qualified(autogen_context, op.schema, op.table_name)
    column = ident(autogen_context, op.column_name)
    value = PLACEHOLDER if op.value is None else op.value
    sql = "UPDATE %s SET %s = %s WHERE %s IS NULL" % (table, column, value, column)
    line = "%sexecute(%s)" % (prefix, py_str(sql))
    if op.value is not None:
        return line
    where = ".".join(p for p in (op.schema, op.table_name, op.column_name) if p)
    return "\n".join(
        [
            "# migrakit: fill in %s: every existing row needs a value before SET NOT NULL. Replace NULL below" % where,
            "# with a SQL expression (e.g. 'unknown' or 0), or generate again with --backfill %s=SQL." % where,
            "# As written, this script only works on a table with no rows.",
            line,
        ]
    )


def _needs_backfill(op):
    column = getattr(op, "column", None)
    return (
        isinstance(op, ops.AddColumnOp)
        and column is not None
        and not column.nullable
        and column.server_default is None
        and not column.primary_key
    )


def _nullable_copy(column):
    copy = column._copy() if hasattr(column, "_copy") else column.copy()
    copy.nullable = True
    return copy


def apply_backfills(upgrade_ops, given):
    """Rewrite NOT NULL column adds of existing tables in place; returns each one as a dict.

    ``given``: [{"schema", "table", "column", "sql"}] from --backfill. The ORM's column is never modified
    (the helper serves more requests from the same imported metadata): the nullable add uses a copy.
    """
    values = {((g.get("schema") or None), g["table"], g["column"]): g["sql"] for g in given or []}
    found = []
    for modify in [o for o in upgrade_ops.ops if isinstance(o, ops.ModifyTableOps)]:
        rewritten = []
        for op in modify.ops:
            if not _needs_backfill(op):
                rewritten.append(op)
                continue
            schema, table, column = op.schema or None, op.table_name, op.column.name
            value = values.get((schema, table, column))
            rewritten += [
                ops.AddColumnOp(table, _nullable_copy(op.column), schema=op.schema),
                BackfillOp(table, column, value, schema=op.schema),
                ops.AlterColumnOp(
                    table,
                    column,
                    schema=op.schema,
                    existing_type=op.column.type,
                    existing_nullable=True,
                    modify_nullable=False,
                ),
            ]
            found.append({"schema": schema, "table": table, "column": column, "value": value, "fill_in": value is None})
        modify.ops[:] = rewritten
    return found


def drop_noops(ops_container):
    """Remove the reverses of backfills (and containers they leave empty) from a downgrade."""
    kept = []
    for op in ops_container.ops:
        if isinstance(op, _NoOp):
            continue
        if isinstance(op, ops.ModifyTableOps):
            drop_noops(op)
            if not op.ops:
                continue
        kept.append(op)
    ops_container.ops[:] = kept
