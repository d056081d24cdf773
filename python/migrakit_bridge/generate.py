"""`migrakit generate` on the Python side: autogenerate with renames applied, and the script template.

``generate`` is ``compare`` (commands.py) plus the NOT NULL backfills (backfill.py), the order of a careful
engineer (ordering.py) and the rename instructions of the TypeScript side
(src/generate/renames.ts decides them from the structured diffs): the diffs are those of alembic's own ops,
so the caller can pair drops and adds, while the rendered code is that of the ops after the renames, with
the downgrade derived by reversing the upgrade, as alembic does.

``render_script`` renders the repo's ``script.py.mako`` (or the built-in one) with the variables
``alembic revision`` passes, so a new script looks like the ones the repo's template always made.
"""

import datetime
import importlib
import os
import sys
import uuid

from . import enums, lengths  # noqa: F401  (lengths registers its comparator with alembic; enums too)
from . import environment as env
from . import package as pkg
from .backfill import apply_backfills, drop_noops
from .diffs import identity, structure_all, take_out
from .ordering import order
from .renames import apply_renames
from .render import render_ops
from .schema import include_left_schemas, mark_left, without_foreign_tables, without_left_drops


# The comparison of the last ``generate`` request, kept for the one that applies the renames paired on its
# diffs (src/generate/generate.ts asks right after, on the same untouched database): that request passes
# the ``comparison`` token it got and only applies, orders and renders. The token is refused — and the
# comparison made again — unless the request is about the same database and scripts and the ORM it compared
# is the one loaded now (the same Table objects, from source files unchanged on disk).
_kept = {}


def _request_key(params):
    return tuple(params.get(k) for k in ("url", "package", "repo_root", "import_root", "migrations_dir", "config_file"))


def _orm_state(metadata):
    """The ORM as compared: its Table objects (identity: a re-import makes new ones)."""
    tables = []
    for md in metadata if isinstance(metadata, (list, tuple)) else [metadata]:
        if md is not None:
            tables.extend(md.tables.values())
    return tables


def _files_state(root):
    """Size and mtime of the modules loaded from the import root: an edit on disk refuses the kept comparison."""
    out = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not os.path.abspath(path).startswith(root + os.sep):
            continue
        try:
            st = os.stat(path)
        except OSError:
            out.append((name, None))
            continue
        out.append((name, st.st_size, st.st_mtime_ns))
    return sorted(out, key=repr)


def _containers_copy(upgrade_ops):
    """A copy of the op tree's containers (the lists renames, backfills and ordering rewrite in place); the
    ops themselves are shared: those steps replace ops, never change one."""
    from alembic.operations import ops

    return ops.UpgradeOps(
        ops=[
            ops.ModifyTableOps(o.table_name, list(o.ops), schema=o.schema) if isinstance(o, ops.ModifyTableOps) else o
            for o in upgrade_ops.ops
        ]
    )


def _reusable(params, root):
    token = params.get("comparison")
    if not token or _kept.get("token") != token or _kept.get("key") != _request_key(params):
        return None
    module = sys.modules.get(params["package"])
    if module is None or module is not _kept["module"]:
        return None  # purged since (another import root, another package): re-imported on the next env.py run
    context = _kept["context"]
    now = _orm_state(context.opts.get("target_metadata"))
    if len(now) != len(_kept["tables"]) or any(a is not b for a, b in zip(now, _kept["tables"])):
        return None
    if _files_state(root) != _kept["files"]:
        return None
    return context


def _answer(params, upgrade_ops, context, diffs, left, types):
    applied = apply_renames(upgrade_ops, params.get("renames") or [])
    without_left_drops(upgrade_ops, left)
    backfills = apply_backfills(upgrade_ops, params.get("backfill") or [])
    enums.follow_types(upgrade_ops, context, types)
    order(upgrade_ops)
    downgrade_ops = upgrade_ops.reverse()
    drop_noops(downgrade_ops)
    drop_noops(upgrade_ops)  # ops that only say what their reverse does (renames.KeepSchemaOp)
    up_code, up_imports = render_ops(upgrade_ops, context, enums.render_item)
    down_code, down_imports = render_ops(downgrade_ops, context, enums.render_item)
    return dict(
        diffs=diffs,
        applied=applied,
        backfills=backfills,
        upgrade_ops=up_code,
        downgrade_ops=down_code,
        imports=sorted(up_imports | down_imports),
        empty=upgrade_ops.is_empty(),
    )


# Why the comparison of HEAD's ORM failed in this request, if it did (said by the TypeScript side, not fatal).
_failed = []


