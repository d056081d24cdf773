// bench/fleet: deploying a fleet. 50 empty databases on an embedded Postgres (its own data folder), a package
// of 10 released scripts; prints side by side the wall time of `migrakit deploy --targets FILE --yes` with
// --parallel 1 and --parallel 8, and 50 sequential `alembic upgrade head` runs (each process paying its own
// Python start, as a shell loop over the instances would). Target (issue 14): --parallel 8 ≤ 0.25× the loop.
// Each variant gets its own fresh set of 50 databases. Run: npx tsc -p . && node dist/bench/fleet.js [--dbs 50]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { withClient } from "../src/db/connect.js";
import { getScratchServer } from "../src/db/server.js";
import { withDatabase } from "../src/db/url.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "migrakit.js");
const PYTHON = process.env.MIGRAKIT_PYTHON || join(ROOT, ".venvs", "current", "bin", "python");
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const DBS = Number(arg("dbs", "50"));
const SCRIPTS = 10;
const rev = (i: number) => (0xfee700000000 + i).toString(16).slice(-12);

const ENV_PY = `import os
from alembic import context
from sqlalchemy import create_engine, pool

config = context.config


def run(connection):
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = create_engine(os.environ["BENCH_URL"], poolclass=pool.NullPool)
    with engine.connect() as c:
        run(c)
        c.commit() if hasattr(c, "commit") else None
`;

function writeRepo(dir: string): void {
  const pkg = join(dir, "lnschema_fleet");
  mkdirSync(join(pkg, "migrations", "versions"), { recursive: true });
  for (let i = 1; i <= SCRIPTS; i++) {
    const text = [
      `"""v0.${i}.0."""`,
      "from alembic import op",
      "import sqlalchemy as sa",
      "",
      `revision = "${rev(i)}"`,
      `down_revision = ${i === 1 ? "None" : `"${rev(i - 1)}"`}`,
      "",
      "",
      "def upgrade() -> None:",
      `    op.create_table("t${i}", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(), nullable=True))`,
      `    op.create_index("ix_t${i}_name", "t${i}", ["name"])`,
      "",
      "",
      "def downgrade() -> None:",
      `    op.drop_table("t${i}")`,
      "",
    ].join("\n");
    writeFileSync(
      join(pkg, "migrations", "versions", `2024-01-${String(i).padStart(2, "0")}-${rev(i)}-v0_${i}_0.py`),
      text,
    );
  }
  writeFileSync(join(pkg, "migrations", "env.py"), ENV_PY);
  writeFileSync(join(pkg, "__init__.py"), `_migration = "${rev(SCRIPTS)}"\n__version__ = "0.${SCRIPTS}.0"\n`);
  writeFileSync(join(dir, "alembic.ini"), "[alembic]\nscript_location = lnschema_fleet/migrations\n");
  spawnSync("git", ["init", "-q"], { cwd: dir });
}

async function databases(admin: string, prefix: string): Promise<string[]> {
  const urls: string[] = [];
  await withClient(admin, async (c) => {
    for (let i = 0; i < DBS; i++) {
      await c.query(`DROP DATABASE IF EXISTS "${prefix}_${i}"`);
      await c.query(`CREATE DATABASE "${prefix}_${i}"`);
      urls.push(withDatabase(admin, `${prefix}_${i}`));
    }
  });
  return urls;
}

async function dropAll(admin: string, prefix: string): Promise<void> {
  await withClient(admin, async (c) => {
    for (let i = 0; i < DBS; i++) await c.query(`DROP DATABASE IF EXISTS "${prefix}_${i}"`);
  });
}

function timed(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), "migrakit-bench-fleet-"));
  spawnSync("chmod", ["755", base]);
  const repo = join(base, "repo");
  mkdirSync(repo);
  writeRepo(repo);
  const server = await getScratchServer({
    database: "embedded",
    env: { ...process.env, MIGRAKIT_DATABASE_URL: "" },
    keepAlive: false,
    dataDir: join(base, "pg"),
  });
  const env = {
    ...process.env,
    MIGRAKIT_PYTHON: PYTHON,
    MIGRAKIT_DATABASE_URL: server.adminUrl,
    CI: "true",
    GITHUB_ACTIONS: "",
  };
  const results: { label: string; ms: number }[] = [];
  try {
    for (const parallel of [1, 8]) {
      const urls = await databases(server.adminUrl, `fleet_p${parallel}`);
      const file = join(base, `targets-${parallel}.txt`);
      writeFileSync(file, urls.join("\n") + "\n");
      const ms = timed(() => {
        const r = spawnSync(
          process.execPath,
          [BIN, "deploy", "--targets", file, "--yes", "--parallel", String(parallel), "--json"],
          { cwd: repo, env, encoding: "utf8" },
        );
        if (r.status !== 0)
          throw new Error(`deploy --parallel ${parallel}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
        const doc = JSON.parse(r.stdout) as { atHead: number };
        if (doc.atHead !== DBS) throw new Error(`deploy --parallel ${parallel}: ${doc.atHead} of ${DBS} at head`);
      });
      results.push({ label: `migrakit deploy --targets (${DBS} dbs) --parallel ${parallel}`, ms });
      await dropAll(server.adminUrl, `fleet_p${parallel}`);
    }
    const urls = await databases(server.adminUrl, "fleet_alembic");
    const ms = timed(() => {
      for (const url of urls) {
        const r = spawnSync(PYTHON, ["-m", "alembic", "-c", join(repo, "alembic.ini"), "upgrade", "head"], {
          cwd: repo,
          env: { ...env, BENCH_URL: url.replace(/^postgresql:/, "postgresql+psycopg2:") },
          encoding: "utf8",
        });
        if (r.status !== 0) throw new Error(`alembic upgrade head: exit ${r.status}\n${r.stderr}`);
      }
    });
    results.unshift({ label: `${DBS} × python -m alembic upgrade head (sequential)`, ms });
    await dropAll(server.adminUrl, "fleet_alembic");
  } finally {
    await server.release();
    rmSync(base, { recursive: true, force: true });
  }
  const loop = results[0]!.ms;
  console.log(`bench/fleet: ${DBS} empty databases × ${SCRIPTS} scripts, embedded Postgres, ${PYTHON}`);
  for (const r of results)
    console.log(
      `${r.label.padEnd(58)} ${(r.ms / 1000).toFixed(2).padStart(7)} s   ${(r.ms / loop).toFixed(2).padStart(5)}x the alembic loop`,
    );
}

await main();
