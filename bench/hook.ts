// bench/hook: the pre-commit hook's cost on a repo of N scripts (default 100; `node dist/bench/hook.js 1000`).
// Prints: `node -e 0`; the hook with nothing relevant staged; the hook with one ORM change, cold (no
// baseline template yet) and warm; plain alembic (upgrade from empty + autogenerate compare) for scale; and
// the seed's manual path, which is a CI round trip and is stated, not timed.
import { execFileSync, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeSchemaRepo } from "../test/helpers/schema-repo.js";
import { startTestPostgres } from "../test/helpers/postgres.js";
import { createScratchDatabase } from "../src/db/scratch.js";
import { withClient } from "../src/db/connect.js";
import { pruneTemplates } from "../src/db/templates.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/migrakit.js");
const PYTHON = join(ROOT, ".venvs/current/bin/python");
const N = Number(process.argv[2] ?? 100);

const rev = (i: number) => `${(0xa00000000000 + i).toString(16)}`;
const ms = (f: () => void) => {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function orm(columns: number, extra = ""): string {
  const cols = Array.from({ length: columns }, (_, i) => `    c${i}: Optional[str] = None\n`).join("");
  return `from typing import Optional\nfrom sqlmodel import Field, SQLModel\n\n\nclass Item(SQLModel, table=True):  # type: ignore\n    __table_args__ = {"schema": "core"}\n    id: str = Field(primary_key=True)\n${cols}${extra}`;
}

const pg = await startTestPostgres();
const scripts = Array.from({ length: N }, (_, i) => ({
  revision: rev(i),
  down: i === 0 ? null : rev(i - 1),
  slug: "v0_1_0",
  upgrade: i === 0 ? `op.create_table("item", sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False), sa.PrimaryKeyConstraint("id", name=op.f("pk_item")), schema="core")` : `op.add_column("item", sa.Column("c${i - 1}", sqlmodel.sql.sqltypes.AutoString(), nullable=True), schema="core")`,
  downgrade: i === 0 ? `op.drop_table("item", schema="core")` : `op.drop_column("item", "c${i - 1}", schema="core")`,
}));
const repo = makeSchemaRepo({
  init: { version: "0.1.0", migration: rev(N - 1) },
  scripts: scripts.map((s) => ({ ...s, raw: undefined })),
  files: {
    "lnschema_demo/_core.py": orm(N - 1),
    "lnschema_demo/migrations/env.py": "",
  },
  commit: false,
});
// Scripts need `import sqlmodel`; the fixture writes `import sqlmodel as sqm`.
for (const s of scripts) {
  const file = `lnschema_demo/migrations/versions/2023-02-16-${s.revision}-v0_1_0.py`;
  repo.write(file, repo.read(file).replace("import sqlmodel as sqm  # noqa", "import sqlmodel  # noqa"));
}
rmSync(repo.path("lnschema_demo/migrations/env.py"));
repo.write("lnschema_demo/__init__.py", repo.read("lnschema_demo/__init__.py") + "from ._core import Item  # noqa\n");
repo.git("add", "-A");
repo.git("commit", "-q", "-m", "history");
repo.git("tag", "v0.1.0");
const env = { ...process.env, MIGRAKIT_DATABASE_URL: pg.adminUrl, MIGRAKIT_PYTHON: PYTHON, CI: "true" };
const hook = (extra: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [BIN, "hook", "pre-commit"], { cwd: repo.dir, env: { ...env, ...extra }, encoding: "utf8" });

const nodeBare = median(Array.from({ length: 7 }, () => ms(() => execFileSync(process.execPath, ["-e", "0"]))));
repo.write("README.md", "x\n");
repo.git("add", "README.md");
const quick = median(Array.from({ length: 7 }, () => ms(() => hook())));
repo.git("reset", "-q", "HEAD", "README.md");

repo.write("lnschema_demo/_core.py", orm(N - 1, "    extra: Optional[str] = None\n"));
repo.git("add", "lnschema_demo/_core.py");
const runChange = (extra: NodeJS.ProcessEnv = {}) => {
  const t = ms(() => {
    const r = hook(extra);
    if (r.status !== 0) throw new Error(r.stderr);
  });
  repo.git("reset", "-q", "HEAD", "--", "lnschema_demo");
  for (const f of repo.git("ls-files", "--others", "--exclude-standard", "lnschema_demo").split("\n").filter(Boolean)) rmSync(repo.path(f));
  repo.git("checkout", "--", "lnschema_demo/__init__.py");
  repo.write("lnschema_demo/_core.py", orm(N - 1, "    extra: Optional[str] = None\n"));
  repo.git("add", "lnschema_demo/_core.py");
  return t;
};
const cold = runChange();
const warm = median([runChange(), runChange(), runChange()]);
// The same warm hook without the safety lint (no recording, no rules): what the lint adds.
const warmNoLint = median([runChange({ MIGRAKIT_BENCH_NO_LINT: "1" }), runChange({ MIGRAKIT_BENCH_NO_LINT: "1" }), runChange({ MIGRAKIT_BENCH_NO_LINT: "1" })]);

// Plain alembic, as CI would run it: upgrade an empty database through every script, then compare.
const db = await createScratchDatabase(pg.adminUrl);
await withClient(db.url, (c) => c.query("CREATE SCHEMA core"));
const alembicTime = ms(() => {
  // The built-in env.py of the bridge is what a repo without env.py runs: use alembic's API on it directly.
  const code = `
import sys, os
sys.path.insert(0, ${JSON.stringify(repo.dir)})
from alembic.config import Config
from alembic import command
c = Config()
c.set_main_option("script_location", ${JSON.stringify(repo.path("lnschema_demo/migrations"))})
c.set_main_option("sqlalchemy.url", ${JSON.stringify(db.url.replace("postgresql://", "postgresql+psycopg2://"))})
c.attributes["migrakit_package"] = "lnschema_demo"
import shutil; shutil.copy(${JSON.stringify(join(ROOT, "python/templates/env.py"))}, ${JSON.stringify(repo.path("lnschema_demo/migrations/env.py"))})
command.upgrade(c, "head")
command.check(c) if hasattr(command, "check") else None
`;
  spawnSync(PYTHON, ["-c", code], { cwd: repo.dir, encoding: "utf8", env: { ...env, PYTHONPATH: join(ROOT, "python") } });
});
await db.drop();
rmSync(repo.path("lnschema_demo/migrations/env.py"), { force: true });

const f = (x: number) => `${x.toFixed(0)} ms`;
console.log(`scripts: ${N}`);
console.log(`node -e 0:                              ${f(nodeBare)}`);
console.log(`hook, nothing relevant staged:          ${f(quick)} (${(quick / nodeBare).toFixed(2)}× node -e 0; target ≤ 2×)`);
console.log(`hook, one ORM change, cold:             ${f(cold)}`);
console.log(`hook, one ORM change, warm:             ${f(warm)} (${(warm / alembicTime).toFixed(2)}× plain alembic; target ≤ 0.8× at 100, ≤ 0.4× at 1000)`);
console.log(`hook, warm, without the safety lint:    ${f(warmNoLint)} (the lint adds ${(((warm - warmNoLint) / warmNoLint) * 100).toFixed(1)}%: ${(warm / warmNoLint).toFixed(3)}×; target ≤ 1.05×)`);
console.log(`plain alembic upgrade + compare:        ${f(alembicTime)}`);
console.log("seed's manual path:                     a CI round trip — push, wait for the Build step, copy the printed op lines into the script, push, wait again (minutes, not timed)");
repo.cleanup();
await pruneTemplates(pg.adminUrl, { keep: 0 });
await pg.stop();
