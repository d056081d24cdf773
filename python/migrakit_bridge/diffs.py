"""alembic's autogenerate diffs (``UpgradeOps.as_diffs()`` tuples) as plain JSON-able dicts.

One converter per diff kind in a dispatch table, like alembic's own renderers. Types are written as the
Postgres DDL they compile to (``VARCHAR(255)``), server defaults as their SQL text, so the TypeScript side
can show and compare them without knowing SQLAlchemy.
"""


def _dialect():
    from sqlalchemy.dialects import postgresql

    return postgresql.dialect()


def type_text(type_):
    if type_ is None:
        return None
    from sqlalchemy import Enum

    if isinstance(type_, Enum) and getattr(type_, "native_enum", True) and type_.name:
        # By name alone: an enum type moves with the tables that use it (enums.py), so a column of a table
        # moved from ``a`` to ``b`` has the same type though it is ``a.kind`` before and ``b.kind`` after.
        return type_.name
    try:
        return type_.compile(dialect=_dialect())
    except Exception:  # noqa: BLE001 - a type without Postgres DDL (e.g. NullType) still gets a name
        return repr(type_)


def default_text(default):
    """SQL text of a server default (metadata-side DefaultClause, reflected text, or a plain string)."""
    if default is None or default is False:  # alembic writes "no default" as False in existing_* values
        return None
    if isinstance(default, str):
        return default
    arg = getattr(default, "arg", default)
    if isinstance(arg, str):
        return arg
    text = getattr(arg, "text", None)
    if isinstance(text, str):
        return text
    try:
        return str(arg.compile(dialect=_dialect()))
    except Exception:  # noqa: BLE001
        return str(arg)


def column(col):
    return {
        "name": col.name,
        "type": type_text(col.type),
        "nullable": bool(col.nullable),
        "primary_key": bool(col.primary_key),
        "server_default": default_text(col.server_default),
        "position": _position(col),
    }


def _position(col):
    """The column's place in its table (0-based; None when detached): one hint among others for renames."""
    table = getattr(col, "table", None)
    try:
        return [c.name for c in table.columns].index(col.name) if table is not None else None
    except (ValueError, AttributeError):
        return None


def _table(kind, table):
    return {
        "kind": kind,
        "schema": table.schema,
        "table": table.name,
        "columns": [column(c) for c in table.columns],
        "primary_key": [c.name for c in table.primary_key.columns],
        "foreign_keys": [_foreign_key(fk) for fk in table.foreign_key_constraints],
    }


def _column_change(kind, schema, table, col):
    return {"kind": kind, "schema": schema, "table": table, "column": col.name, **_column_fields(col)}


def _column_fields(col):
    fields = column(col)
    fields.pop("name")
    return fields


def _index(kind, index):
    table = index.table
    return {
        "kind": kind,
        "schema": table.schema if table is not None else None,
        "table": table.name if table is not None else None,
        "name": index.name,
        "columns": [getattr(e, "name", None) or str(e) for e in index.expressions],
        "unique": bool(index.unique),
    }


def _constraint(kind, constraint):
    from sqlalchemy import ForeignKeyConstraint, UniqueConstraint

    table = constraint.table
    out = {
        "kind": kind,
        "schema": table.schema,
        "table": table.name,
        "name": constraint.name if isinstance(constraint.name, str) else None,
        "columns": [c.name for c in constraint.columns],
    }
    if isinstance(constraint, ForeignKeyConstraint):
        out["kind"] = kind.replace("constraint", "fk")
        out.update(_foreign_key(constraint))
    elif isinstance(constraint, UniqueConstraint):
        out["kind"] = kind.replace("constraint", "unique")
    return out


def _foreign_key(constraint):
    schema, table = _referred(constraint.elements[0])
    return {
        "name": constraint.name if isinstance(constraint.name, str) else None,
        "columns": [e.parent.name for e in constraint.elements],
        "referred_schema": schema,
        "referred_table": table,
        "referred_columns": [e.target_fullname.split(".")[-1] for e in constraint.elements],
    }


def _referred(element):
    """(schema, table) a foreign key points at, from its "schema.table.column" target."""
    parts = element.target_fullname.split(".")
    if len(parts) >= 3:
        return ".".join(parts[:-2]), parts[-2]
    return None, parts[0]


def _fk(kind, constraint):
    return _constraint(kind.replace("fk", "constraint"), constraint)


