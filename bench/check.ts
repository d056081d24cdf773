// bench/check: `migrakit check` against plain alembic on generated seed-style repos (100 scripts / 30 tables,
// 1000 scripts / 100 tables). Prints side by side: plain alembic (one Python process: upgrade head on an empty
// database + compare_metadata), migrakit cold (--no-cache: no template, no result cache), warm (template
// cached, an ORM file touched so the result cache misses), warm after one new unreleased script, and the
// result cache's answer, against `node -e 0`; each row with issue 15's target for it, when it has one. Under
// the cold and warm rows: the bridge requests of one run and their ms (MIGRAKIT_BRIDGE_TRACE), where Python's
// share of the time goes.
// Run: npm run build && node dist/bench/check.js [--sizes 100,1000] [--runs 3]
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureEmbeddedServer, stopEmbeddedServer } from "../src/db/embedded.js";
import { pruneTemplates } from "../src/db/templates.js";
import { withClient } from "../src/db/connect.js";
import { timeCommand, type Timing } from "./measure.js";
import { listWorkers, stopWorkers } from "../src/bridge/worker-admin.js";
import { isAlive, waitForExit } from "../src/db/pid.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "migrakit.js");
const PYTHON = process.env.MIGRAKIT_PYTHON || join(ROOT, ".venvs", "current", "bin", "python");
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const SIZES = arg("sizes", "100,1000").split(",").map(Number);
const RUNS = Number(arg("runs", "3"));

const rev = (i: number) => (0x100000000000 + i).toString(16).slice(-12);

/** A seed-style package: `tables` tables created by the first scripts, the rest add one column each. */
function generate(dir: string, scripts: number, tables: number): void {
  const pkg = join(dir, "lnschema_bench");
  mkdirSync(join(pkg, "migrations", "versions"), { recursive: true });
  const columns: string[][] = Array.from({ length: tables }, () => []);
  for (let i = 0; i < scripts; i++) {
    const t = i % tables;
    let up: string;
    let down: string;
    if (i < tables) {
      up = `op.create_table("t${t}", sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint("id", name=op.f("pk_t${t}")), schema="core")`;
      down = `op.drop_table("t${t}", schema="core")`;
    } else {
      const c = `c${i}`;
      columns[t]!.push(c);
      up = `op.add_column("t${t}", sa.Column("${c}", sa.Integer(), nullable=True), schema="core")`;
      down = `op.drop_column("t${t}", "${c}", schema="core")`;
    }
    const released = i < scripts - 1;
    const text = [
      released ? `"""v0.${i + 1}.0."""` : '"""vX.X.X."""',
      "from alembic import op",
      "import sqlalchemy as sa  # noqa: F401",
      "",
      `revision = "${rev(i)}"`,
      `down_revision = ${i === 0 ? "None" : `"${rev(i - 1)}"`}`,
      "",
      "",
      "def upgrade() -> None:",
      `    ${up}`,
      "",
      "",
      "def downgrade() -> None:",
      `    ${down}`,
      "",
    ].join("\n");
    writeFileSync(
      join(pkg, "migrations", "versions", `2023-01-01-${rev(i)}-${released ? `v0_${i + 1}_0` : "vx_x_x"}.py`),
      text,
    );
  }
  const orm = ["from typing import Optional", "from sqlmodel import Field, SQLModel", ""];
  for (let t = 0; t < tables; t++) {
    orm.push(
      `class T${t}(SQLModel, table=True):  # type: ignore`,
      `    __tablename__ = "t${t}"`,
      '    __table_args__ = {"schema": "core"}',
      "    id: int = Field(primary_key=True)",
    );
    for (const c of columns[t]!) orm.push(`    ${c}: Optional[int] = None`);
    orm.push("");
  }
  writeFileSync(join(pkg, "_core.py"), orm.join("\n"));
  writeFileSync(join(pkg, "migrations", "env.py"), ENV_PY);
  writeFileSync(
    join(pkg, "__init__.py"),
    `_migration = "${rev(scripts - 1)}"\n__version__ = "0.${scripts - 1}.0"\n\nfrom ._core import *  # noqa\n`,
  );
  execFileSync("git", ["init", "-q"], { cwd: dir });
  execFileSync("git", ["-c", "user.name=b", "-c", "user.email=b@b", "add", "-A"], { cwd: dir });
  execFileSync("git", ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "bench"], { cwd: dir });
}

const ENV_PY = `from alembic import context
from sqlmodel import SQLModel

import lnschema_bench  # noqa: F401

config = context.config
options = dict(target_metadata=SQLModel.metadata, include_schemas=True, compare_type=True)
connectable = config.attributes.get("connection")
if connectable is None:
    from sqlalchemy import create_engine
    connectable = create_engine(config.get_main_option("sqlalchemy.url"))
if hasattr(connectable, "execute"):
    context.configure(connection=connectable, **options)
    with context.begin_transaction():
        context.run_migrations()
else:
    with connectable.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
`;

