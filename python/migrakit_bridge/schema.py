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


def is_transactional(script_module):
    """False when a script declares ``migrakit_transaction = False``: statements Postgres refuses inside a
    transaction (``CREATE INDEX CONCURRENTLY``); deploy and check then run it on its own, in autocommit."""
    return getattr(script_module, "migrakit_transaction", True) is not False


def upgrade_groups(script, target, current):
    """The steps from ``current`` to ``target`` cut into runs: stretches of ordinary scripts, each
    non-transactional script alone. [{"transactional": bool, "revisions": [rev, …]}, …]"""
    groups = []
    for step in script._upgrade_revs(target, current):
        transactional = is_transactional(step.revision.module)
        if groups and transactional and groups[-1]["transactional"]:
            groups[-1]["revisions"].append(step.revision.revision)
        else:
            groups.append({"transactional": transactional, "revisions": [step.revision.revision]})
    return groups


def has_non_transactional(script):
    return any(not is_transactional(rev.module) for rev in script.walk_revisions())
