"""Recording what each script does while it upgrades a real database, for the safety lint (src/lint/).

Why record during the real upgrade rather than read the text or run alembic's ``--sql`` mode: the op
objects are exact (no guessing at ``op.alter_column(..., type_=...)`` keyword spellings or helpers the script
calls), the database is exactly at the script's parent revision while each op runs (so the column type an
``alter_column`` changes *from* is read from the catalog, whatever ``existing_type`` says), and the check
already pays for this upgrade: recording adds a few Python calls per op, not another run.

Every op passes through ``Operations.invoke`` (op.add_column builds an AddColumnOp and invokes it), so the
recorder wraps that one method while a script's ``upgrade()`` runs. SQL the script sends past alembic
(``op.get_bind().execute(...)``, ``sa.Enum(...).drop(bind)``) is caught from the connection's
``before_cursor_execute`` event; ``autocommit_block`` is wrapped too. Nothing here changes what runs.
"""

import contextlib
import re
import sys

from .diffs import default_text, type_text

_FUNCTION = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def _invoke_owner():
    """The class that defines ``invoke`` (AbstractOperations on alembic 1.1x, Operations on older ones)."""
    from alembic.operations import Operations

    for cls in Operations.__mro__:
        if "invoke" in cls.__dict__:
            return cls
    return Operations


