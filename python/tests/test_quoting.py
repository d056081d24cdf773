"""The one set of quoting rules the renderers share (quoting.py), against SQLAlchemy's real Postgres dialect."""

import ast
import os
import subprocess
import sys
from types import SimpleNamespace

from sqlalchemy.dialects import postgresql

from migrakit_bridge.quoting import default_schema, ident, py_str, qualified

PG = SimpleNamespace(dialect=postgresql.dialect())
NO_DIALECT = SimpleNamespace(dialect=None)
PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_py_str_is_a_python_literal_of_the_same_text():
    for value in ['ALTER TABLE "User" RENAME TO x', "a\\b", 'end\\"', "plain"]:
        text = py_str(value)
        assert text.startswith('"') and text.endswith('"')
        assert ast.literal_eval(text) == value


def test_identifiers_are_quoted_only_where_postgres_needs_it():
    assert ident(PG, "hero") == "hero"
    assert ident(PG, "Hero") == '"Hero"'
    assert ident(PG, "user") == '"user"'  # a reserved word
    assert ident(PG, 'we"ird') == '"we""ird"'
    assert ident(NO_DIALECT, "Hero") == "Hero"  # offline rendering without a dialect: as given


def test_qualified_names_quote_each_part_and_leave_out_a_missing_schema():
    assert qualified(PG, "Sales", "hero") == '"Sales".hero'
    assert qualified(PG, None, "Hero") == '"Hero"'
    assert qualified(PG, "", "hero") == "hero"
    assert qualified(NO_DIALECT, "s", "t") == "s.t"


def test_the_default_schema_is_the_dialects_else_public():
    dialect = postgresql.dialect()
    dialect.default_schema_name = "tenant"
    assert default_schema(SimpleNamespace(migration_context=SimpleNamespace(dialect=dialect))) == "tenant"
    assert default_schema(SimpleNamespace(migration_context=SimpleNamespace(dialect=postgresql.dialect()))) == "public"
    assert default_schema(SimpleNamespace()) == "public"


def test_importing_the_rules_loads_neither_alembic_nor_sqlalchemy():
    code = (
        "import sys, migrakit_bridge.quoting; print(sorted(m for m in ('alembic', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PYTHON_DIR)
    assert out.stdout.strip() == "[]"