/** Plain alembic in one process, the way a CI step without migrakit would run it. */
const PLAIN = `
import sys
from alembic.config import Config
from alembic import command
from alembic.migration import MigrationContext
from alembic.autogenerate import compare_metadata
from sqlalchemy import create_engine, text
root, url = sys.argv[1], sys.argv[2]
sys.path.insert(0, root)
import lnschema_bench
from sqlmodel import SQLModel
engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://"))
with engine.begin() as c:
    c.execute(text("CREATE SCHEMA IF NOT EXISTS core"))
cfg = Config()
cfg.set_main_option("script_location", root + "/lnschema_bench/migrations")
with engine.begin() as c:
    cfg.attributes["connection"] = c
    command.upgrade(cfg, "head")
with engine.connect() as c:
    diffs = compare_metadata(MigrationContext.configure(c, opts={"include_schemas": True, "compare_type": True}), SQLModel.metadata)
assert not diffs, diffs
`;

interface Row {
  t: Timing;
  ratio: number;
  of: string;
  /** Issue 15's target for this row, when it has one. */
  target?: string;
  met?: boolean;
}

function formatRow(r: Row): string {
  const target = r.target ? `  target ${r.target}: ${r.met ? "met" : "NOT met"}` : "";
  const time = `${(r.t.medianMs / 1000).toFixed(3).padStart(7)} s`;
  return `  ${r.t.label.padEnd(52)} ${time}  ${r.ratio.toFixed(2).padStart(5)}x ${r.of}${target}`;
}

