"""How the bridge's own renderers spell names in a script: Python string literals and SQL identifiers.

One place for the quoting rules that ``renames``, ``enums`` and ``backfill`` share, so that a rename and an
enum change name the same table the same way. Pure string work: no alembic or SQLAlchemy import (importing
the package stays cheap, see ``__init__``); the renderer's ``autogen_context`` is only read.
"""


def py_str(value):
    """A Python string literal with double quotes (the seed's style for these ops).

    Only backslash and double quote are escaped: the same rule in all three renderers, kept as it was.
    """
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


def ident(autogen_context, name):
    """A SQL identifier as the dialect quotes it (only when needed); as given when rendering has no dialect."""
    return autogen_context.dialect.identifier_preparer.quote(name) if autogen_context.dialect else name


def qualified(autogen_context, schema, name):
    """``schema.name`` with both parts quoted, or just the name when alembic reports no schema (None)."""
    name = ident(autogen_context, name)
    return "%s.%s" % (ident(autogen_context, schema), name) if schema else name


def default_schema(autogen_context):
    """The schema alembic reports as None (the connection's default), named where SQL must spell it."""
    context = getattr(autogen_context, "migration_context", None)
    dialect = getattr(context, "dialect", None)
    return getattr(dialect, "default_schema_name", None) or "public"
