"""Renames in alembic's ops model: a dropped + added column (or table) becomes one rename.

alembic's autogenerate cannot tell a rename from a drop and an add, so it writes ``drop_column`` +
``add_column`` and the data of the column is lost. Which pairs are renames is decided on the TypeScript
side (src/generate/renames.ts, pure, over the structured diffs); this module only applies those decisions
to the ops alembic produced, before rendering:

- the drop/add pair becomes a rename op (``op.alter_column(..., new_column_name=...)`` or
  ``op.rename_table``), plus an ``alter_column`` for any type/nullability difference of an explicit rename;
- indexes and constraints whose drop + create only differ by the renamed column/table are not dropped and
  re-created: Postgres keeps them attached to the renamed object, so they are left alone when their name
  stays, and renamed (``ALTER INDEX … RENAME TO``, ``ALTER TABLE … RENAME CONSTRAINT``) when the naming
  convention gives them a new name;
- that includes foreign keys of other tables that point at the renamed column or table.

Like alembic, each new op knows its ``reverse()``, so the downgrade is the reversed upgrade, and each has a
renderer registered in alembic's dispatch table.
"""

from alembic.autogenerate import renderers
from alembic.operations import ops

from .diffs import _foreign_key


def _q(value):
    """A Python string literal with double quotes (the seed's style for these ops)."""
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


def _schema_kw(schema):
    return ", schema=%s" % _q(schema) if schema else ""


class RenameColumnOp(ops.MigrateOperation):
    def __init__(self, table_name, old, new, schema=None):
        self.table_name, self.old, self.new, self.schema = table_name, old, new, schema

    def reverse(self):
        return RenameColumnOp(self.table_name, self.new, self.old, self.schema)

    def to_diff_tuple(self):
        return ("rename_column", self.schema, self.table_name, self.old, self.new)


class RenameTableOp(ops.MigrateOperation):
    def __init__(self, old, new, schema=None):
        self.old, self.new, self.schema = old, new, schema
        self.table_name = new

    def reverse(self):
        return RenameTableOp(self.new, self.old, self.schema)

    def to_diff_tuple(self):
        return ("rename_table", self.schema, self.old, self.new)


class RenameIndexOp(ops.MigrateOperation):
    def __init__(self, old, new, schema=None):
        self.old, self.new, self.schema = old, new, schema

    def reverse(self):
        return RenameIndexOp(self.new, self.old, self.schema)

    def to_diff_tuple(self):
        return ("rename_index", self.schema, self.old, self.new)


class RenameConstraintOp(ops.MigrateOperation):
    """Renames a constraint of ``table_name`` (the table's name when the op runs)."""

    def __init__(self, table_name, old, new, schema=None, reverse_table=None):
        self.table_name, self.old, self.new, self.schema = table_name, old, new, schema
        # A constraint of a renamed table is renamed after the table: its reverse runs before the table's.
        self.reverse_table = reverse_table or table_name

    def reverse(self):
        return RenameConstraintOp(self.reverse_table, self.new, self.old, self.schema, self.table_name)

    def to_diff_tuple(self):
        return ("rename_constraint", self.schema, self.table_name, self.old, self.new)


def _ident(autogen_context, name):
    return autogen_context.dialect.identifier_preparer.quote(name) if autogen_context.dialect else name


def _qualified(autogen_context, schema, name):
    name = _ident(autogen_context, name)
    return "%s.%s" % (_ident(autogen_context, schema), name) if schema else name


@renderers.dispatch_for(RenameColumnOp)
def _render_rename_column(autogen_context, op):
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    return "%salter_column(%s, column_name=%s, new_column_name=%s%s)" % (
        prefix, _q(op.table_name), _q(op.old), _q(op.new), _schema_kw(op.schema))


@renderers.dispatch_for(RenameTableOp)
def _render_rename_table(autogen_context, op):
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    return "%srename_table(%s, %s%s)" % (prefix, _q(op.old), _q(op.new), _schema_kw(op.schema))


@renderers.dispatch_for(RenameIndexOp)
def _render_rename_index(autogen_context, op):
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    sql = "ALTER INDEX %s RENAME TO %s" % (_qualified(autogen_context, op.schema, op.old), _ident(autogen_context, op.new))
    return "%sexecute(%s)" % (prefix, _q(sql))


@renderers.dispatch_for(RenameConstraintOp)
def _render_rename_constraint(autogen_context, op):
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    sql = "ALTER TABLE %s RENAME CONSTRAINT %s TO %s" % (
        _qualified(autogen_context, op.schema, op.table_name), _ident(autogen_context, op.old), _ident(autogen_context, op.new))
    return "%sexecute(%s)" % (prefix, _q(sql))


