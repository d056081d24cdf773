"""The bridge's methods: one function per request, taking the request's params, returning JSON-able data.

Each database method mirrors the alembic command of the same name (``alembic.command``): it builds the
work function that alembic's command would build and runs env.py with it (see environment.run), so the
repo's env.py options (include_schemas, compare_type, include_object, version table, naming convention)
apply as they would on the command line.
"""

import contextlib
import logging

from . import enums, lengths, sequences  # noqa: F401  (register their comparators: the check compares what generate writes; sequences: SERIAL detection batched)
from . import environment as env
from .recording import Recorder
from .render import render_ops
from .schema import (
    create_foreign_tables,
    create_schemas,
    has_non_transactional,
    orm_schemas,
    script_directory,
    target_metadatas,
    upgrade_groups,
    without_foreign_tables,
)
from .diffs import structure_all
from .package import import_package, loaded_files
from .versions import versions


def heads(params):
    return script_directory(params).get_heads()


def history(params):
    """Every revision from base to head, with its script's path (relative paths are the TS side's job)."""
    script = script_directory(params)
    out = []
    for rev in reversed(list(script.walk_revisions())):
        down = rev.down_revision
        out.append(
            {
                "revision": rev.revision,
                "down_revision": list(down) if isinstance(down, (list, tuple)) else ([down] if down else []),
                "path": rev.path,
                "doc": rev.doc,
            }
        )
    return out


def upgrade(params):
    """``alembic upgrade``; with ``record``, also what each script did (recording.py, for the safety lint)."""
    revision = params.get("revision") or "head"
    script = script_directory(params)
    recorder = Recorder() if params.get("record") else None

    def recorded(steps, context):
        if recorder is None:
            return steps
        recorder.attach(context.connection)
        return recorder.wrap_steps(steps)

    def fn(rev, context):
        create_schemas(context)
        create_foreign_tables(context, params["package"])
        return recorded(script._upgrade_revs(revision, rev), context)

    # With ``compare``, the ORM is compared with the database at the end, on the same connection and env.py
    # context (what the check's next request would have done, without loading env.py again).
    then = _compared_after(params["package"]) if params.get("compare") else None
    with recorder.active() if recorder is not None else contextlib.nullcontext():
        if has_non_transactional(script):
            result = _upgrade_in_runs(params, script, revision, recorded)
        else:
            result = _run_revs(params, fn, then=then, destination_rev=revision)
    return result if recorder is None else {**result, "recorded": recorder.result()}


def _compared_after(package):
    """What ``upgrade`` runs after its scripts for ``compare``: the comparison, in a savepoint so that a failing
    one cannot take the upgrade's transaction with it; on any failure nothing (the caller asks ``compare``
    on its own, which reports the failure as that request always has)."""
    log = logging.getLogger("migrakit_bridge")

    def then(context, connection):
        try:
            with connection.begin_nested():
                return {"compared": _comparison(context, package)}
        except Exception:  # noqa: BLE001 - reported by the separate compare request
            log.info("compare after upgrade failed; the caller compares on its own", exc_info=True)
            return {}

    return then


def _upgrade_in_runs(params, script, revision, recorded=lambda steps, context: steps):
    """Scripts with ``migrakit_transaction = False`` run as deploy runs them: each on its own in autocommit,
    the others in transactions between them (so the check fails where the deploy would)."""
    for group in upgrade_groups(script, revision, tuple(current(params))):
        last = group["to"]

        def fn(rev, context, last=last):
            create_schemas(context)
            create_foreign_tables(context, params["package"])
            return recorded(script._upgrade_revs(last, rev), context)

        env.run(params, fn, url=params["url"], autocommit=not group["transactional"], destination_rev=last)
    return {"current": current(params)}


def downgrade(params):
    revision = params["revision"]
    script = script_directory(params)

    def fn(rev, context):
        return script._downgrade_revs(revision, rev)

    return _run_revs(params, fn, destination_rev=revision)


def _run_revs(params, fn, then=None, **environment):
    """Run the revisions, then answer where the database now is (``current``).

    When env.py migrated on the connection we gave it, its migration context (version table and schema as
    env.py configured them) reads the heads on that same connection: a second env.py run on a new connection
    would cost as much as the migration itself. An env.py that opened its own connection is asked again.
    """
    seen = {}

    def capture(rev, context):
        seen["context"] = context
        return fn(rev, context)

    extra = {}

    def after(connection):
        context = seen.get("context")
        if context is None or context.connection is not connection:
            return None
        if then is not None:
            extra.update(then(context, connection))
        return list(context.get_current_heads())

    heads = env.run(params, capture, url=params["url"], after=after, **environment)
    return {"current": heads if heads is not None else current(params), **extra}


