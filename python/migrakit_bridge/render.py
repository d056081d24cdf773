"""alembic's rendering of op objects as Python text (shared by compare and generate)."""


def render_ops(ops, context):
    """alembic's rendering of ops as the body of upgrade()/downgrade(), with the imports it needs.

    render_python_code does this too but drops the imports; the env.py's render options (render_item,
    user_module_prefix, render_as_batch) are taken from its context as `alembic revision` does.
    """
    from alembic.autogenerate import render
    from alembic.autogenerate.api import AutogenContext

    opts = dict(context.opts)
    opts.setdefault("sqlalchemy_module_prefix", "sa.")
    opts.setdefault("alembic_module_prefix", "op.")
    opts.setdefault("render_as_batch", False)
    opts.setdefault("user_module_prefix", None)
    autogen = AutogenContext(context, opts=opts, autogenerate=False)
    autogen.imports = set()
    code = render._indent(render._render_cmd_body(ops, autogen))
    imports = set(autogen.imports)
    # Types outside sqlalchemy render by module path (sqlmodel.sql.sqltypes.AutoString()): import the root.
    for module in ("sqlmodel",):
        if module + "." in code and opts["user_module_prefix"] is None:
            imports.add("import " + module)
    return code, imports