/** The requests of the last of `runs` runs traced to `file` (each run asks the same ones), as `method ms`. */
function lastRunRequests(file: string, runs: number): string {
  let lines: string[] = [];
  try {
    lines = readFileSync(file, "utf8").trim().split("\n");
  } catch {
    return "(none traced)";
  }
  const perRun = Math.floor(lines.length / runs);
  return lines
    .slice(lines.length - perRun)
    .map((l) => {
      const [method, ms, outcome] = l.split("\t");
      return `${method} ${ms}${outcome === "ok" ? "" : ` (${outcome})`}`;
    })
    .join(", ");
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), "migrakit-bench-"));
  execFileSync("chmod", ["755", base]);
  const dataDir = join(base, "pg");
  const workers = join(base, "workers");
  mkdirSync(workers, { mode: 0o700 });
  const env0 = { ...process.env, MIGRAKIT_DATABASE_URL: "" };
  const t0 = Date.now();
  const server = await ensureEmbeddedServer({ env: env0, dataDir });
  const serverStart = Date.now() - t0;
  const node = timeCommand("node -e 0", process.execPath, ["-e", "0"], { runs: RUNS });
  console.log(
    `embedded Postgres ${server.version}: new data folder initialised and started in ${(serverStart / 1000).toFixed(2)} s`,
  );
  console.log(`python: ${PYTHON}`);
  try {
    for (const n of SIZES) {
      const tables = n >= 1000 ? 100 : 30;
      const dir = join(base, `repo-${n}`);
      mkdirSync(dir);
      generate(dir, n, tables);
      const cache = join(base, `cache-${n}`);
      // The warm Python worker in a folder of the bench's own (stopped at the end); cold runs go without it.
      const env = {
        ...process.env,
        MIGRAKIT_PYTHON: PYTHON,
        MIGRAKIT_DATABASE_URL: server.adminUrl,
        XDG_CACHE_HOME: cache,
        CI: "",
        GITHUB_ACTIONS: "",
        MIGRAKIT_WORKER: "1",
        MIGRAKIT_WORKER_DIR: workers,
      };
      // Plain alembic on a fresh database each run.
      const db = `migrakit_bench_${n}`;
      const fresh = () =>
        void execFileSync(process.execPath, [
          "-e",
          `
          const pg = require(${JSON.stringify(join(ROOT, "node_modules", "pg"))});
          const c = new pg.Client(${JSON.stringify(server.adminUrl)});
          c.connect().then(() => c.query('DROP DATABASE IF EXISTS ${db}')).then(() => c.query('CREATE DATABASE ${db}')).then(() => c.end());`,
        ]);
      const url = server.adminUrl.replace(/\/postgres$/, `/${db}`);
      // As a developer's alembic runs: writing and then reading its __pycache__ (a shell that sets
      // PYTHONDONTWRITEBYTECODE would have it compile every script on every run, and flatter migrakit).
      const { PYTHONDONTWRITEBYTECODE: _noBytecode, ...plainEnv } = process.env;
      const plain = timeCommand(`plain alembic (${n} scripts, ${tables} tables)`, PYTHON, ["-c", PLAIN, dir, url], {
        env: plainEnv,
        runs: RUNS,
        before: fresh,
      });
      await withClient(server.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${db}`));
      const checkCmd = (label: string, extraEnv: NodeJS.ProcessEnv, before?: () => void): Timing =>
        timeCommand(label, process.execPath, [BIN, "check"], {
          cwd: dir,
          env: { ...env, ...extraEnv },
          runs: RUNS,
          before,
        });
      const traces = { cold: join(base, `trace-cold-${n}`), warm: join(base, `trace-warm-${n}`) };
      const cold = checkCmd(`migrakit check cold (no cache, no template, no worker)`, {
        MIGRAKIT_NO_CACHE: "1",
        MIGRAKIT_WORKER: "0",
        MIGRAKIT_BRIDGE_TRACE: traces.cold,
      });
      checkCmd("(prime the template)", {});
      let touch = 0;
      const touchOrm = () => appendFileSync(join(dir, "lnschema_bench", "_core.py"), `# ${touch++}\n`);
      const warmNoWorker = checkCmd(
        `migrakit check warm, no worker (template cached)`,
        { MIGRAKIT_WORKER: "0" },
        touchOrm,
      );
      const warm = checkCmd(
        `migrakit check warm (template cached, warm worker)`,
        { MIGRAKIT_BRIDGE_TRACE: traces.warm },
        touchOrm,
      );
      const cached = checkCmd(`migrakit check, inputs unchanged (result cache)`, {});
      // One more unreleased script (a new column) on top of the cached template.
      const last = n - 1;
      writeFileSync(
        join(dir, "lnschema_bench", "migrations", "versions", `2023-01-02-${rev(n)}-vx_x_x.py`),
        `"""vX.X.X."""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "${rev(n)}"\ndown_revision = "${rev(last)}"\n\n\ndef upgrade() -> None:\n    op.add_column("t0", sa.Column("extra", sa.Integer(), nullable=True), schema="core")\n\n\ndef downgrade() -> None:\n    op.drop_column("t0", "extra", schema="core")\n`,
      );
      appendFileSync(join(dir, "lnschema_bench", "_core.py"), "");
      const core = join(dir, "lnschema_bench", "_core.py");
      execFileSync("sed", [
        "-i",
        "s/^class T0(SQLModel, table=True):  # type: ignore$/class T0(SQLModel, table=True):  # type: ignore\\n    extra: Optional[int] = None/",
        core,
      ]);
      execFileSync("sed", [
        "-i",
        `s/_migration = "${rev(last)}"/_migration = "${rev(n)}"/`,
        join(dir, "lnschema_bench", "__init__.py"),
      ]);
      const newScript = checkCmd(`migrakit check warm + 1 new unreleased script`, {}, touchOrm);
      console.log(`\n${n} scripts, ${tables} tables (median of ${RUNS}):`);
      console.log(
        `  load average ${loadavg()
          .map((x) => x.toFixed(2))
          .join(" ")} (the machine is shared: ratios, not absolute times)`,
      );
      // Every row of issue 15's table that concerns check, with its ratio and target; the others for reference.
      const warmTarget = n >= 1000 ? 0.2 : 0.4;
      const rows: Row[] = [
        { t: plain, ratio: 1, of: "plain alembic" },
        {
          t: cold,
          ratio: cold.medianMs / plain.medianMs,
          of: "plain alembic",
          target: `≤ plain + 0.5 s (${((plain.medianMs + 500) / 1000).toFixed(2)} s)`,
          met: cold.medianMs <= plain.medianMs + 500,
        },
        { t: warmNoWorker, ratio: warmNoWorker.medianMs / plain.medianMs, of: "plain alembic" },
        {
          t: warm,
          ratio: warm.medianMs / plain.medianMs,
          of: "plain alembic",
          target: `≤ ${warmTarget}x`,
          met: warm.medianMs <= warmTarget * plain.medianMs,
        },
        { t: newScript, ratio: newScript.medianMs / plain.medianMs, of: "plain alembic" },
        {
          t: cached,
          ratio: cached.medianMs / node.medianMs,
          of: `node -e 0 (${node.medianMs.toFixed(0)} ms)`,
          target: "≤ 1.5x",
          met: cached.medianMs <= 1.5 * node.medianMs,
        },
      ];
      for (const r of rows) console.log(formatRow(r));
      for (const [which, file] of Object.entries(traces))
        console.log(`  bridge requests of one ${which} run (ms): ${lastRunRequests(file, RUNS)}`);
    }
  } finally {
    await stopWorkers(await listWorkers(workers, isAlive), waitForExit);
    await pruneTemplates(server.adminUrl, { keep: 0 }).catch(() => {});
    await stopEmbeddedServer({ env: env0, dataDir });
    rmSync(base, { recursive: true, force: true });
  }
}

await main();