def current(params):
    found = {}

    def fn(rev, context):
        found["heads"] = list(context.get_current_heads())
        return []

    env.run(params, fn, url=params["url"], dont_mutate=True)
    return found.get("heads", [])


def stamp(params):
    revision = params["revision"]
    script = script_directory(params)

    def fn(rev, context):
        return script._stamp_revs((revision,), rev)

    return _run_revs(params, fn, destination_rev=(revision,))


def offline_sql(params):
    """The SQL of ``alembic upgrade from:to --sql`` (or ``downgrade`` with direction "downgrade").

    With ``record`` (and ``url``: the instance, only read), also what each script does, for the lint in
    deploy's confirmation: the column states come from the instance as it is now, since nothing runs.
    """
    start = params.get("from")
    destination = params.get("to") or "head"
    downgrade_ = params.get("direction") == "downgrade"
    script = script_directory(params)
    recorder = Recorder() if params.get("record") and not downgrade_ else None

    def fn(rev, context):
        if downgrade_:
            return script._downgrade_revs(destination, rev)
        create_schemas(context)
        steps = script._upgrade_revs(destination, rev)
        return recorder.wrap_steps(steps) if recorder is not None else steps

    def run():
        return env.run(params, fn, as_sql=True, starting_rev=start, destination_rev=destination)

    if recorder is None:
        return {"sql": run()}
    with contextlib.ExitStack() as stack:
        if params.get("url"):
            recorder.read_catalog_from(stack.enter_context(env.connect(params["url"])))
        stack.enter_context(recorder.active())
        sql = run()
    return {"sql": sql, "recorded": recorder.result()}


def schemas(params):
    found = {}

    def fn(rev, context):
        found["schemas"] = orm_schemas(context)
        return []

    if params.get("url"):
        env.run(params, fn, url=params["url"], dont_mutate=True)
    else:
        env.run(params, fn, as_sql=True)
    return found.get("schemas", [])


def create_all(params):
    """metadata.create_all after CREATE SCHEMA: how lamin built test instances at a release's ORM."""
    created = {}

    def fn(rev, context):
        create_schemas(context)
        for metadata in target_metadatas(context):
            metadata.create_all(context.connection)
        created["tables"] = sorted(
            ("%s.%s" % (t.schema, t.name)) if t.schema else t.name
            for md in target_metadatas(context)
            for t in md.tables.values()
        )
        return []

    env.run(params, fn, url=params["url"], dont_mutate=True)
    return created


def _comparison(context, package):
    """The ORM (env.py's target_metadata) against the database of ``context``: diffs and op lines both ways."""
    from alembic.autogenerate import produce_migrations

    metadata = context.opts.get("target_metadata")
    without_foreign_tables(context, package)
    migration = produce_migrations(context, metadata)
    upgrade_ops = migration.upgrade_ops
    enums.follow_types(upgrade_ops, context)  # the types the tables need, as generate writes them
    downgrade_ops = upgrade_ops.reverse()
    up_code, up_imports = render_ops(upgrade_ops, context, enums.render_item)
    down_code, down_imports = render_ops(downgrade_ops, context, enums.render_item)
    return dict(
        diffs=structure_all(upgrade_ops.as_diffs()),
        upgrade_ops=up_code,
        downgrade_ops=down_code,
        imports=sorted(up_imports | down_imports),
        empty=upgrade_ops.is_empty(),
    )


def compare(params):
    """Models against the database: structured diffs plus the alembic-rendered op lines both ways."""
    result = {}

    def fn(rev, context):
        result.update(_comparison(context, params["package"]))
        return []

    env.run(params, fn, url=params["url"], dont_mutate=True)
    return result


def package_info(params):
    """What the package's __init__ says at run time (the TS side reads the literals without Python)."""
    module = import_package(params)
    return {
        "file": getattr(module, "__file__", None),
        "version": getattr(module, "__version__", None),
        "migration": getattr(module, "_migration", None),
        "schema_id": getattr(module, "_schema_id", None),
        "own_env": env.has_own_env(params),
    }


METHODS = {
    "versions": versions,
    "heads": heads,
    "history": history,
    "upgrade": upgrade,
    "downgrade": downgrade,
    "current": current,
    "stamp": stamp,
    "offline_sql": offline_sql,
    "schemas": schemas,
    "create_all": create_all,
    "compare": compare,
    "package": package_info,
    "loaded_files": loaded_files,
}
