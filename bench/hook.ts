// bench/hook: the pre-commit hook's cost on a repo of N scripts (default 100; `node dist/bench/hook.js 1000`).
// Prints: `node -e 0`; the hook with nothing relevant staged; the hook with one ORM change, cold (no
// baseline template yet) and warm; plain alembic (upgrade from empty + autogenerate compare) for scale; and
// the seed's manual path, which is a CI round trip and is stated, not timed; and the warm run without the
// comparison of HEAD's ORM (drift that predates the change, MIGRAKIT_INCLUDE_DRIFT=1), for its cost. HEAD is a
// commit the hook let through (its drift is cached, as after any commit the hook passed); the warm run with
// that cache off (MIGRAKIT_NO_CACHE=1) is printed beside it.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeSchemaRepo } from "../test/helpers/schema-repo.js";
import { startTestPostgres } from "../test/helpers/postgres.js";
import { createScratchDatabase } from "../src/db/scratch.js";
import { withClient } from "../src/db/connect.js";
import { pruneTemplates } from "../src/db/templates.js";
import { listWorkers, stopWorkers } from "../src/bridge/worker-admin.js";
import { isAlive, waitForExit } from "../src/db/pid.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/migrakit.js");
// A throwaway copy of the current venv: the bench pip-installs into it. Timestamps kept: a .pyc names its
// source's mtime, and a copy with new mtimes would make every import compile again (bridge runs never write
// bytecode), a cost no installed venv has.
const WORK = mkdtempSync(join(tmpdir(), "migrakit-bench-hook-"));
cpSync(join(ROOT, ".venvs/current"), join(WORK, "venv"), {
  recursive: true,
  verbatimSymlinks: true,
  preserveTimestamps: true,
});
const PYTHON = join(WORK, "venv/bin/python");
const WORKERS = join(WORK, "workers");
const N = Number(process.argv[2] ?? 100);
// A wheel of a one-module distribution, so the bench's pip install needs no index.
const DUMMY_WHEEL = String.raw`
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("migrakit_bench_dummy.py", "")
    z.writestr("migrakit_bench_dummy-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: migrakit-bench-dummy\nVersion: 1.0\n")
    z.writestr("migrakit_bench_dummy-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    z.writestr("migrakit_bench_dummy-1.0.dist-info/RECORD", "")
`;

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
// A developer machine (not CI: the hook's caches are on, in the bench's own cache folder).
function devEnv(): NodeJS.ProcessEnv {
  return {
    MIGRAKIT_DATABASE_URL: pg.adminUrl,
    MIGRAKIT_PYTHON: PYTHON,
    CI: "",
    MIGRAKIT_NO_CACHE: "",
    XDG_CACHE_HOME: join(WORK, "cache"),
    MIGRAKIT_WORKER_DIR: WORKERS,
    MIGRAKIT_WORKER_IDLE: "600",
  };
}
const scripts = Array.from({ length: N }, (_, i) => ({
  revision: rev(i),
  down: i === 0 ? null : rev(i - 1),
  slug: "v0_1_0",
  upgrade:
    i === 0
      ? `op.create_table("item", sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False), sa.PrimaryKeyConstraint("id", name=op.f("pk_item")), schema="core")`
      : `op.add_column("item", sa.Column("c${i - 1}", sqlmodel.sql.sqltypes.AutoString(), nullable=True), schema="core")`,
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
// HEAD is a commit the hook let through, as on a developer machine: the hook then knows HEAD's drift (none;
// src/generate/drift-cache.ts). Without the worker and with the templates dropped after, so that the cold run
// below is still cold.
const setup = spawnSync(process.execPath, [BIN, "hook", "pre-commit"], {
  cwd: repo.dir,
  env: { ...process.env, ...devEnv(), MIGRAKIT_WORKER: "0" },
  encoding: "utf8",
});
if (setup.status !== 0) throw new Error(setup.stderr);
await pruneTemplates(pg.adminUrl, { keep: 0 });
repo.git("commit", "-q", "-m", "history");
repo.git("tag", "v0.1.0");
// The warm worker on (as on a developer machine), in the bench's own socket folder. Its idle exit is the
// default's order (10 min), not seconds: plain alembic runs between the warm runs and takes longer than a few
// seconds on a loaded machine, and a worker gone idle made "warm" runs cold ones. The "after the idle exit" run
// gets a worker of its own with a 4 s idle exit.
const env: NodeJS.ProcessEnv = { ...process.env, ...devEnv(), MIGRAKIT_WORKER: "1" };
let extraEnv: NodeJS.ProcessEnv = {};
const hook = () =>
  spawnSync(process.execPath, [BIN, "hook", "pre-commit"], {
    cwd: repo.dir,
    env: { ...env, ...extraEnv },
    encoding: "utf8",
  });

const nodeBare = median(Array.from({ length: 7 }, () => ms(() => execFileSync(process.execPath, ["-e", "0"]))));
repo.write("README.md", "x\n");
repo.git("add", "README.md");
const quick = median(Array.from({ length: 7 }, () => ms(() => hook())));
repo.git("reset", "-q", "HEAD", "README.md");

repo.write("lnschema_demo/_core.py", orm(N - 1, "    extra: Optional[str] = None\n"));
repo.git("add", "lnschema_demo/_core.py");
const runChange = () => {
  const t = ms(() => {
    const r = hook();
    if (r.status !== 0) throw new Error(r.stderr);
  });
  repo.git("reset", "-q", "HEAD", "--", "lnschema_demo");
  for (const f of repo.git("ls-files", "--others", "--exclude-standard", "lnschema_demo").split("\n").filter(Boolean))
    rmSync(repo.path(f));
  repo.git("checkout", "--", "lnschema_demo/__init__.py");
  repo.write("lnschema_demo/_core.py", orm(N - 1, "    extra: Optional[str] = None\n"));
  repo.git("add", "lnschema_demo/_core.py");
  return t;
};
// Plain alembic, as CI would run it: upgrade an empty database through every script, then compare. Timed
// between the warm hook runs (median of three), so that both see the same load on a shared machine.
const plainAlembic = async (): Promise<number> => {
  const db = await createScratchDatabase(pg.adminUrl);
  await withClient(db.url, (c) => c.query("CREATE SCHEMA core"));
  const t = ms(() => {
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
    // As a developer's alembic runs: writing and then reading its __pycache__ (a shell that sets
    // PYTHONDONTWRITEBYTECODE would have it compile every script on every run, and flatter migrakit).
    const { PYTHONDONTWRITEBYTECODE: _noBytecode, ...plainEnv } = env;
    spawnSync(PYTHON, ["-c", code], {
      cwd: repo.dir,
      encoding: "utf8",
      env: { ...plainEnv, PYTHONPATH: join(ROOT, "python") },
    });
  });
  await db.drop();
  rmSync(repo.path("lnschema_demo/migrations/env.py"), { force: true });
  return t;
};
// Cold: no template, no worker, and nothing cached of HEAD's drift.
extraEnv = { MIGRAKIT_NO_CACHE: "1" };
const cold = runChange();
extraEnv = {};
const warmRuns: number[] = [];
// The warm run when HEAD's drift is not cached (HEAD committed past the hook, or by someone else).
const uncachedRuns: number[] = [];
const plainRuns: number[] = [];
// The same warm run without the comparison of HEAD's ORM (MIGRAKIT_INCLUDE_DRIFT=1), interleaved: what
// telling the drift that predates the change apart costs, under the same load.
const noHeadRuns: number[] = [];
for (let i = 0; i < 3; i++) {
  warmRuns.push(runChange());
  plainRuns.push(await plainAlembic());
  extraEnv = { MIGRAKIT_INCLUDE_DRIFT: "1" };
  noHeadRuns.push(runChange());
  extraEnv = { MIGRAKIT_NO_CACHE: "1" };
  uncachedRuns.push(runChange());
  extraEnv = {};
}
const warmUncached = median(uncachedRuns);
const warmNoHead = median(noHeadRuns);
const warm = median(warmRuns);
const alembicTime = median(plainRuns);
extraEnv = { MIGRAKIT_WORKER: "0" };
const warmNoWorker = median([runChange(), runChange(), runChange()]);
extraEnv = { MIGRAKIT_BRIDGE_TRACE: join(WORK, "trace.txt") };
runChange();
// One line per request: method, milliseconds, outcome (src/bridge/client.ts).
const requests = readFileSync(join(WORK, "trace.txt"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => l.split("\t")[0]!);
extraEnv = {};
runChange();
// The first run after the worker's idle exit, and the first after a pip install into the venv.
await stopWorkers(await listWorkers(WORKERS, isAlive), waitForExit);
extraEnv = { MIGRAKIT_WORKER_IDLE: "4" };
runChange();
extraEnv = {};
const idleWorker = (await listWorkers(WORKERS, isAlive))[0];
if (!idleWorker || !(await waitForExit(idleWorker.pid, 30_000))) throw new Error("the worker did not exit when idle");
const afterIdle = runChange();
execFileSync(PYTHON, ["-c", DUMMY_WHEEL, join(WORK, "migrakit_bench_dummy-1.0-py3-none-any.whl")]);
execFileSync(
  PYTHON,
  [
    "-m",
    "pip",
    "install",
    "--quiet",
    "--no-index",
    "--no-deps",
    "--disable-pip-version-check",
    join(WORK, "migrakit_bench_dummy-1.0-py3-none-any.whl"),
  ],
  { env: { ...process.env, PIP_ROOT_USER_ACTION: "ignore" } },
);
const afterPip = runChange();
await stopWorkers(await listWorkers(WORKERS, isAlive), waitForExit);
// Without the worker, with and without the safety lint (no recording, no rules): what the lint adds.
extraEnv = { MIGRAKIT_WORKER: "0", MIGRAKIT_BENCH_NO_LINT: "1" };
const warmNoWorkerNoLint = median([runChange(), runChange(), runChange()]);
extraEnv = {};

const f = (x: number) => `${x.toFixed(0)} ms`;
const drift = (warm / warmNoHead).toFixed(2);
const target = N >= 1000 ? 0.2 : 0.4;
const met = (ok: boolean) => (ok ? "met" : "NOT met");
console.log(
  `scripts: ${N}; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")} (the machine is shared: read the ratios)`,
);
console.log(`node -e 0:                              ${f(nodeBare)}`);
console.log(
  `hook, nothing relevant staged:          ${f(quick)} (${(quick / nodeBare).toFixed(2)}× node -e 0; target ≤ 1.2×: ${met(quick <= 1.2 * nodeBare)})`,
);
console.log(`plain alembic upgrade + compare:        ${f(alembicTime)} (median of 3, timed between the warm runs)`);
console.log(
  `hook, one ORM change, cold:             ${f(cold)} (${(cold / alembicTime).toFixed(2)}× plain alembic; no template, no worker yet)`,
);
console.log(
  `hook, one ORM change, warm, no worker:  ${f(warmNoWorker)} (${(warmNoWorker / alembicTime).toFixed(2)}× plain alembic)`,
);
console.log(
  `  … and without the safety lint:        ${f(warmNoWorkerNoLint)} (the lint adds ${(((warmNoWorker - warmNoWorkerNoLint) / warmNoWorkerNoLint) * 100).toFixed(1)}%: ${(warmNoWorker / warmNoWorkerNoLint).toFixed(3)}×; target ≤ 1.05×)`,
);
console.log(
  `hook, one ORM change, warm:             ${f(warm)} (${(warm / alembicTime).toFixed(2)}× plain alembic; target ≤ ${target}×: ${met(warm <= target * alembicTime)})`,
);
console.log(
  `  … HEAD's drift not cached:            ${f(warmUncached)} (${(warmUncached / alembicTime).toFixed(2)}× plain alembic; MIGRAKIT_NO_CACHE=1: HEAD's ORM compared)`,
);
console.log(
  `  … without HEAD's ORM compared:        ${f(warmNoHead)} (MIGRAKIT_INCLUDE_DRIFT=1; telling predating drift apart: ${drift}×)`,
);
console.log(
  `first run after the worker's idle exit: ${f(afterIdle)} (${(afterIdle / alembicTime).toFixed(2)}× plain alembic; must not be slower than cold: ${met(afterIdle <= cold)})`,
);
console.log(
  `first run after a pip install:          ${f(afterPip)} (${(afterPip / alembicTime).toFixed(2)}× plain alembic; must not be slower than cold: ${met(afterPip <= cold)})`,
);
console.log(`bridge requests of a warm hook run that writes a script: ${requests.length} (${requests.join(", ")})`);
console.log(
  "seed's manual path:                     a CI round trip — push, wait for the Build step, copy the printed op lines into the script, push, wait again (minutes, not timed)",
);
repo.cleanup();
rmSync(WORK, { recursive: true, force: true });
await pruneTemplates(pg.adminUrl, { keep: 0 });
await pg.stop();
