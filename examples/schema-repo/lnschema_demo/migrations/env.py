"""alembic environment of lnschema_demo (lamin style: schemas, type comparison, per-schema version table)."""
from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import lnschema_demo  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata
version_table = f"migration_{lnschema_demo._schema_id}"
options = dict(
    target_metadata=target_metadata,
    version_table=version_table,
    include_schemas=True,
    compare_type=True,
)


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # A caller (pytest-alembic, migrakit) may hand us a connection; otherwise connect from the URL.
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = engine_from_config(config.get_section(config.config_ini_section) or {}, prefix="sqlalchemy.", poolclass=pool.NullPool)
    if hasattr(connectable, "connect") and not hasattr(connectable, "execute"):
        with connectable.connect() as connection:
            context.configure(connection=connection, **options)
            with context.begin_transaction():
                context.run_migrations()
    else:
        context.configure(connection=connectable, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
