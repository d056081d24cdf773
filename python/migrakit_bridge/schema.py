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
    non-transactional script alone. [{"transactional": bool, "revisions": [rev, …], "to": rev or (rev, …)}, …]

    ``to`` is what upgrading to applies exactly the run's scripts: its last one in a chain; in a history that
    branches and merges, a run may hold scripts of both sides, and upgrading to its last one alone would leave
    the other side's to a later run (perhaps the one without a transaction). alembic refuses a destination
    that names a revision and one below it, so ``to`` is the run's revisions no other of them builds on (a
    script below another of the run is in the run too: runs are stretches of alembic's order).
    """
    groups = []
    for step in script._upgrade_revs(target, current):
        transactional = is_transactional(step.revision.module)
        if groups and transactional and groups[-1]["transactional"]:
            groups[-1]["revisions"].append(step.revision.revision)
        else:
            groups.append({"transactional": transactional, "revisions": [step.revision.revision]})
    for group in groups:
        below = {d for r in group["revisions"] for d in script.get_revision(r)._all_down_revisions}
        tips = tuple(r for r in group["revisions"] if r not in below)
        group["to"] = tips[0] if len(tips) == 1 else tips
    return groups


def has_non_transactional(script):
    return any(not is_transactional(rev.module) for rev in script.walk_revisions())


def _schemas_with_tables(connection):
    from sqlalchemy import text

    rows = connection.execute(
        text(
            "SELECT DISTINCT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1"
        )
    ).fetchall()
    return [r[0] for r in rows]


def include_left_schemas(context):
    """Let autogenerate see the schemas the ORM left: those the database has tables in and env.py's
    ``include_name`` now excludes (migrakit's env.py includes only the schemas the ORM still uses).

    A package that moves every table out of a schema would otherwise see only ``create_table`` in the new
    one: the old tables are invisible, so the move cannot be paired (and the old tables stay behind). Their
    ``drop_table`` ops are candidates for pairing only: ``without_left_drops`` removes the unpaired ones, so
    a table of a schema the ORM does not name is never dropped because of this. Returns the left schemas
    (None for the default one), or an empty set when the comparison does not look beyond one schema.
    """
    connection = context.connection
    if connection is None or connection.dialect.name != "postgresql":
        return set()
    default = connection.dialect.default_schema_name
    inner = context.opts.get("include_name")
    if inner is None:
        return set()  # every schema alembic looks at is included already
    wide = bool(context.opts.get("include_schemas"))
    left = set()
    for name in _schemas_with_tables(connection):
        schema = None if name == default else name
        if schema is not None and not wide:
            continue
        if not inner(schema, "schema", {}):
            left.add(schema)
    if not left:
        return left

    def include_name(name, type_, parent_names):
        if type_ == "schema" and name in left:
            return True
        return inner(name, type_, parent_names)

    context.opts["include_name"] = include_name
    return left


def without_left_drops(upgrade_ops, left):
    """Take out the ops on tables of left schemas that no move or rename claimed (see include_left_schemas)."""
    from alembic.operations import ops

    if not left:
        return
    upgrade_ops.ops[:] = [
        o
        for o in upgrade_ops.ops
        if not (isinstance(o, (ops.DropTableOp, ops.ModifyTableOps)) and (o.schema or None) in left)
    ]


def mark_left(diffs, left):
    """The structured diffs of tables in left schemas say so (the TypeScript side may pair them, never drop)."""
    for d in diffs:
        if d.get("kind") == "remove_table" and (d.get("schema") or None) in left:
            d["left_schema"] = True
    return diffs
