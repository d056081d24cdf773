"""The labels of Postgres enum types, compared with the Python ``Enum`` of the ORM (alembic does not).

A value added to a Python ``Enum`` used by a column needs ``ALTER TYPE … ADD VALUE`` on every instance, or
rows with the new value cannot be written. Registered as an alembic comparator, so ``compare`` (the check)
and ``generate`` both see it:

- an added label → ``ALTER TYPE … ADD VALUE IF NOT EXISTS 'x' [BEFORE|AFTER 'y']``, in the migration's
  transaction on Postgres 12 and later, in an autocommit block before 12 (which refuses it in a transaction;
  the static check accepts exactly that form, docs/lint.md); its reverse re-creates the type without the label;
- a removed label → the type is re-created with the ORM's labels and each column using it is cast to the new type (a
  row holding the removed label makes the cast fail: nothing is lost). That is destructive: its structured
  diff says ``"destructive": true`` and the lint decides whether it may go in.

Whole types follow the tables and columns that use them (``follow_types``, run by generate and compare
after the renames): alembic creates a type inside ``create_table`` only, never drops one, and fails on a type
that exists already. So every enum column is rendered ``postgresql.ENUM(…, create_type=False)``
(``render_item``) and the types are ops of their own, each with its reverse:

- a type the ORM uses that the database lacks, needed by a created table or column → ``CREATE TYPE`` first
  (its reverse, in the downgrade, ``DROP TYPE`` after the tables: no type is left behind);
- a type whose every column in the database is dropped by the script, and that the ORM no longer uses →
  ``DROP TYPE`` after them (the downgrade re-creates it with the labels it had, before the tables);
- a type the ORM wants in another schema, where the database has one of that name the ORM no longer wants
  (its tables moved) → ``ALTER TYPE … SET SCHEMA`` with the tables' own moves; labels added meanwhile follow.
"""

import sys

from alembic.autogenerate import comparators, renderers
from alembic.operations import ops

from .quoting import default_schema, ident, py_str, qualified


def _deferred():
    """alembic-postgresql-enum does all of this itself once the repo's env.py imports it (its comparators are
    then registered with alembic): migrakit steps aside rather than write every type and label twice."""
    return "alembic_postgresql_enum" in sys.modules


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


def _users_in_database(connection, default_schema):
    """{(schema, name): [(table schema, table, column)]} of the columns in the database using each enum type."""
    from sqlalchemy import text

    rows = connection.execute(
        text(
            "SELECT n.nspname, t.typname, tn.nspname, c.relname, a.attname FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace tn ON tn.oid = c.relnamespace "
            "JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE t.typtype = 'e' AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')"
        )
    ).fetchall()
    out = {}
    for schema, name, t_schema, table, column in rows:
        key = (None if schema == default_schema else schema, name)
        out.setdefault(key, []).append((None if t_schema == default_schema else t_schema, table, column))
    return out


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


class CreateEnumTypeOp(ops.MigrateOperation):
    phase = 2  # before the tables and columns that use it (ordering.py); reversed, after they are dropped

    def __init__(self, schema, name, labels):
        self.schema, self.name, self.labels = schema, name, list(labels)

    def reverse(self):
        return DropEnumTypeOp(self.schema, self.name, self.labels)

    def to_diff_tuple(self):
        return ("add_enum_type", self.schema, self.name, self.labels)


class DropEnumTypeOp(ops.MigrateOperation):
    phase = 6  # after the tables and columns that used it (with the table drops, after them)

    def __init__(self, schema, name, labels):
        self.schema, self.name, self.labels = schema, name, list(labels)

    def reverse(self):
        return CreateEnumTypeOp(self.schema, self.name, self.labels)

    def to_diff_tuple(self):
        return ("remove_enum_type", self.schema, self.name, self.labels)


class SetEnumSchemaOp(ops.MigrateOperation):
    """``ALTER TYPE old.kind SET SCHEMA new``: columns keep using it (they point at the type, not its name)."""

    phase = 2  # with the tables' own SET SCHEMA

    def __init__(self, name, old_schema, new_schema):
        self.name, self.old_schema, self.new_schema = name, old_schema, new_schema

    def reverse(self):
        return SetEnumSchemaOp(self.name, self.new_schema, self.old_schema)

    def to_diff_tuple(self):
        return ("set_enum_schema", self.old_schema, self.name, self.new_schema)


def _literal(value):
    return "'%s'" % value.replace("'", "''")


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
        qualified(autogen_context, op.schema, op.name),
        _literal(op.value),
        position,
    )


