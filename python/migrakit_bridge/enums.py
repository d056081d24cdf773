"""The labels of Postgres enum types, compared with the Python ``Enum`` of the ORM (alembic does not).

A value added to a Python ``Enum`` used by a column needs ``ALTER TYPE … ADD VALUE`` on every instance, or
rows with the new value cannot be written. Registered as an alembic comparator, so ``compare`` (the check)
and ``generate`` both see it:

- an added label → ``ALTER TYPE … ADD VALUE IF NOT EXISTS 'x' [BEFORE|AFTER 'y']``, in the migration's
  transaction (Postgres 12 and later; before 12 Postgres refuses it there, and an autocommit block would
  break deploy's all-or-nothing, which the check flags); its reverse re-creates the type without the label;
- a removed label → the type is re-created with the ORM's labels and each column using it is cast to the new type (a
  row holding the removed label makes the cast fail: nothing is lost). That is destructive: its structured
  diff says ``"destructive": true`` and the lint decides whether it may go in.

Creating and dropping whole enum types is alembic's (and env.py's) business, not this module's.
"""

from alembic.autogenerate import comparators, renderers
from alembic.operations import ops


def _enum_types(metadata_list):
    """{(schema, name): (labels, [(table schema, table, column)])} of the ORM's native Postgres enums."""
    from sqlalchemy import Enum

    found = {}
    for metadata in metadata_list:
        for table in metadata.tables.values():
            for column in table.columns:
                type_ = column.type
                if not isinstance(type_, Enum) or not getattr(type_, "native_enum", True) or not type_.name:
                    continue
                key = (type_.schema or None, type_.name)
                labels, users = found.setdefault(key, (list(type_.enums), []))
                users.append((table.schema, table.name, column.name))
    return found


def _labels_in_database(connection, default_schema):
    from sqlalchemy import text

    rows = connection.execute(
        text(
            "SELECT n.nspname, t.typname, e.enumlabel FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "JOIN pg_enum e ON e.enumtypid = t.oid ORDER BY n.nspname, t.typname, e.enumsortorder"
        )
    ).fetchall()
    out = {}
    for schema, name, label in rows:
        out.setdefault((None if schema == default_schema else schema, name), []).append(label)
    return out


class AddEnumValueOp(ops.MigrateOperation):
    phase = 2  # before the tables and columns that may use the new value (ordering.py)

    def __init__(self, schema, name, value, labels_before, labels_after, users):
        self.schema, self.name, self.value = schema, name, value
        self.labels_before, self.labels_after, self.users = labels_before, labels_after, users

    def reverse(self):
        return RecreateEnumOp(self.schema, self.name, self.labels_after, self.labels_before, self.users, added=self)

    def to_diff_tuple(self):
        return ("add_enum_value", self.schema, self.name, self.value)


class RecreateEnumOp(ops.MigrateOperation):
    """The type re-created with another list of labels (some removed), each column cast to it."""

    phase = 5  # after the columns that stop using the removed labels are altered or dropped

    def __init__(self, schema, name, labels_before, labels_after, users, added=None):
        self.schema, self.name = schema, name
        self.labels_before, self.labels_after, self.users = labels_before, labels_after, users
        self.added = added

    @property
    def removed(self):
        return [label for label in self.labels_before if label not in self.labels_after]

    def reverse(self):
        if self.added is not None:
            return self.added
        return RecreateEnumOp(self.schema, self.name, self.labels_after, self.labels_before, self.users)

    def to_diff_tuple(self):
        return ("remove_enum_value", self.schema, self.name, self.removed, self.labels_after)


def _q(value):
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


def _literal(value):
    return "'%s'" % value.replace("'", "''")


def _quote(autogen_context, name):
    return autogen_context.dialect.identifier_preparer.quote(name) if autogen_context.dialect else name


