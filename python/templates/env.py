"""alembic environment written by migrakit (``migrakit init``); migrakit uses the same one when none exists.

It imports the schema package this folder belongs to, compares against its ORM metadata (SQLModel's or a
declarative ``Base``), includes the Postgres schemas the ORM uses and ignores every other schema, compares
column types, and keeps the version table ``migration_{_schema_id}`` when the package sets ``_schema_id``.
Edit it freely: migrakit runs whatever env.py the repository has.
"""

import importlib
from pathlib import Path

from alembic import context
from sqlalchemy import MetaData, engine_from_config, pool

config = context.config


def _package_name():
    # migrakit says which package it runs; plain `alembic` finds it from where the scripts live.
    name = config.attributes.get("migrakit_package")
    if name:
        return name
    return Path(config.get_main_option("script_location")).resolve().parent.name


package = importlib.import_module(_package_name())


def _target_metadata():
    """SQLModel.metadata when the package's tables are there, else the metadata of a ``Base``."""
    try:
        from sqlmodel import SQLModel
    except ImportError:
        SQLModel = None
    if SQLModel is not None and SQLModel.metadata.tables:
        return SQLModel.metadata
    base = getattr(package, "Base", None)
    if base is not None and isinstance(getattr(base, "metadata", None), MetaData):
        return base.metadata
    for value in vars(package).values():
        if isinstance(value, MetaData):
            return value
    return SQLModel.metadata if SQLModel is not None else MetaData()


target_metadata = _target_metadata()

# A package may declare its constraint naming convention instead of setting it on the metadata.
_convention = getattr(package, "naming_convention", None) or getattr(package, "NAMING_CONVENTION", None)
if isinstance(_convention, dict) and not target_metadata.naming_convention.get("uq"):
    target_metadata.naming_convention = {**target_metadata.naming_convention, **_convention}

_schema_id = getattr(package, "_schema_id", None)
version_table = config.attributes.get("version_table") or (
    "migration_" + _schema_id if _schema_id else "alembic_version"
)

# Only the schemas this ORM uses (and the default one) are compared: other packages' tables live elsewhere.
orm_schemas = {table.schema for table in target_metadata.tables.values()}


def include_name(name, type_, parent_names):
    if type_ == "schema":
        return name in orm_schemas
    return True


options = dict(
    target_metadata=target_metadata,
    include_schemas=True,
    include_name=include_name,
    compare_type=True,
    compare_server_default=False,
    version_table=version_table,
)


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = engine_from_config(
            config.get_section(config.config_ini_section) or {}, prefix="sqlalchemy.", poolclass=pool.NullPool
        )
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection):
    context.configure(connection=connection, **options)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