def _line_in(path):
    """The line of the script file that is running now (the op's call site), or None."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == path:
            return frame.f_lineno
        frame = frame.f_back
    return None


def _sql_text(sqltext):
    """The SQL of op.execute's argument, with bound values written in (``:name`` is not Postgres syntax)."""
    if isinstance(sqltext, str):
        return sqltext
    try:
        from sqlalchemy.dialects import postgresql

        return str(sqltext.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    except Exception:  # noqa: BLE001 - values without a literal form: the text without them, else nothing
        text = getattr(sqltext, "text", None)
        return text if isinstance(text, str) and ":" not in text else None


class _Catalog:
    """The few catalog reads the rules need, on the migration's own connection (so inside its transaction)."""

    def __init__(self, connection):
        self.connection = connection

    def _rows(self, sql, params):
        from sqlalchemy import text

        return self.connection.execute(text(sql), params).fetchall()

    def column(self, schema, table, column):
        rows = self._rows(
            "SELECT format_type(a.atttypid, a.atttypmod), a.attnotnull, t.typtype = 'e', "
            "ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = a.atttypid ORDER BY e.enumsortorder) "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_type t ON t.oid = a.atttypid "
            "WHERE n.nspname = COALESCE(:schema, current_schema()) AND c.relname = :table AND a.attname = :column "
            "AND NOT a.attisdropped",
            {"schema": schema, "table": table, "column": column},
        )
        if not rows:
            return None
        type_, notnull, is_enum, labels = rows[0]
        out = {"type": type_, "nullable": not notnull}
        if is_enum:
            out["enum_labels"] = list(labels)
        return out

    def volatile(self, expression):
        names = sorted(set(m.group(1).lower() for m in _FUNCTION.finditer(expression or "")))
        if not names:
            return []
        rows = self._rows(
            "SELECT DISTINCT proname::text FROM pg_proc WHERE provolatile = 'v' AND proname = ANY(:names)",
            {"names": names},
        )
        return sorted(r[0] for r in rows)


class _NoCatalog:
    """Offline without an instance to read: states unknown (the TypeScript side says so where it matters)."""

    def column(self, schema, table, column):
        return None

    def volatile(self, expression):
        return None


_NO_CATALOG = _NoCatalog()


def _enum_labels(type_):
    enums = getattr(type_, "enums", None)
    return list(enums) if enums else None


def _describe(operation, catalog):
    """The op as a plain dict for the TypeScript rules; None for ops no rule looks at."""
    from alembic.operations import ops

    name = type(operation).__name__
    schema = getattr(operation, "schema", None)
    table = getattr(operation, "table_name", None)
    base = {"op": name, "schema": schema, "table": table}
    if isinstance(operation, ops.CreateTableOp):
        return {**base, "op": "create_table"}
    if isinstance(operation, ops.DropTableOp):
        return {**base, "op": "drop_table"}
    if isinstance(operation, ops.RenameTableOp):
        return {**base, "op": "rename_table", "new_name": operation.new_table_name}
    if isinstance(operation, ops.AddColumnOp):
        column = operation.column
        default = default_text(column.server_default)
        return {
            **base,
            "op": "add_column",
            "column": column.name,
            "type": type_text(column.type),
            "nullable": bool(column.nullable),
            "server_default": default,
            "volatile": catalog.volatile(default) if default else [],  # None: not known (offline)
        }
    if isinstance(operation, ops.DropColumnOp):
        return {**base, "op": "drop_column", "column": operation.column_name}
    if isinstance(operation, ops.AlterColumnOp):
        out = {
            **base,
            "op": "alter_column",
            "column": operation.column_name,
            "before": catalog.column(schema, table, operation.column_name),
        }
        if operation.modify_name is not None:
            out["new_name"] = operation.modify_name
        if operation.modify_type is not None:
            out["type"] = type_text(operation.modify_type)
            labels = _enum_labels(operation.modify_type)
            if labels is not None:
                out["enum_labels"] = labels
        if operation.modify_nullable is not None:
            out["nullable"] = bool(operation.modify_nullable)
        if operation.modify_server_default is not False:
            default = default_text(operation.modify_server_default)
            out["server_default"] = default
        return out
    if isinstance(operation, ops.CreateIndexOp):
        kw = operation.kw or {}
        return {
            **base,
            "op": "create_index",
            "name": operation.index_name,
            "unique": bool(operation.unique),
            "concurrently": bool(kw.get("postgresql_concurrently")),
        }
    if isinstance(operation, ops.DropIndexOp):
        kw = operation.kw or {}
        return {
            **base,
            "op": "drop_index",
            "name": operation.index_name,
            "concurrently": bool(kw.get("postgresql_concurrently")),
        }
    if isinstance(operation, ops.CreateUniqueConstraintOp):
        return {**base, "op": "create_unique", "name": operation.constraint_name, "columns": list(operation.columns)}
    if isinstance(operation, ops.CreatePrimaryKeyOp):
        return {
            **base,
            "op": "create_primary_key",
            "name": operation.constraint_name,
            "columns": list(operation.columns),
        }
    if isinstance(operation, ops.CreateForeignKeyOp):
        kw = operation.kw or {}
        return {
            **base,
            "table": operation.source_table,
            "schema": operation.kw.get("source_schema"),
            "op": "create_foreign_key",
            "name": operation.constraint_name,
            "not_valid": bool(kw.get("postgresql_not_valid")),
        }
    if isinstance(operation, ops.CreateCheckConstraintOp):
        kw = operation.kw or {}
        return {
            **base,
            "op": "create_check",
            "name": operation.constraint_name,
            "not_valid": bool(kw.get("postgresql_not_valid")),
        }
    if isinstance(operation, ops.ExecuteSQLOp):
        return {"op": "execute", "sql": _sql_text(operation.sqltext)}
    return None


class Recorder:
    """The ops of each script's upgrade(), by revision, in the order they ran."""

    def __init__(self):
        self.scripts = {}
        self._current = None  # (entries, path) of the script running now
        self._depth = 0
        self._quiet = 0
        self._connection = None
        self._catalog = None
        self._listener = self._before_cursor_execute  # one bound method: event.remove needs the same object

    def result(self):
        return self.scripts

    def wrap_steps(self, steps):
        """Wrap each revision step's upgrade function so the ops it invokes are attributed to it."""
        for step in steps:
            revision = getattr(step, "revision", None)
            module = getattr(revision, "module", None)
            if revision is None or module is None or not getattr(step, "is_upgrade", False):
                continue
            step.migration_fn = self._wrapped(step.migration_fn, revision, module)
        return steps

    def _wrapped(self, fn, revision, module):
        recorder = self

        def upgrade(*args, **kw):
            entry = recorder.scripts[revision.revision] = {
                "path": revision.path,
                "transactional": getattr(module, "migrakit_transaction", True) is not False,
                "ops": [],
            }
            recorder._current = (entry["ops"], getattr(module, "__file__", revision.path))
            try:
                return fn(*args, **kw)
            finally:
                recorder._current = None

        upgrade.__name__ = getattr(fn, "__name__", "upgrade")
        return upgrade

    def _add(self, item):
        ops_, path = self._current
        item["line"] = _line_in(path)
        ops_.append(item)

    def read_catalog_from(self, connection):
        """Offline recording (nothing runs): column states are read from this connection instead."""
        self._catalog = _Catalog(connection)

    def attach(self, connection):
        """The connection the scripts run on (known once env.py has opened its migration context)."""
        from sqlalchemy import event

        if connection is None or connection is self._connection:
            return
        self._detach()
        self._connection = connection
        self._catalog = _Catalog(connection)
        event.listen(connection, "before_cursor_execute", self._listener)

    def _detach(self):
        from sqlalchemy import event

        if self._connection is not None:
            event.remove(self._connection, "before_cursor_execute", self._listener)
            self._connection = None

    def _before_cursor_execute(self, conn, cursor, statement, parameters, context, executemany):
        if self._current is None or self._depth or self._quiet:
            return
        self._add({"op": "sql", "sql": statement, "params": bool(parameters)})

    @contextlib.contextmanager
    def active(self):
        """Patch ``invoke`` and ``autocommit_block`` for as long as the run lasts."""
        from alembic.runtime.migration import MigrationContext

        owner = _invoke_owner()
        original_invoke = owner.__dict__["invoke"]
        original_autocommit = MigrationContext.__dict__["autocommit_block"]
        recorder = self

        def invoke(self_, operation):
            if recorder._current is None or recorder._depth:
                return original_invoke(self_, operation)
            recorder._quiet += 1
            try:
                item = _describe(operation, recorder._catalog or _NO_CATALOG)
            except Exception as exc:  # noqa: BLE001 - the lint must say it could not look, not break the upgrade
                item = {"op": "unknown", "error": "%s: %s" % (type(exc).__name__, exc)}
            finally:
                recorder._quiet -= 1
            if item is not None:
                recorder._add(item)
            recorder._depth += 1
            try:
                return original_invoke(self_, operation)
            finally:
                recorder._depth -= 1

        @contextlib.contextmanager
        def autocommit_block(self_):
            if recorder._current is not None:
                recorder._add({"op": "autocommit_block"})
            with original_autocommit(self_):
                yield

        owner.invoke = invoke
        MigrationContext.autocommit_block = autocommit_block
        try:
            yield self
        finally:
            owner.invoke = original_invoke
            MigrationContext.autocommit_block = original_autocommit
            self._detach()