def _predating_keys(params):
    """The identities of the differences that predate the change (``predating`` of the request), or None for
    "every difference does" (the ORM is the one committed at HEAD: nothing in it is the change's).

    ``predating.path``: the ORM as committed at HEAD, exported there; compared with ``predating.url`` (the
    database the scripts at HEAD's place in the chain leave; default: this request's) through this request's
    env.py and scripts. Imported before the ORM of this request, which the purge of the import-root switch
    (package.py) then replaces: the comparison this request keeps is always of the current ORM.
    """
    from alembic.autogenerate import produce_migrations

    predating = params["predating"]
    if not predating.get("path") and not predating.get("url"):
        return None
    head = dict(params)
    if predating.get("path"):
        # env.py and the scripts are this request's (an absolute folder wins over the import root).
        head.update(import_root=predating["path"], migrations_dir=pkg.migrations_dir(params))
        # HEAD's alembic.ini, exported beside the package: its prepend_sys_path must point into the export.
        ini = params.get("config_file")
        if ini:
            current = os.path.abspath(params.get("import_root") or params.get("repo_root") or os.getcwd())
            theirs = os.path.join(predating["path"], os.path.relpath(os.path.abspath(ini), current))
            if os.path.isfile(theirs):
                head["config_file"] = theirs
    found = []

    def fn(rev, context):
        without_foreign_tables(context, params["package"])
        include_left_schemas(context)  # as the comparison of the change sees them: the same ops, the same diffs
        migration = produce_migrations(context, context.opts.get("target_metadata"))
        found.extend(structure_all(migration.upgrade_ops.as_diffs()))
        return []

    try:
        env.run(head, fn, url=predating.get("url") or params["url"], dont_mutate=True)
    except Exception as err:  # noqa: BLE001 - a HEAD that does not import leaves every difference the change's
        _failed.append(f"{type(err).__name__}: {err}".splitlines()[0][:300])
        return set()
    finally:
        if predating.get("path"):
            _forget_export(predating["path"])
    return {identity(d) for d in found}


def _forget_export(root):
    """Take HEAD's export (and what its ini prepended inside it) off sys.path. Left there, a working tree whose
    package lost its __init__.py would import HEAD's: a regular package on a later path entry wins over a
    namespace portion on an earlier one."""
    inside = os.path.abspath(root).rstrip(os.sep) + os.sep
    sys.path[:] = [p for p in sys.path if not (os.path.abspath(p or ".") + os.sep).startswith(inside)]
    importlib.invalidate_caches()


def generate(params):
    from alembic.autogenerate import produce_migrations

    # The import root in force for this request (a new root purges the package: new Table objects).
    root = pkg.prepare(params)
    context = _reusable(params, root)
    if context is not None:
        # Apply and render only: the diffs are those of the kept comparison (they are what was paired).
        ops = _containers_copy(_kept["ops"])
        # The kept context's connection is closed by now: the enum types come as read during the comparison.
        answer = _answer(params, ops, context, _kept["diffs"], _kept["left"], _kept["types"])
        return {**answer, "predating": _kept["predating"], "reused": True}
    _kept.clear()
    # Compared first: the ORM at HEAD is imported and purged again before the one this request is about.
    _failed.clear()
    keys = _predating_keys(params) if params.get("predating") is not None else set()
    result = {"predating_failed": _failed[0]} if _failed else {}

    def fn(rev, context):
        metadata = context.opts.get("target_metadata")
        without_foreign_tables(context, params["package"])
        left = include_left_schemas(context)
        migration = produce_migrations(context, metadata)
        upgrade_ops = migration.upgrade_ops
        # What predates the change leaves the ops before anything is paired, ordered or rendered.
        predated = take_out(upgrade_ops, keys) if keys != set() else []
        diffs = mark_left(structure_all(upgrade_ops.as_diffs()), left)
        pristine = _containers_copy(upgrade_ops)
        types = enums.database_types(context)
        result.update(_answer(params, upgrade_ops, context, diffs, left, types))
        token = uuid.uuid4().hex
        _kept.update(
            token=token,
            key=_request_key(params),
            context=context,
            ops=pristine,
            left=left,
            types=types,
            diffs=diffs,
            predating=predated,
            tables=_orm_state(metadata),
            files=_files_state(root),
            module=sys.modules.get(params["package"]),
        )
        result["comparison"] = token
        result["predating"] = predated
        return []

    env.run(params, fn, url=params["url"], dont_mutate=True)
    return result


def _template_path(params):
    # The repo's own template, else alembic's default (templates/script.py.mako); init writes the seed's own
    # template into the repo (src/init/templates.ts SCRIPT_TEMPLATE): why two, it says there.
    own = os.path.join(env.TEMPLATES_DIR, "script.py.mako")
    given = params.get("template")
    return given if given and os.path.isfile(given) else own


def render_script(params):
    """The text of a new script from the mako template (the way alembic's ScriptDirectory renders it)."""
    from alembic.util import format_as_comma, template_to_file
    import tempfile

    path = _template_path(params)
    with tempfile.TemporaryDirectory() as tmp:
        dest = os.path.join(tmp, "script.py")
        template_to_file(
            path,
            dest,
            "utf-8",
            up_revision=params["revision"],
            down_revision=params.get("down_revision"),
            branch_labels=None,
            depends_on=None,
            create_date=datetime.datetime.now(),
            message=params.get("message") or "",
            upgrades=params.get("upgrades") or "pass",
            downgrades=params.get("downgrades") or "pass",
            imports=params.get("imports") or "",
            config=None,
            comma=format_as_comma,  # the filter alembic's own templates use (`${down_revision | comma,n}`)
        )
        with open(dest, encoding="utf-8") as f:
            return {"text": f.read(), "template": path}


METHODS = {
    "generate": generate,
    "render_script": render_script,
}