# ("modify_type", schema, table, column, existing_kw, old, new) and its siblings, merged per column.
_MODIFY_FIELDS = {
    "modify_type": ("type", type_text),
    "modify_nullable": ("nullable", lambda v: None if v is None else bool(v)),
    "modify_default": ("server_default", default_text),
    "modify_comment": ("comment", lambda v: v),
}


def _alter(changes):
    first = changes[0]
    _, schema, table, col, existing = first[:5]
    out = {
        "kind": "alter_column",
        "schema": schema,
        "table": table,
        "column": col,
        "existing": {
            "type": None,
            "nullable": existing.get("existing_nullable"),
            "server_default": default_text(existing.get("existing_server_default")),
        },
        "changes": {},
    }
    for change in changes:
        field, show = _MODIFY_FIELDS[change[0]]
        old, new = change[5], change[6]
        out["changes"][field] = {"from": show(old), "to": show(new)}
        if field == "type":
            out["existing"]["type"] = type_text(old)
    if out["existing"]["type"] is None and existing.get("existing_type") is not None:
        out["existing"]["type"] = type_text(existing.get("existing_type"))
    return out


_CONVERTERS = {
    "add_table": lambda d: _table("add_table", d[1]),
    "remove_table": lambda d: _table("remove_table", d[1]),
    "add_column": lambda d: _column_change("add_column", d[1], d[2], d[3]),
    "remove_column": lambda d: _column_change("remove_column", d[1], d[2], d[3]),
    "add_index": lambda d: _index("add_index", d[1]),
    "remove_index": lambda d: _index("remove_index", d[1]),
    "add_constraint": lambda d: _constraint("add_constraint", d[1]),
    "remove_constraint": lambda d: _constraint("remove_constraint", d[1]),
    "add_fk": lambda d: _fk("add_fk", d[1]),
    "remove_fk": lambda d: _fk("remove_fk", d[1]),
    # enums.py's ops: a label added is safe; one removed is destructive (rows holding it cannot stay).
    "add_enum_value": lambda d: {
        "kind": "add_enum_value",
        "schema": d[1],
        "type": d[2],
        "value": d[3],
        "destructive": False,
    },
    "remove_enum_value": lambda d: {
        "kind": "remove_enum_value",
        "schema": d[1],
        "type": d[2],
        "values": list(d[3]),
        "labels": list(d[4]),
        "destructive": True,
    },
    "add_enum_type": lambda d: {"kind": "add_enum_type", "schema": d[1], "type": d[2], "labels": list(d[3])},
    "remove_enum_type": lambda d: {"kind": "remove_enum_type", "schema": d[1], "type": d[2], "labels": list(d[3])},
    "set_enum_schema": lambda d: {"kind": "set_enum_schema", "schema": d[1], "type": d[2], "to_schema": d[3]},
    "add_table_comment": lambda d: {
        "kind": "add_table_comment",
        "schema": d[1].schema,
        "table": d[1].name,
        "comment": d[1].comment,
    },
    "remove_table_comment": lambda d: {"kind": "remove_table_comment", "schema": d[1].schema, "table": d[1].name},
}


def structure(diff):
    """One diff from ``as_diffs()`` (a tuple, or a list of modify_* tuples for one column) as a dict."""
    if isinstance(diff, list):
        return _alter(diff)
    converter = _CONVERTERS.get(diff[0])
    if converter is None:
        return {"kind": diff[0], "text": repr(diff)}
    return converter(diff)


def structure_all(diffs):
    return [structure(d) for d in diffs]


def identity(diff):
    """What makes two diffs the same difference: kind, names and the compared values, as one hashable text.

    A column's place in its table is left out: it is a hint for renames, and a column added above a drifted
    one moves that one without changing what differs. Everything else counts, so a column whose type the user
    changes again is a new difference, not the old one.
    """
    import json

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "position"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return json.dumps(strip(diff), sort_keys=True, default=repr)


def take_out(upgrade_ops, keys):
    """Remove from ``upgrade_ops`` the leaf ops whose diff has an identity in ``keys`` (all of them when
    ``keys`` is None); a table's container left empty goes too. Returns the removed ones, structured.

    The op tree is what gets rendered, so the differences that predate a change leave the script here,
    where the ops and their diffs are both at hand.
    """
    from alembic.operations import ops

    removed = []

    def keep(op):
        if isinstance(op, ops.OpContainer):
            op.ops[:] = [o for o in op.ops if keep(o)]
            return bool(op.ops)
        d = structure(op.to_diff_tuple())
        if keys is None or identity(d) in keys:
            removed.append(d)
            return False
        return True

    upgrade_ops.ops[:] = [o for o in upgrade_ops.ops if keep(o)]
    return removed
