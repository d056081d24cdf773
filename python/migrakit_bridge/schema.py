"""What several bridge methods stand on: the ORM's schemas from env.py's target_metadata, and the
repo's alembic script directory."""

from . import environment as env


def target_metadatas(context):
    """The env.py's target_metadata as a list (alembic accepts one MetaData or a sequence of them)."""
    target = context.opts.get("target_metadata")
    if target is None:
        return []
    if isinstance(target, (list, tuple)):
        return list(target)
    return [target]


def orm_schemas(context):
    return sorted({t.schema for md in target_metadatas(context) for t in md.tables.values() if t.schema})


def create_schemas(context):
    """CREATE SCHEMA for every schema of the ORM, in the migration's own transaction (or its --sql output)."""
    quote = context.dialect.identifier_preparer.quote_schema
    for schema in orm_schemas(context):
        context.execute("CREATE SCHEMA IF NOT EXISTS %s" % quote(schema))


def script_directory(params):
    return env.script_directory(env.make_config(params))
