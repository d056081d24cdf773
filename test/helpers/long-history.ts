// A long, real-looking history of released scripts (long docstrings, batch ops, an sqlite branch), parsed the
// way a static check parses it: shared by the long-history test and bench/model-parse.
import { buildGraph } from "../../src/model/graph.js";
import { parseInitFile } from "../../src/model/init-file.js";
import { parseScriptName, slugForVersion } from "../../src/model/script-name.js";
import { parseScriptSource, parseScriptSourceTokenized } from "../../src/model/script-source.js";
import type { Script } from "../../src/model/types.js";

const TEMPLATE = `"""vVERSION.

Revision ID: REV
Revises: DOWN
Create Date: 2023-02-14 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa

revision = "REV"
down_revision = DOWN


def upgrade() -> None:
    op.create_table(
        "dobject",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["core.file.id"], name=op.f("fk_dobject_file_id_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dobject")),
        schema="core",
    )
    with op.batch_alter_table("dobject", schema="core") as batch_op:
        batch_op.create_index(batch_op.f("ix_core_dobject_name"), ["name"], unique=False)
    bind = op.get_bind()
    if bind.engine.name == "sqlite":
        op.execute('''UPDATE "core.dobject" SET name = 'x' WHERE id IS NULL''')


def downgrade() -> None:
    op.drop_table("dobject", schema="core")
`;

/** `tokenizerOnly`: read every script with the tokenizer, never the regex fast scanner (bench/model-parse compares). */
export function longHistory(n: number, opts: { tokenizerOnly?: boolean } = {}) {
  const read = opts.tokenizerOnly ? parseScriptSourceTokenized : parseScriptSource;
  const revs = Array.from({ length: n }, (_, i) => (0xa00000000000 + i).toString(16));
  const files = revs.map((rev, i) => {
    const version = `0.${i}.0`;
    const down = i === 0 ? "None" : `"${revs[i - 1]}"`;
    return {
      name: `2023-02-14-${rev}-${slugForVersion(version)}.py`,
      text: TEMPLATE.replaceAll("VERSION", version).replaceAll("REV", rev).replaceAll("DOWN", down),
    };
  });
  /** Names, sources, graph and __init__: the pure part of a static check. */
  const parse = () => {
    const scripts: Script[] = files.map((f) => ({ path: f.name, name: parseScriptName(f.name), source: read(f.text) }));
    const graph = buildGraph(scripts);
    const init = parseInitFile(`_migration = "${graph.heads[0]}"\n__version__ = "0.${n - 1}.0"\n`);
    return { scripts, graph, init };
  };
  return { revs, files, parse };
}
