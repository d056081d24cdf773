"""alembic's rendering of op objects as Python text (shared by compare and generate)."""

import re
import sys


def render_ops(ops, context, render_item=None):
    """alembic's rendering of ops as the body of upgrade()/downgrade(), with the imports it needs.

    render_python_code does this too but drops the imports; the env.py's render options (render_item,
    user_module_prefix, render_as_batch) are taken from its context as `alembic revision` does.
    ``render_item``: ours, asked after env.py's own (which wins when it renders the item).
    """
    from alembic.autogenerate import render
    from alembic.autogenerate.api import AutogenContext

    opts = dict(context.opts)
    opts.setdefault("sqlalchemy_module_prefix", "sa.")
    opts.setdefault("alembic_module_prefix", "op.")
    opts.setdefault("render_as_batch", False)
    opts.setdefault("user_module_prefix", None)
    if render_item is not None:
        opts["render_item"] = _chained(opts.get("render_item"), render_item)
    autogen = AutogenContext(context, opts=opts, autogenerate=False)
    autogen.imports = set()
    code = render._indent(render._render_cmd_body(ops, autogen))
    imports = set(autogen.imports)
    if opts["user_module_prefix"] is None:
        imports |= module_imports(code)
    return code, imports


def _chained(own, ours):
    def render_item(type_, obj, autogen_context):
        if own is not None:
            done = own(type_, obj, autogen_context)
            if done is not False:
                return done
        return ours(type_, obj, autogen_context)

    return render_item


_DOTTED = re.compile(r"(?<![\w.'\"])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\.\w+\(")
_PREFIXES = ("sa", "op", "postgresql", "mysql", "sqlite")


def module_imports(code):
    """`import x.y` for every module a rendered type is written by path from (sqlmodel.sql.sqltypes.AutoString(),
    a TypeDecorator as lnschema_demo._core.Money()): alembic adds none of them, and a block without them fails
    with NameError when pasted. Only modules already imported count: those are the ones the ORM itself loaded."""
    out = set()
    for match in _DOTTED.finditer(code):
        parts = match.group(1).split(".")
        if parts[0] in _PREFIXES:
            continue
        # The longest prefix that is a loaded module: `import a.b` binds `a` and makes `a.b` reachable.
        for n in range(len(parts), 0, -1):
            name = ".".join(parts[:n])
            if name in sys.modules:
                out.add("import " + (parts[0] if parts[0] == "sqlmodel" else name))
                break
    return out
