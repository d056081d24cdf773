// A schema repo backed by a real ORM: one table, core.item, in lnschema_demo/_core.py, created by the first
// script and given one optional column by the second, so that compare and generate have something to read.
import { initText, makeSchemaRepo, scriptText, type RepoSpec, type ScriptSpec, type TempRepo } from "./schema-repo.js";

/** The ORM: core.item with an id and the optional `column`, then `extra` (more fields, indented four spaces). */
export const itemOrm = (column: string, extra = ""): string =>
  `from typing import Optional\nfrom sqlmodel import Field, SQLModel\n\n\nclass Item(SQLModel, table=True):  # type: ignore\n    __table_args__ = {"schema": "core"}\n    id: str = Field(primary_key=True)\n    ${column}: Optional[str] = None\n${extra}`;

/** The first script's body: core.item as alembic's autogenerate writes it. */
export const CREATE_ITEM = {
  upgrade: `op.create_table("item", sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False), sa.PrimaryKeyConstraint("id", name=op.f("pk_item")), schema="core")`,
  downgrade: `op.drop_table("item", schema="core")`,
};

/** A later script's body: the optional `column` of itemOrm added to core.item. */
export const addItemColumn = (column: string) => ({
  upgrade: `op.add_column("item", sa.Column("${column}", sqlmodel.sql.sqltypes.AutoString(), nullable=True), schema="core")`,
  downgrade: `op.drop_column("item", "${column}", schema="core")`,
});

/**
 * makeSchemaRepo with `_core.py` = itemOrm(column) imported by `__init__.py`, and scripts that import
 * `sqlmodel` by that name (their bodies use `sqlmodel.sql.sqltypes`), not as the builder's `sqm`.
 */
export function makeItemRepo(
  spec: Omit<RepoSpec, "init"> & { column: string; init: { version: string; migration: string } },
): TempRepo {
  const scripts: ScriptSpec[] = (spec.scripts ?? []).map((s) => ({
    ...s,
    raw: s.raw ?? scriptText(s).replace("import sqlmodel as sqm  # noqa", "import sqlmodel  # noqa"),
  }));
  return makeSchemaRepo({
    ...spec,
    scripts,
    init: initText(spec.init) + "from ._core import Item  # noqa\n",
    files: { ...spec.files, "lnschema_demo/_core.py": itemOrm(spec.column) },
  });
}