@renderers.dispatch_for(AddEnumValueOp)
def _render_add_value(autogen_context, op):
    # In the migration's own transaction where Postgres allows it (12 and later): deploy stays all-or-nothing.
    # Before 12 Postgres refuses ADD VALUE in a transaction block: there alone it runs in an autocommit block,
    # the one form of transaction control the static check accepts (IF NOT EXISTS: idempotent; a label no row
    # uses harms nothing if the rest rolls back). Offline (--sql) there is no server to ask: the first form.
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    line = "%sexecute(%s)" % (prefix, py_str(_add_value_sql(autogen_context, op)))
    return "\n".join(
        [
            "if (%sget_context().dialect.server_version_info or (12,)) < (12,):" % prefix,
            "    with %sget_context().autocommit_block():" % prefix,
            "        " + line,
            "else:",
            "    " + line,
        ]
    )


def _recreate_lines(autogen_context, prefix, schema, name, labels, users):
    full = qualified(autogen_context, schema, name)
    old = ident(autogen_context, name + "_old")
    lines = [
        "ALTER TYPE %s RENAME TO %s" % (full, old),
        "CREATE TYPE %s AS ENUM (%s)" % (full, ", ".join(_literal(v) for v in labels)),
    ]
    for t_schema, table, column in users:
        target = qualified(autogen_context, t_schema, table)
        col = ident(autogen_context, column)
        lines.append("ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s::text::%s" % (target, col, full, col, full))
    lines.append("DROP TYPE %s" % qualified(autogen_context, schema, name + "_old"))
    return ["%sexecute(%s)" % (prefix, py_str(sql)) for sql in lines]


@renderers.dispatch_for(RecreateEnumOp)
def _render_recreate(autogen_context, op):
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    return "\n".join(_recreate_lines(autogen_context, prefix, op.schema, op.name, op.labels_after, op.users))


@renderers.dispatch_for(CreateEnumTypeOp)
def _render_create_type(autogen_context, op):
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    sql = "CREATE TYPE %s AS ENUM (%s)" % (
        qualified(autogen_context, op.schema, op.name),
        ", ".join(_literal(v) for v in op.labels),
    )
    return "%sexecute(%s)" % (prefix, py_str(sql))


@renderers.dispatch_for(DropEnumTypeOp)
def _render_drop_type(autogen_context, op):
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    return "%sexecute(%s)" % (prefix, py_str("DROP TYPE %s" % qualified(autogen_context, op.schema, op.name)))


@renderers.dispatch_for(SetEnumSchemaOp)
def _render_set_type_schema(autogen_context, op):
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    default = default_schema(autogen_context)
    sql = "ALTER TYPE %s SET SCHEMA %s" % (
        qualified(autogen_context, op.old_schema or default, op.name),
        ident(autogen_context, op.new_schema or default),
    )
    return "%sexecute(%s)" % (prefix, py_str(sql))


def _native(type_):
    from sqlalchemy import Enum

    return isinstance(type_, Enum) and getattr(type_, "native_enum", True) and bool(type_.name)


def render_item(type_, obj, autogen_context):
    """A native enum column type as ``postgresql.ENUM(…, create_type=False)``: its type is an op of its own
    (``follow_types``), so ``create_table`` must not create it too (it would fail on a type that exists)."""
    dialect = getattr(autogen_context, "dialect", None)
    if type_ != "type" or not _native(obj) or getattr(dialect, "name", None) != "postgresql" or _deferred():
        return False
    autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
    args = [repr(v) for v in obj.enums] + ["name=%r" % obj.name]
    if obj.schema:
        args.append("schema=%r" % obj.schema)
    args.append("create_type=False")
    return "postgresql.ENUM(%s)" % ", ".join(args)


def _type_key(type_):
    return ((type_.schema or None), type_.name) if _native(type_) else None


def _used_by_new_things(upgrade_ops):
    """Enum types the created tables, added columns and type changes of the ops use."""
    out = set()

    def look(op):
        if isinstance(op, ops.CreateTableOp):
            types = [c.type for c in op.columns if hasattr(c, "type")]
        elif isinstance(op, ops.AddColumnOp):
            types = [op.column.type]
        elif isinstance(op, ops.AlterColumnOp) and op.modify_type is not None:
            types = [op.modify_type]
        else:
            types = []
        out.update(k for k in map(_type_key, types) if k)

    for op in upgrade_ops.ops:
        for child in op.ops if isinstance(op, ops.ModifyTableOps) else [op]:
            look(child)
    return out


