// bench/model-parse: the pure part of a static check (names, sources, graph, __init__) over 1000 scripts,
// beside a pass that only reads every character of the same text (how fast this machine is right now).
// Run: npx tsc -p . && node dist/bench/model-parse.js
import { buildGraph } from "../src/model/graph.js";
import { parseInitFile } from "../src/model/init-file.js";
import { parseScriptName, slugForVersion } from "../src/model/script-name.js";
import { parseScriptSource } from "../src/model/script-source.js";
import type { Script } from "../src/model/types.js";

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


const n = 1000;
const revs = Array.from({ length: n }, (_, i) => (0xa00000000000 + i).toString(16));
const files = revs.map((rev, i) => {
const version = `0.${i}.0`;
const down = i === 0 ? "None" : `"${revs[i - 1]}"`;
  return {
    name: `2023-02-14-${rev}-${slugForVersion(version)}.py`,
    text: TEMPLATE.replaceAll("VERSION", version).replaceAll("REV", rev).replaceAll("DOWN", down),
  };
});
const run = () => {
  const scripts: Script[] = files.map((f) => ({ path: f.name, name: parseScriptName(f.name), source: parseScriptSource(f.text) }));
  const graph = buildGraph(scripts);
  const init = parseInitFile(`_migration = "${graph.heads[0]}"\n__version__ = "0.${n - 1}.0"\n`);
  return { scripts, graph, init };
};

// The first run is what `migrakit check --static` pays: a fresh process, nothing compiled or optimised yet.
const c0 = performance.now();
run();
const cold = performance.now() - c0;
for (let k = 0; k < 2; k++) run(); // let V8 optimise, as a long CI job would
let best = Infinity;
let yardstick = Infinity;
for (let k = 0; k < 7; k++) {
  const t0 = performance.now();
  run();
  best = Math.min(best, performance.now() - t0);
  const t1 = performance.now();
  let sum = 0;
  for (const f of files) for (let i = 0; i < f.text.length; i++) sum += f.text.charCodeAt(i);
  yardstick = Math.min(yardstick, performance.now() - t1);
  if (sum === 0) throw new Error("empty fixture");
}
const mb = files.reduce((a, f) => a + f.text.length, 0) / 1e6;
console.log(
  `parse 1000 scripts (${mb.toFixed(2)} MB): first run ${cold.toFixed(1)} ms; best of 7 ${best.toFixed(1)} ms; reading every character: ${yardstick.toFixed(1)} ms (${(best / yardstick).toFixed(1)}x)`,
);
