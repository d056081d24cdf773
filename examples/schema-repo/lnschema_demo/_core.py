"""The ORM: SQLModel tables in the Postgres schema `core`."""
from typing import Optional

from sqlalchemy import ForeignKeyConstraint
from sqlmodel import Field, SQLModel

# lamin's naming convention: constraint names follow their table and columns.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class User(SQLModel, table=True):  # type: ignore
    """A user."""

    __table_args__ = {"schema": "core"}
    id: str = Field(primary_key=True)
    email: str = Field(index=True, unique=True)
    handle: str = Field(index=True, unique=True)


class Transform(SQLModel, table=True):  # type: ignore
    """A versioned transform: a notebook or a pipeline."""

    __table_args__ = {"schema": "core"}
    id: str = Field(primary_key=True)
    version: str = Field(default="1", primary_key=True)
    name: Optional[str] = Field(default=None, index=True)
    created_by: str = Field(foreign_key="core.user.id", index=True)


class Run(SQLModel, table=True):  # type: ignore
    """A run of a transform."""

    __table_args__ = (
        ForeignKeyConstraint(
            ["transform_id", "transform_version"],
            ["core.transform.id", "core.transform.version"],
            name="fk_run_transform_id_transform",
        ),
        {"schema": "core"},
    )
    id: str = Field(primary_key=True)
    name: Optional[str] = Field(default=None, index=True)
    transform_id: str = Field(index=True)
    transform_version: str = Field(index=True)