class Renames:
    """The rename instructions as look-ups: (schema, table) → new table, (schema, table, column) → new column.

    Column renames are keyed by the table's name in the ORM (a table and its columns are not renamed at once).
    """

    def __init__(self, instructions):
        self.tables = {}
        self.columns = {}
        for r in instructions or []:
            schema = r.get("schema") or None
            if r["kind"] == "table":
                self.tables[(schema, r["from"])] = r["to"]
            else:
                self.columns[(schema, r["table"], r["from"])] = r["to"]

    def __bool__(self):
        return bool(self.tables or self.columns)

    def table(self, schema, name):
        return self.tables.get((schema or None, name), name)

    def column(self, schema, table, name):
        """A column of the database's ``table`` as the ORM names it."""
        return self.columns.get((schema or None, self.table(schema, table), name), name)


def _fk_signature(constraint, renames):
    """What identifies a foreign key apart from its name, with the database side's names renamed."""
    fk = _foreign_key(constraint)
    table = constraint.table
    schema = table.schema if table is not None else None
    tname = table.name if table is not None else None
    ref_schema, ref_table = fk["referred_schema"], fk["referred_table"]
    return (
        "fk", schema, renames.table(schema, tname),
        tuple(renames.column(schema, tname, c) for c in fk["columns"]),
        ref_schema, renames.table(ref_schema, ref_table),
        tuple(renames.column(ref_schema, ref_table, c) for c in fk["referred_columns"]),
        constraint.ondelete, constraint.onupdate, bool(constraint.deferrable), constraint.initially,
    )


def _constraint_signature(constraint, renames):
    from sqlalchemy import ForeignKeyConstraint, UniqueConstraint

    if isinstance(constraint, ForeignKeyConstraint):
        return _fk_signature(constraint, renames)
    if isinstance(constraint, UniqueConstraint):
        table = constraint.table
        return ("uq", table.schema, renames.table(table.schema, table.name),
                tuple(renames.column(table.schema, table.name, c.name) for c in constraint.columns))
    return None


def _index_signature(index, renames):
    table = index.table
    cols = []
    for expr in index.expressions:
        name = getattr(expr, "name", None)
        if name is None:
            return None  # a functional index: leave alembic's drop + create alone
        cols.append(renames.column(table.schema, table.name, name))
    return ("ix", table.schema, renames.table(table.schema, table.name), tuple(cols), bool(index.unique))


def _constraint_of(op):
    try:
        return op.to_constraint()
    except Exception:  # noqa: BLE001 - a drop without its reflected constraint cannot be matched
        return None


def _index_of(op):
    try:
        return op.to_index()
    except Exception:  # noqa: BLE001
        return None


def _name(value):
    return value if isinstance(value, str) else (str(value) if value is not None else None)


