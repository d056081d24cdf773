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
- that includes foreign keys of other tables that point at the renamed column or table;
- a table moved to another schema becomes ``ALTER TABLE … SET SCHEMA`` (plus a rename when its name changed
  too), and the column renames of a renamed table are applied inside it.

Like alembic, each new op knows its ``reverse()``, so the downgrade is the reversed upgrade, and each has a
renderer registered in alembic's dispatch table.
"""

from alembic.autogenerate import renderers
from alembic.operations import ops

from .backfill import _NoOp
from .diffs import _foreign_key


def _q(value):
    """A Python string literal with double quotes (the seed's style for these ops)."""
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


def _schema_kw(schema):
    return ", schema=%s" % _q(schema) if schema else ""


class RenameColumnOp(ops.MigrateOperation):
    phase = 2  # ordering.py: renames come before what names the new name

    def __init__(self, table_name, old, new, schema=None):
        self.table_name, self.old, self.new, self.schema = table_name, old, new, schema

    def reverse(self):
        return RenameColumnOp(self.table_name, self.new, self.old, self.schema)

    def to_diff_tuple(self):
        return ("rename_column", self.schema, self.table_name, self.old, self.new)


class RenameTableOp(ops.MigrateOperation):
    phase = 2

    def __init__(self, old, new, schema=None):
        self.old, self.new, self.schema = old, new, schema
        self.table_name = new

    def reverse(self):
        return RenameTableOp(self.new, self.old, self.schema)

    def to_diff_tuple(self):
        return ("rename_table", self.schema, self.old, self.new)


class SetSchemaOp(ops.MigrateOperation):
    """``ALTER TABLE old.t SET SCHEMA new``: the rows stay, and Postgres moves the table's indexes,
    constraints and owned sequences with it; foreign keys of other tables follow (they point at the table,
    not at its name)."""

    phase = 2

    def __init__(self, table_name, old_schema, new_schema):
        self.table_name, self.old_schema, self.new_schema = table_name, old_schema, new_schema
        self.schema = new_schema

    def reverse(self):
        return SetSchemaOp(self.table_name, self.new_schema, self.old_schema)

    def to_diff_tuple(self):
        return ("set_table_schema", self.old_schema, self.table_name, self.new_schema)


class CreateSchemaOp(ops.MigrateOperation):
    """``CREATE SCHEMA IF NOT EXISTS`` for the schema tables move into, before they do (plain ``alembic
    upgrade`` creates no schema). Its reverse is nothing: no script drops a schema, neither the one the tables
    left (it may hold what this script did not create) nor, in the downgrade, the one they had moved into (the
    first script's rule; an empty schema is no difference for the check's round trip)."""

    phase = 1  # before the moves (phase 2); reversed, nothing

    def __init__(self, schema):
        self.schema = schema

    def reverse(self):
        return _NoOp()

    def to_diff_tuple(self):
        return ("create_schema", self.schema)


class KeepSchemaOp(_NoOp):
    """Nothing in the upgrade (removed before rendering); in the downgrade, the schema the tables move back
    into is created first: a later script's downgrade may have left it out, and SET SCHEMA needs it."""

    phase = 3  # after the moves (reversed, before them): with the created tables, after them

    def __init__(self, schema):
        self.schema = schema

    def reverse(self):
        return CreateSchemaOp(self.schema)


class RenameIndexOp(ops.MigrateOperation):
    phase = 7  # after the renames of the index's table and columns (and, reversed, before them)

    def __init__(self, old, new, schema=None):
        self.old, self.new, self.schema = old, new, schema

    def reverse(self):
        return RenameIndexOp(self.new, self.old, self.schema)

    def to_diff_tuple(self):
        return ("rename_index", self.schema, self.old, self.new)


class RenameConstraintOp(ops.MigrateOperation):
    """Renames a constraint of ``table_name`` (the table's name when the op runs: the renames of its table
    run before it, and in the downgrade after its reverse)."""

    phase = 7

    def __init__(self, table_name, old, new, schema=None):
        self.table_name, self.old, self.new, self.schema = table_name, old, new, schema

    def reverse(self):
        return RenameConstraintOp(self.table_name, self.new, self.old, self.schema)

    def to_diff_tuple(self):
        return ("rename_constraint", self.schema, self.table_name, self.old, self.new)


def _ident(autogen_context, name):
    return autogen_context.dialect.identifier_preparer.quote(name) if autogen_context.dialect else name


def _qualified(autogen_context, schema, name):
    name = _ident(autogen_context, name)
    return "%s.%s" % (_ident(autogen_context, schema), name) if schema else name


@renderers.dispatch_for(RenameColumnOp)
def _render_rename_column(autogen_context, op):
    if getattr(autogen_context, "_has_batch", False):
        # Inside `with op.batch_alter_table(…) as batch_op:` (env.py's render_as_batch), as alembic renders its
        # own column ops there: on the batch, which names the table (an `op.` call there would bypass it).
        return "batch_op.alter_column(%s, new_column_name=%s)" % (_q(op.old), _q(op.new))
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    return "%salter_column(%s, column_name=%s, new_column_name=%s%s)" % (
        prefix,
        _q(op.table_name),
        _q(op.old),
        _q(op.new),
        _schema_kw(op.schema),
    )


@renderers.dispatch_for(RenameTableOp)
def _render_rename_table(autogen_context, op):
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    return "%srename_table(%s, %s%s)" % (prefix, _q(op.old), _q(op.new), _schema_kw(op.schema))


@renderers.dispatch_for(SetSchemaOp)
def _render_set_schema(autogen_context, op):
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    default = _default_schema(autogen_context)
    sql = "ALTER TABLE %s SET SCHEMA %s" % (
        _qualified(autogen_context, op.old_schema or default, op.table_name),
        _ident(autogen_context, op.new_schema or default),
    )
    return "%sexecute(%s)" % (prefix, _q(sql))


def _default_schema(autogen_context):
    """The schema alembic reports as None (the connection's default), named for SET SCHEMA."""
    context = getattr(autogen_context, "migration_context", None)
    dialect = getattr(context, "dialect", None)
    return getattr(dialect, "default_schema_name", None) or "public"


@renderers.dispatch_for(CreateSchemaOp)
def _render_create_schema(autogen_context, op):
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    return "%sexecute(%s)" % (prefix, _q("CREATE SCHEMA IF NOT EXISTS %s" % _ident(autogen_context, op.schema)))


@renderers.dispatch_for(RenameIndexOp)
def _render_rename_index(autogen_context, op):
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    sql = "ALTER INDEX %s RENAME TO %s" % (
        _qualified(autogen_context, op.schema, op.old),
        _ident(autogen_context, op.new),
    )
    return "%sexecute(%s)" % (prefix, _q(sql))


@renderers.dispatch_for(RenameConstraintOp)
def _render_rename_constraint(autogen_context, op):
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    sql = "ALTER TABLE %s RENAME CONSTRAINT %s TO %s" % (
        _qualified(autogen_context, op.schema, op.table_name),
        _ident(autogen_context, op.old),
        _ident(autogen_context, op.new),
    )
    return "%sexecute(%s)" % (prefix, _q(sql))


class Renames:
    """The rename instructions as look-ups: (schema, table) → (new schema, new table), and
    (schema, table, column) → new column, the table named as the ORM names it (after its own rename).
    """

    def __init__(self, instructions):
        self.tables = {}
        self.columns = {}
        for r in instructions or []:
            schema = r.get("schema") or None
            if r["kind"] == "table":
                to_schema = r.get("to_schema", schema) or None
                self.tables[(schema, r["from"])] = (to_schema, r["to"])
            else:
                self.columns[(schema, r["table"], r["from"])] = r["to"]

    def __bool__(self):
        return bool(self.tables or self.columns)

    def place(self, schema, name):
        """Where the database's table ``schema.name`` is in the ORM: (schema, name)."""
        return self.tables.get((schema or None, name), (schema or None, name))

    def table(self, schema, name):
        return self.place(schema, name)[1]

    def column(self, schema, table, name):
        """A column of the database's ``table`` as the ORM names it."""
        return self.columns.get(self.place(schema, table) + (name,), name)


def _fk_signature(constraint, renames):
    """What identifies a foreign key apart from its name, with the database side's names renamed."""
    fk = _foreign_key(constraint)
    table = constraint.table
    schema = table.schema if table is not None else None
    tname = table.name if table is not None else None
    ref_schema, ref_table = fk["referred_schema"], fk["referred_table"]
    return (
        "fk",
        renames.place(schema, tname),
        tuple(renames.column(schema, tname, c) for c in fk["columns"]),
        renames.place(ref_schema, ref_table),
        tuple(renames.column(ref_schema, ref_table, c) for c in fk["referred_columns"]),
        constraint.ondelete,
        constraint.onupdate,
        bool(constraint.deferrable),
        constraint.initially,
    )


def _constraint_signature(constraint, renames):
    from sqlalchemy import ForeignKeyConstraint, UniqueConstraint

    if isinstance(constraint, ForeignKeyConstraint):
        return _fk_signature(constraint, renames)
    if isinstance(constraint, UniqueConstraint):
        table = constraint.table
        return (
            "uq",
            renames.place(table.schema, table.name),
            tuple(renames.column(table.schema, table.name, c.name) for c in constraint.columns),
        )
    return None


def _index_signature(index, renames):
    table = index.table
    cols = []
    for expr in index.expressions:
        name = getattr(expr, "name", None)
        if name is None:
            return None  # a functional index: leave alembic's drop + create alone
        cols.append(renames.column(table.schema, table.name, name))
    return ("ix", renames.place(table.schema, table.name), tuple(cols), bool(index.unique))


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


def _differences(old, new, table_name, schema):
    """A renamed (or moved) column may also change: say so with an alter_column after the rename."""
    from .diffs import type_text

    kw = {}
    if type_text(old.type) != type_text(new.type):
        kw["modify_type"] = new.type
    if bool(old.nullable) != bool(new.nullable):
        kw["modify_nullable"] = bool(new.nullable)
    if not kw:
        return []
    return [
        ops.AlterColumnOp(
            table_name, new.name, schema=schema, existing_type=old.type, existing_nullable=bool(old.nullable), **kw
        )
    ]


class _Applier:
    def __init__(self, upgrade_ops, renames):
        self.upgrade_ops = upgrade_ops
        self.renames = renames
        self.applied = []

    # -- tables ------------------------------------------------------------------------------------
    def tables(self):
        top = self.upgrade_ops.ops
        targets, sources = set(), set()  # the schemas tables move into, and out of
        for (schema, old), (to_schema, new) in sorted(self.renames.tables.items(), key=repr):
            drop = next(
                (
                    o
                    for o in top
                    if isinstance(o, ops.DropTableOp) and o.table_name == old and (o.schema or None) == schema
                ),
                None,
            )
            create = next(
                (
                    o
                    for o in top
                    if isinstance(o, ops.CreateTableOp) and o.table_name == new and (o.schema or None) == to_schema
                ),
                None,
            )
            if drop is None or create is None:
                continue
            try:
                old_table, new_table = drop.to_table(), create.to_table()
            except Exception:  # noqa: BLE001 - without both tables there is nothing to pair
                continue
            moves = []
            if schema != to_schema:
                moves.append(SetSchemaOp(old, schema, to_schema))
            if old != new:
                moves.append(RenameTableOp(old, new, to_schema))
            inside = self._table_columns(old_table, new_table, schema, old, to_schema, new)
            inside += self._table_constraints(old_table, new_table, to_schema)
            before = self._dropped_constraints(old_table, new_table)
            at = top.index(create)
            top[at : at + 1] = moves + ([ops.ModifyTableOps(new, inside, schema=to_schema)] if inside else [])
            if before:
                top.insert(at, ops.ModifyTableOps(old, before, schema=schema))
            top.remove(drop)
            self.applied.append({"kind": "table", "schema": schema, "from": old, "to": new, "to_schema": to_schema})
            if schema != to_schema:
                targets.add(to_schema)
                sources.add(schema)
        top[:0] = [CreateSchemaOp(name) for name in sorted(t for t in targets if t is not None)]
        top.extend(KeepSchemaOp(name) for name in sorted(s for s in sources if s is not None))

    def _table_columns(self, old_table, new_table, schema, old, to_schema, new):
        """Inside a renamed or moved table: its column renames, then columns added, dropped or changed."""
        out = []
        mapped = {c.name: self.renames.column(schema, old, c.name) for c in old_table.columns}
        new_cols = {c.name: c for c in new_table.columns}
        for c in old_table.columns:
            target = mapped[c.name]
            if target not in new_cols:
                continue
            if target != c.name:
                out.append(RenameColumnOp(new, c.name, target, to_schema))
                self.applied.append({"kind": "column", "schema": to_schema, "table": new, "from": c.name, "to": target})
        for c in old_table.columns:
            if mapped[c.name] in new_cols:
                out.extend(_differences(c, new_cols[mapped[c.name]], new, to_schema))
            else:
                out.append(ops.DropColumnOp.from_column_and_tablename(to_schema, new, c))
        kept = set(mapped.values())
        for name, c in new_cols.items():
            if name not in kept:
                out.append(ops.AddColumnOp.from_column_and_tablename(to_schema, new, c))
        return out

    def _keyed(self, table, renamed):
        """Non-FK constraints of a table by what they are (primary key; kind + columns, as the ORM names them)."""
        from sqlalchemy import ForeignKeyConstraint, PrimaryKeyConstraint, UniqueConstraint

        out = {}
        for c in table.constraints:
            if isinstance(c, ForeignKeyConstraint):
                continue
            if isinstance(c, PrimaryKeyConstraint):
                key = ("pk",)
            elif isinstance(c, UniqueConstraint):
                cols = [
                    self.renames.column(table.schema, table.name, col.name) if renamed else col.name
                    for col in c.columns
                ]
                key = ("uq", tuple(sorted(cols)))
            else:
                continue  # check constraints: compared by alembic neither; left as they are
            out[key] = c
        return out

    def _table_constraints(self, old_table, new_table, schema):
        """Constraints of the moved/renamed table: renamed to the ORM's names (from the names the database
        has: ``old_table`` is reflected), added where the ORM has one more."""
        from sqlalchemy import ForeignKeyConstraint

        out = []
        before, after = self._keyed(old_table, True), self._keyed(new_table, False)
        for key in sorted(after, key=repr):
            c = after[key]
            old_c = before.get(key)
            if old_c is None:
                if key != ("pk",):
                    out.append(ops.AddConstraintOp.from_constraint(c))
            elif _name(old_c.name) and _name(c.name) and _name(old_c.name) != _name(c.name):
                out.append(RenameConstraintOp(new_table.name, _name(old_c.name), _name(c.name), schema))
        old_fks = [c for c in old_table.constraints if isinstance(c, ForeignKeyConstraint)]
        for fk in sorted(
            (c for c in new_table.constraints if isinstance(c, ForeignKeyConstraint)),
            key=lambda c: repr(_fk_signature(c, Renames(()))),
        ):
            sig = _fk_signature(fk, Renames(()))
            match = next((c for c in old_fks if _fk_signature(c, self.renames) == sig), None)
            if match is None:
                out.append(ops.CreateForeignKeyOp.from_constraint(fk))
            elif _name(match.name) and _name(fk.name) and _name(match.name) != _name(fk.name):
                out.append(RenameConstraintOp(new_table.name, _name(match.name), _name(fk.name), schema))
        return out

    def _dropped_constraints(self, old_table, new_table):
        """Constraints the old table had and the ORM's table has not: dropped before the renames."""
        from sqlalchemy import ForeignKeyConstraint

        out = []
        after = self._keyed(new_table, False)
        for key, c in sorted(self._keyed(old_table, True).items(), key=lambda kv: repr(kv[0])):
            if key not in after and key != ("pk",) and _name(c.name):
                out.append(ops.DropConstraintOp.from_constraint(c))
        new_sigs = {_fk_signature(c, Renames(())) for c in new_table.constraints if isinstance(c, ForeignKeyConstraint)}
        for c in old_table.constraints:
            if isinstance(c, ForeignKeyConstraint) and _fk_signature(c, self.renames) not in new_sigs and _name(c.name):
                out.append(ops.DropConstraintOp.from_constraint(c))
        return out

    # -- columns -----------------------------------------------------------------------------------
    def columns(self):
        for modify in self._modify_ops():
            schema = modify.schema or None
            for (r_schema, table, old), new in sorted(self.renames.columns.items()):
                if r_schema != schema or table != modify.table_name:
                    continue
                drop = next((o for o in modify.ops if isinstance(o, ops.DropColumnOp) and o.column_name == old), None)
                add = next((o for o in modify.ops if isinstance(o, ops.AddColumnOp) and o.column.name == new), None)
                if drop is None or add is None:
                    continue
                try:
                    differences = _differences(drop.to_column(), add.column, add.table_name, add.schema)
                except Exception:  # noqa: BLE001 - a drop without its reflected column: the rename alone
                    differences = []
                at = modify.ops.index(add)
                modify.ops[at : at + 1] = [RenameColumnOp(table, old, new, schema)] + differences
                modify.ops.remove(drop)
                self.applied.append({"kind": "column", "schema": schema, "table": table, "from": old, "to": new})

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
        top = self.upgrade_ops.ops
        top[:] = [o for o in top if not (isinstance(o, ops.ModifyTableOps) and not o.ops)]

    def _modify_ops(self):
        return [o for o in self.upgrade_ops.ops if isinstance(o, ops.ModifyTableOps)]


def apply_renames(upgrade_ops, instructions):
    """Rewrite ``upgrade_ops`` in place; returns the instructions that matched a drop/add pair.

    The order of the result is ordering.py's job (the caller runs it on every script, renames or not).
    """
    renames = Renames(instructions)
    if not renames:
        return []
    applier = _Applier(upgrade_ops, renames)
    applier.tables()
    applier.columns()
    applier.dependents()
    return applier.applied