def _type_name(autogen_context, schema, name):
    return (
        ("%s.%s" % (_quote(autogen_context, schema), _quote(autogen_context, name)))
        if schema
        else _quote(autogen_context, name)
    )


def _add_value_sql(autogen_context, op):
    labels = op.labels_after
    at = labels.index(op.value)
    # After the label it follows in the ORM's list when that label exists already, else before the next one.
    position = ""
    if at > 0 and labels[at - 1] in op.labels_before:
        position = " AFTER %s" % _literal(labels[at - 1])
    elif at + 1 < len(labels) and labels[at + 1] in op.labels_before:
        position = " BEFORE %s" % _literal(labels[at + 1])
    return "ALTER TYPE %s ADD VALUE IF NOT EXISTS %s%s" % (
        _type_name(autogen_context, op.schema, op.name),
        _literal(op.value),
        position,
    )


@renderers.dispatch_for(AddEnumValueOp)
def _render_add_value(autogen_context, op):
    # In the migration's own transaction (Postgres 12 and later allow it there): no autocommit block, which
    # would escape deploy's all-or-nothing. Before 12 Postgres refuses the statement and the deploy rolls back.
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    return "%sexecute(%s)" % (prefix, _q(_add_value_sql(autogen_context, op)))


def _recreate_lines(autogen_context, prefix, schema, name, labels, users):
    full = _type_name(autogen_context, schema, name)
    old = _quote(autogen_context, name + "_old")
    lines = [
        "ALTER TYPE %s RENAME TO %s" % (full, old),
        "CREATE TYPE %s AS ENUM (%s)" % (full, ", ".join(_literal(v) for v in labels)),
    ]
    for t_schema, table, column in users:
        qualified = _type_name(autogen_context, t_schema, table)
        col = _quote(autogen_context, column)
        lines.append("ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s::text::%s" % (qualified, col, full, col, full))
    lines.append("DROP TYPE %s" % ((_quote(autogen_context, schema) + "." + old) if schema else old))
    return ["%sexecute(%s)" % (prefix, _q(sql)) for sql in lines]


@renderers.dispatch_for(RecreateEnumOp)
def _render_recreate(autogen_context, op):
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    return "\n".join(_recreate_lines(autogen_context, prefix, op.schema, op.name, op.labels_after, op.users))


def _targets(autogen_context):
    metadata = autogen_context.metadata
    if metadata is None:
        return []
    return list(metadata) if isinstance(metadata, (list, tuple)) else [metadata]


def compare_enum_values(autogen_context, upgrade_ops, schemas):
    connection = autogen_context.connection
    if connection is None or connection.dialect.name != "postgresql":
        return
    wanted = _enum_types(_targets(autogen_context))
    if not wanted:
        return
    have = _labels_in_database(connection, connection.dialect.default_schema_name)
    for schema, name in sorted(wanted, key=lambda k: (k[0] or "", k[1])):
        labels, users = wanted[(schema, name)]
        existing = have.get((schema, name))
        if existing is None or existing == labels:
            continue  # a new type is created with its table; reordered labels are left alone
        users = sorted(set(users), key=lambda u: (u[0] or "", u[1], u[2]))
        if any(label not in labels for label in existing):
            # A label goes: one re-creation with the ORM's labels (the added ones included).
            upgrade_ops.ops.append(RecreateEnumOp(schema, name, existing, list(labels), users))
            continue
        before = existing
        for value in labels:
            if value not in before:
                after = [v for v in labels if v in before or v == value]
                upgrade_ops.ops.append(AddEnumValueOp(schema, name, value, before, after, users))
                before = after


def _register():
    # A subgroup of its own (alembic >= 1.18): alembic's comparators that answer STOP for their subgroup
    # must not skip this one. Older alembic has no subgroups.
    try:
        comparators.dispatch_for("schema", subgroup="migrakit_enum_values")(compare_enum_values)
    except TypeError:
        comparators.dispatch_for("schema")(compare_enum_values)


_register()