class _Applier:
    def __init__(self, upgrade_ops, renames):
        self.upgrade_ops = upgrade_ops
        self.renames = renames
        self.applied = []

    # -- tables ------------------------------------------------------------------------------------
    def tables(self):
        top = self.upgrade_ops.ops
        for (schema, old), new in self.renames.tables.items():
            drop = next((o for o in top if isinstance(o, ops.DropTableOp) and o.table_name == old and (o.schema or None) == schema), None)
            create = next((o for o in top if isinstance(o, ops.CreateTableOp) and o.table_name == new and (o.schema or None) == schema), None)
            if drop is None or create is None:
                continue
            extra = self._table_constraint_renames(drop, create, schema)
            at = top.index(create)
            top[at] = RenameTableOp(old, new, schema)
            top.remove(drop)
            if extra:
                top.insert(top.index(top[at]) + 1, ops.ModifyTableOps(new, extra, schema=schema))
            self.applied.append({"kind": "table", "schema": schema, "from": old, "to": new})

    def _table_constraint_renames(self, drop, create, schema):
        """Named constraints of the table (primary key, uniques, checks) whose convention name follows the table."""
        try:
            old_table, new_table = drop.to_table(), create.to_table()
        except Exception:  # noqa: BLE001
            return []
        from sqlalchemy import ForeignKeyConstraint, PrimaryKeyConstraint

        def keyed(table):
            out = {}
            for c in table.constraints:
                if isinstance(c, ForeignKeyConstraint):
                    continue  # foreign keys are matched with the other tables' ones below
                if isinstance(c, PrimaryKeyConstraint):
                    key = ("pk",)
                else:
                    key = (type(c).__name__, tuple(sorted(col.name for col in c.columns)))
                out[key] = _name(c.name)
            return out

        before, after = keyed(old_table), keyed(new_table)
        renames = []
        for key, old_name in before.items():
            new_name = after.get(key)
            if old_name and new_name and old_name != new_name:
                renames.append(RenameConstraintOp(new_table.name, old_name, new_name, schema, reverse_table=new_table.name))
        # Foreign keys that leave the renamed table follow it too.
        for fk in [c for c in new_table.constraints if isinstance(c, ForeignKeyConstraint)]:
            sig = _fk_signature(fk, self.renames)
            match = next((c for c in old_table.constraints if isinstance(c, ForeignKeyConstraint) and _fk_signature(c, self.renames) == sig), None)
            if match is not None and _name(match.name) and _name(fk.name) and _name(match.name) != _name(fk.name):
                renames.append(RenameConstraintOp(new_table.name, _name(match.name), _name(fk.name), schema))
        return renames

    # -- columns -----------------------------------------------------------------------------------
    def columns(self):
        for modify in self._modify_ops():
            schema = modify.schema or None
            for (r_schema, table, old), new in self.renames.columns.items():
                if r_schema != schema or table != modify.table_name:
                    continue
                drop = next((o for o in modify.ops if isinstance(o, ops.DropColumnOp) and o.column_name == old), None)
                add = next((o for o in modify.ops if isinstance(o, ops.AddColumnOp) and o.column.name == new), None)
                if drop is None or add is None:
                    continue
                at = modify.ops.index(add)
                modify.ops[at:at + 1] = [RenameColumnOp(table, old, new, schema)] + self._differences(drop, add)
                modify.ops.remove(drop)
                self.applied.append({"kind": "column", "schema": schema, "table": table, "from": old, "to": new})

    def _differences(self, drop, add):
        """An explicit rename may also change the column: say so with an alter_column after the rename."""
        try:
            old = drop.to_column()
        except Exception:  # noqa: BLE001
            return []
        new = add.column
        from .diffs import type_text

        kw = {}
        if type_text(old.type) != type_text(new.type):
            kw["modify_type"] = new.type
        if bool(old.nullable) != bool(new.nullable):
            kw["modify_nullable"] = bool(new.nullable)
        if not kw:
            return []
        return [ops.AlterColumnOp(add.table_name, new.name, schema=add.schema, existing_type=old.type,
                                  existing_nullable=bool(old.nullable), **kw)]

    # -- indexes and constraints -------------------------------------------------------------------
    def dependents(self):
        """Drop + create pairs of indexes and constraints that only differ by a rename: elide or rename."""
        creates = []
        for modify in self._modify_ops():
            for o in modify.ops:
                if isinstance(o, ops.CreateIndexOp):
                    index = _index_of(o)
                    sig = _index_signature(index, Renames(())) if index is not None else None
                    creates.append((modify, o, sig, _name(o.index_name)))
                elif isinstance(o, (ops.AddConstraintOp,)) and not isinstance(o, ops.DropConstraintOp):
                    c = _constraint_of(o)
                    sig = _constraint_signature(c, Renames(())) if c is not None else None
                    creates.append((modify, o, sig, _name(getattr(o, "constraint_name", None))))
        for modify in self._modify_ops():
            for o in list(modify.ops):
                if isinstance(o, ops.DropIndexOp):
                    index = _index_of(o)
                    sig = _index_signature(index, self.renames) if index is not None else None
                    old_name = _name(o.index_name)
                elif isinstance(o, ops.DropConstraintOp):
                    c = _constraint_of(o)
                    sig = _constraint_signature(c, self.renames) if c is not None else None
                    old_name = _name(o.constraint_name)
                else:
                    continue
                if sig is None:
                    continue
                match = next((x for x in creates if x[2] == sig), None)
                if match is None:
                    continue
                creates.remove(match)
                target_modify, create_op, _, new_name = match
                modify.ops.remove(o)
                target_modify.ops.remove(create_op)
                if old_name and new_name and old_name != new_name:
                    schema = target_modify.schema or None
                    if isinstance(o, ops.DropIndexOp):
                        rename = RenameIndexOp(old_name, new_name, schema)
                    else:
                        rename = RenameConstraintOp(target_modify.table_name, old_name, new_name, schema)
                    target_modify.ops.append(rename)

    # -- order ---------------------------------------------------------------------------------------
    def order(self):
        """In each table: drops of indexes/constraints first, then the renames, then the rest, then renames of
        indexes/constraints — so the reversed list (the downgrade) is valid too."""
        for modify in self._modify_ops():
            first = [o for o in modify.ops if isinstance(o, (ops.DropIndexOp, ops.DropConstraintOp))]
            renames = [o for o in modify.ops if isinstance(o, RenameColumnOp)]
            late = [o for o in modify.ops if isinstance(o, (RenameIndexOp, RenameConstraintOp))]
            rest = [o for o in modify.ops if o not in first and o not in renames and o not in late]
            modify.ops[:] = first + renames + rest + late
        top = self.upgrade_ops.ops
        top[:] = [o for o in top if not (isinstance(o, ops.ModifyTableOps) and not o.ops)]
        # Foreign keys and indexes renamed for a renamed table run after the table's rename.
        tables = [o for o in top if isinstance(o, RenameTableOp)]
        if tables:
            moved = [o for o in top if isinstance(o, ops.ModifyTableOps) and o.ops and
                     all(isinstance(x, (RenameIndexOp, RenameConstraintOp)) for x in o.ops)]
            top[:] = [o for o in top if o not in moved] + moved

    def _modify_ops(self):
        return [o for o in self.upgrade_ops.ops if isinstance(o, ops.ModifyTableOps)]


def apply_renames(upgrade_ops, instructions):
    """Rewrite ``upgrade_ops`` in place; returns the instructions that matched a drop/add pair."""
    renames = Renames(instructions)
    if not renames:
        return []
    applier = _Applier(upgrade_ops, renames)
    applier.tables()
    applier.columns()
    applier.dependents()
    applier.order()
    return applier.applied
