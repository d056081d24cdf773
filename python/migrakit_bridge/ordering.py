"""The order of a script's operations: by their dependencies, the same input giving the same order.

alembic writes its ops table by table: a ``drop_table`` comes before the ``drop_constraint`` of another
table's foreign key onto it (Postgres refuses), and a ``create_foreign_key`` onto a renamed column may come
before the rename. A careful engineer writes one script in phases instead, and so does this module:

  0 drop foreign keys          4 add and alter columns      8 create foreign keys
  1 drop other constraints     5 drop columns
    and indexes                6 drop tables, dependents first
  2 enum values, schema moves, 7 create indexes and constraints,
    table and column renames     rename indexes and constraints
  3 create tables, referenced first

Everything that names something is created after what it names and dropped before it. The downgrade is
the reversed upgrade (as in alembic), and the reversed phases are a valid order too: foreign keys are
dropped first and created last, tables are created referenced-first and dropped dependents-first.

Within a phase, ops keep alembic's order (it follows the metadata and reflection order, which does not
depend on earlier requests), except where a dependency says otherwise. Ops of our own (renames.py,
enums.py, backfill.py) say their phase with a ``phase`` attribute.
"""

from alembic.operations import ops

_DROP_FK, _DROP_OTHER, _RENAME, _CREATE_TABLE, _COLUMNS, _DROP_COLUMN, _DROP_TABLE, _CREATE_OTHER, _CREATE_FK = range(9)


# alembic-postgresql-enum's ops (a repo's env.py may import it; enums.py then steps aside): a type is
# created before the tables, its labels synced with the renames, and dropped after the tables.
_PLUGIN_PHASES = {
    ("alembic_postgresql_enum", "CreateEnumOp"): _RENAME,
    ("alembic_postgresql_enum", "SyncEnumValuesOp"): _RENAME,
    ("alembic_postgresql_enum", "AddEnumValuesOp"): _RENAME,
    ("alembic_postgresql_enum", "DropEnumOp"): _DROP_TABLE,
}


def _phase(op):
    own = getattr(op, "phase", None)
    if own is not None:
        return own
    plugin = _PLUGIN_PHASES.get((type(op).__module__.split(".")[0], type(op).__name__))
    if plugin is not None:
        return plugin
    if isinstance(op, ops.DropConstraintOp):
        return _DROP_FK if op.constraint_type == "foreignkey" else _DROP_OTHER
    if isinstance(op, ops.DropIndexOp):
        return _DROP_OTHER
    if isinstance(op, ops.CreateTableOp):
        return _CREATE_TABLE
    if isinstance(op, ops.DropTableOp):
        return _DROP_TABLE
    if isinstance(op, ops.DropColumnOp):
        return _DROP_COLUMN
    if isinstance(op, ops.CreateForeignKeyOp):
        return _CREATE_FK
    if isinstance(op, (ops.CreateIndexOp, ops.AddConstraintOp)):
        return _CREATE_OTHER
    return _COLUMNS  # add/alter columns, comments, anything else alembic or a plugin emits


def _flatten(upgrade_ops):
    """(table key or None, op) for every op, children of ModifyTableOps taken out of their container."""
    out = []
    for op in upgrade_ops.ops:
        if isinstance(op, ops.ModifyTableOps):
            for child in op.ops:
                out.append(((op.schema, op.table_name), child))
        else:
            out.append((None, op))
    return out


def _referenced(op):
    """(schema, name) of the tables a created or dropped table's foreign keys point at."""
    from sqlalchemy import ForeignKeyConstraint

    try:
        table = op.to_table()
    except Exception:  # noqa: BLE001 - a drop without its reflected table orders by name alone
        return set()
    out = set()
    for c in table.constraints:
        if isinstance(c, ForeignKeyConstraint) and c.elements:
            parts = c.elements[0].target_fullname.split(".")
            out.add((".".join(parts[:-2]) or None, parts[-2]) if len(parts) >= 3 else (None, parts[0]))
    return out


def _key(op):
    return ((op.schema or ""), op.table_name)


def _topological(table_ops, dependents_first):
    """Create-table ops referenced-first (drop-table ops dependents-first); ties by schema and name."""
    keys = {_key(o): o for o in table_ops}
    deps = {k: {(s or "", n) for s, n in _referenced(o)} & set(keys) - {k} for k, o in keys.items()}
    done, out = set(), []
    while len(out) < len(keys):
        ready = sorted(k for k in keys if k not in done and deps[k] <= done)
        if not ready:  # a cycle (mutual foreign keys): the rest by name, the FKs come separately anyway
            ready = sorted(k for k in keys if k not in done)
        done.add(ready[0])
        out.append(keys[ready[0]])
    return list(reversed(out)) if dependents_first else out


def order(upgrade_ops):
    """Reorder ``upgrade_ops`` in place into the phases above, regrouped by table."""
    flat = _flatten(upgrade_ops)
    by_phase = {}
    for table, op in flat:
        by_phase.setdefault(_phase(op), []).append((table, op))
    result = []
    for phase in sorted(by_phase):
        items = by_phase[phase]
        if phase in (_CREATE_TABLE, _DROP_TABLE):
            tables = [op for _, op in items if isinstance(op, (ops.CreateTableOp, ops.DropTableOp))]
            rest = [(t, op) for t, op in items if not isinstance(op, (ops.CreateTableOp, ops.DropTableOp))]
            items = [(None, op) for op in _topological(tables, phase == _DROP_TABLE)] + rest
        result.extend(items)
    upgrade_ops.ops[:] = _regroup(result)


def _regroup(items):
    """Consecutive children of one table back into one ModifyTableOps (how alembic renders them)."""
    out = []
    for table, op in items:
        if table is None:
            out.append(op)
            continue
        last = out[-1] if out else None
        if isinstance(last, ops.ModifyTableOps) and (last.schema, last.table_name) == table:
            last.ops.append(op)
        else:
            out.append(ops.ModifyTableOps(table[1], [op], schema=table[0]))
    return out