def _dropped(upgrade_ops):
    """((schema, table) of dropped tables, (schema, table, column) of dropped columns)."""
    tables, columns = set(), set()
    for op in upgrade_ops.ops:
        if isinstance(op, ops.DropTableOp):
            tables.add((op.schema or None, op.table_name))
        elif isinstance(op, ops.ModifyTableOps):
            for child in op.ops:
                if isinstance(child, ops.DropColumnOp):
                    columns.add((op.schema or None, op.table_name, child.column_name))
    return tables, columns


def _tables_moved(upgrade_ops):
    """(schema, table) in the database of the tables the script moves to another schema (renames.py's ops)."""
    out = set()
    for op in upgrade_ops.ops:
        if type(op).__name__ == "SetSchemaOp":  # renames.py stands above this module: known by name
            out.add((op.old_schema or None, op.table_name))
    return out


def _key_order(key):
    return (key[0] or "", key[1])


def database_types(context):
    """What follow_types reads from the database (None: nothing to follow there), read while the connection is
    open: generate's kept comparison applies renames later, on the same untouched database, with none open."""
    connection = context.connection
    if connection is None or connection.dialect.name != "postgresql" or _deferred():
        return None
    default = connection.dialect.default_schema_name
    have = _labels_in_database(connection, default)
    return {"have": have, "users": _users_in_database(connection, default) if have else {}}


_READ_NOW = object()


def follow_types(upgrade_ops, context, found=_READ_NOW):
    """Add the CREATE TYPE / DROP TYPE / SET SCHEMA ops of the enum types the script's tables need.

    ``found``: database_types(context) read earlier (the kept comparison's), else read now."""
    found = database_types(context) if found is _READ_NOW else found
    if found is None:
        return
    wanted = _enum_types(_metadatas(context))
    have = found["have"]
    front, middle, back, moved = [], [], [], set()
    new_things = _used_by_new_things(upgrade_ops)
    users = found["users"]
    tables_moved = _tables_moved(upgrade_ops)

    def follows(old, key):
        # Only a type whose every column is in a table the script moves, or is the ORM's column of the new
        # type: a type of the same name that other tables (another package's) still use stays where it is.
        orm = set(wanted[key][1])
        return all((c[0], c[1]) in tables_moved or c in orm for c in users.get(old, []))

    for key in sorted(wanted, key=_key_order):
        if key in have:
            continue
        schema, name = key
        elsewhere = [k for k in have if k[1] == name and k not in wanted and k not in moved and follows(k, key)]
        if len(elsewhere) == 1:
            old = elsewhere[0]
            moved.add(old)
            middle.append(SetEnumSchemaOp(name, old[0], schema))
            labels, users = wanted[key]
            before = have[old]
            if all(label in labels for label in before):  # labels added meanwhile, at the new place
                for value in labels:
                    if value not in before:
                        after = [v for v in labels if v in before or v == value]
                        middle.append(
                            AddEnumValueOp(
                                schema,
                                name,
                                value,
                                before,
                                after,
                                sorted(set(users), key=lambda u: (u[0] or "", u[1], u[2])),
                            )
                        )
                        before = after
            continue
        if key in new_things:
            front.append(CreateEnumTypeOp(schema, name, wanted[key][0]))
    tables, columns = _dropped(upgrade_ops)
    for key in sorted(have, key=_key_order):
        if key in wanted or key in moved:
            continue
        cols = users.get(key, [])
        if cols and all((c[0], c[1]) in tables or c in columns for c in cols):
            back.append(DropEnumTypeOp(key[0], key[1], have[key]))
    # Created types first; moves after the tables' own (reversed, the labels go while the tables are still
    # at the new place, then the type moves back with them); drops last.
    upgrade_ops.ops[:0] = front
    upgrade_ops.ops.extend(middle + back)


def _metadatas(context):
    target = context.opts.get("target_metadata")
    if target is None:
        return []
    return list(target) if isinstance(target, (list, tuple)) else [target]


def _targets(autogen_context):
    metadata = autogen_context.metadata
    if metadata is None:
        return []
    return list(metadata) if isinstance(metadata, (list, tuple)) else [metadata]


def compare_enum_values(autogen_context, upgrade_ops, schemas):
    connection = autogen_context.connection
    if connection is None or connection.dialect.name != "postgresql" or _deferred():
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
