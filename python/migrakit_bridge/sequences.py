"""SERIAL detection in one query per comparison, not one per integer column with a ``nextval`` default.

alembic's Postgres implementation reflects each such column with a query of its own (``autogen_column_reflect``:
"is the sequence of this default owned by this column?", then it drops the default as SERIAL's). A check of
30 tables with serial keys ran 30 of those round trips, a thousand-script history's 100 tables 100.

Here the first such column of a comparison reads every sequence owned by a column, keyed the way alembic's own
query matches the default's sequence name; a name found there is answered from that one read (exactly the row
alembic's query would return), anything else — a name that is not found, or found twice — goes to alembic's
own query as before. Two forms of that query are known (alembic ≥ 1.11 casts the name to ``regclass``, older
ones match ``relname``), and the batch is installed only where alembic's method is one of them.
"""

import inspect
import logging
import re
import weakref

log = logging.getLogger("alembic.ddl.postgresql")

# alembic's own joins, with the sequence's regclass text (what the name in a default is written as: the
# session's search_path decides whether it is qualified) and relname as the two keys.
_OWNED_SQL = (
    "select c.oid::regclass::text, c.relname, a.attname "
    "from pg_class as c join "
    "pg_depend d on d.objid=c.oid and "
    "d.classid='pg_class'::regclass and "
    "d.refclassid='pg_class'::regclass "
    "join pg_class t on t.oid=d.refobjid "
    "join pg_attribute a on a.attrelid=t.oid and "
    "a.attnum=d.refobjsubid "
    "where c.relkind='S'"
)
# How alembic's query finds the sequence, by its source text → which column of ours is the key.
_FORMS = {"c.oid=cast(:seqname as regclass)": 0, "c.relname=:seqname": 1}

_owned_by_inspector = weakref.WeakKeyDictionary()


def _form(method):
    try:
        source = "".join(inspect.getsource(method).split())
    except (OSError, TypeError):
        return None
    found = [key for text, key in _FORMS.items() if "".join(text.split()) in source]
    return found[0] if len(found) == 1 else None


def _owned(inspector, key):
    """{sequence name as alembic's query matches it: (relname, attname)}, names with one row only; None when the
    read failed (then every column asks alembic's query)."""
    if inspector in _owned_by_inspector:
        return _owned_by_inspector[inspector]
    from alembic.util import sqla_compat
    from sqlalchemy import text

    try:
        rows = sqla_compat._exec_on_inspector(inspector, text(_OWNED_SQL)).fetchall()
    except Exception:  # noqa: BLE001 - alembic's own query then runs (and reports what fails)
        log.debug("reading the owned sequences failed; asking per column", exc_info=True)
        owned = None
    else:
        found = {}
        for row in rows:
            found.setdefault(row[key], set()).add((row[1], row[2]))
        owned = {name: next(iter(hits)) for name, hits in found.items() if len(hits) == 1}
    _owned_by_inspector[inspector] = owned
    return owned


def install():
    """Replace PostgresqlImpl.autogen_column_reflect by the batched one, where its query is one we know."""
    from alembic.ddl import postgresql

    impl = postgresql.PostgresqlImpl
    original = impl.autogen_column_reflect
    if getattr(original, "_migrakit_batched", False):
        return
    key = _form(original)
    if key is None:
        return
    integer_types = (postgresql.INTEGER, postgresql.BIGINT)

    def autogen_column_reflect(self, inspector, table, column_info):
        default = column_info.get("default")
        if default and isinstance(column_info["type"], integer_types):
            match = re.match(r"nextval\('(.+?)'::regclass\)", default)
            owned = _owned(inspector, key) if match else None
            hit = owned.get(match.group(1)) if owned else None
            if hit is not None:
                seqname, colname = hit
                if colname == column_info["name"]:
                    log.info(
                        "Detected sequence named '%s' as owned by integer column '%s(%s)', assuming SERIAL and omitting",
                        seqname,
                        table.name,
                        colname,
                    )
                    del column_info["default"]
                return None
        return original(self, inspector, table, column_info)

    autogen_column_reflect._migrakit_batched = True
    autogen_column_reflect._migrakit_original = original
    impl.autogen_column_reflect = autogen_column_reflect


install()
