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


def _owner_modules():
    """Table → module of the class mapping it, over every SQLAlchemy registry (SQLModel's, any ``Base``)."""
    from sqlalchemy.orm import mapperlib

    owners = {}
    for registry in list(mapperlib._mapper_registries):
        for mapper in list(registry.mappers):
            owners[mapper.local_table] = mapper.class_.__module__ or ""
    return owners


def foreign_tables(context, package):
    """Tables of the target metadata that another package's classes map: a lamin schema module's metadata
    holds core's tables (its foreign keys point there), which core's own scripts create, not the module's."""
    if package in ("", "."):  # an app's repo (its scripts at the root): no package of its own to tell apart
        return []
    owners = _owner_modules()

    def foreign(table):
        module = owners.get(table)
        return module is not None and module != package and not module.startswith(package + ".")

    return [t for md in target_metadatas(context) for t in md.sorted_tables if foreign(t)]


def create_foreign_tables(context, package):
    """Other packages' tables in the scratch database before the package's scripts run (they reference them);
    on a database that has them already (a clone of an instance) nothing happens."""
    if context.as_sql:
        return
    tables = foreign_tables(context, package)
    if tables:
        tables[0].metadata.create_all(context.connection, tables=tables, checkfirst=True)


def without_foreign_tables(context, package):
    """Leave other packages' tables (and their indexes, columns, constraints) out of autogenerate, on both
    sides: they are in the metadata and in the database, and they are never the module's to migrate."""
    foreign = {(t.schema, t.name) for t in foreign_tables(context, package)}
    if not foreign:
        return
    inner = context.opts.get("include_object")

    def include_object(obj, name, type_, reflected, compare_to):
        table = obj if type_ == "table" else getattr(obj, "table", None)
        if table is not None and (table.schema, table.name) in foreign:
            return False
        return inner(obj, name, type_, reflected, compare_to) if inner else True

    context.opts["include_object"] = include_object


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
