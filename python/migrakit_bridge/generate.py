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
import os

from . import enums, lengths  # noqa: F401  (register their comparators with alembic)
from . import environment as env
from .backfill import apply_backfills, drop_noops
from .diffs import structure_all
from .ordering import order
from .renames import apply_renames
from .render import render_ops
from .schema import without_foreign_tables


def generate(params):
    from alembic.autogenerate import produce_migrations

    result = {}

    def fn(rev, context):
        metadata = context.opts.get("target_metadata")
        without_foreign_tables(context, params["package"])
        migration = produce_migrations(context, metadata)
        upgrade_ops = migration.upgrade_ops
        diffs = structure_all(upgrade_ops.as_diffs())
        applied = apply_renames(upgrade_ops, params.get("renames") or [])
        backfills = apply_backfills(upgrade_ops, params.get("backfill") or [])
        order(upgrade_ops)
        downgrade_ops = upgrade_ops.reverse()
        drop_noops(downgrade_ops)
        up_code, up_imports = render_ops(upgrade_ops, context)
        down_code, down_imports = render_ops(downgrade_ops, context)
        result.update(
            diffs=diffs,
            applied=applied,
            backfills=backfills,
            upgrade_ops=up_code,
            downgrade_ops=down_code,
            imports=sorted(up_imports | down_imports),
            empty=upgrade_ops.is_empty(),
        )
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
