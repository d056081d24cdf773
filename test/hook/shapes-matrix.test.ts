// issue 11's matrix: five repository shapes (fixtures we wrote in those shapes), each in one real git repo, taken
// through what a new user does: `init` adopts the repo as it is, `check` passes or names what is really wrong,
// then three commits through the real pre-commit hook (husky-free: `migrakit hook pre-commit` on the staged
// edit) — add a column, rename a column, add a table with a foreign key. After each commit plain alembic, with
// the repo's own alembic.ini/env.py on a scratch database, accepts the result: `upgrade head`, `check`,
// `downgrade -1`, `upgrade head` again (rows written before the rename survive it). A developer database with
// rows, which the apps' env.py files connect to by themselves (settings + environment variable, the ini's URL),
// has a byte-identical dump at the end. One embedded Postgres for the file and one venv stack (current): the
// per-stack behaviour of each piece is covered by the tests of that piece.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { withClient } from "../../src/db/connect.js";
import { createScratchDatabase } from "../../src/db/scratch.js";
import { runCli } from "../helpers/cli.js";
import { developerDatabase, dump } from "../helpers/developer-database.js";
import { testPythons } from "../helpers/python.js";
import { fixtureRepo, serverForFile, type FixtureRepo } from "../check/dynamic-helpers.js";

const { pg, cache } = serverForFile();
const python = testPythons().find((p) => p.name === "current")!.python;

/** The database a developer works on, with the apps' tables and rows: no command may change it. Made once, by the
 * first test (the server starts in a `before` of its own). */
let dev = "";
let devBefore = "";
async function developer(): Promise<void> {
  if (dev) return;
  dev = await developerDatabase(
    pg.adminUrl,
    "developer_app",
    `CREATE TABLE account (id integer PRIMARY KEY, email varchar(200) NOT NULL);
     CREATE TABLE item (id integer PRIMARY KEY, name varchar(100) NOT NULL);
     INSERT INTO account VALUES (1, 'me@example.com'), (2, 'you@example.com');
     INSERT INTO item VALUES (1, 'kept'), (2, 'also kept')`,
  );
  devBefore = await dump(dev);
}

const asDriver = (url: string, driver: string) => url.replace(/^postgresql:\/\//, `postgresql+${driver}://`);

/** The app's alembic.ini names the developer's own database, as an app's repo does (its env.py connects there). */
const iniAtDeveloperDatabase = (repo: FixtureRepo, driver: string) =>
  repo.edit("alembic.ini", /^sqlalchemy\.url = .*$/m, `sqlalchemy.url = ${asDriver(dev, driver)}`);

type Edit = [file: string, from: string, to: string];
/** A history plain alembic runs: through an ini, or (lamin, no ini) its script location. */
type History = { ini: string } | { scriptLocation: string };

interface Step {
  what: string;
  edits: Edit[];
  /** What the hook's script holds: the user's change (for the rename: renamed, not dropped and re-added). */
  script: RegExp[];
  /** The script's file name (convention alembic: the ini's file_template, its slug from what changes). */
  file?: RegExp;
}

interface Shape {
  name: string;
  fixture: Parameters<typeof fixtureRepo>[0];
  /** The project's folder below the git top ("" at the top): init runs there, the hook at the top. */
  project: string;
  /** Extra `init` arguments, one run each (a core + module pair: one per package). */
  inits: string[][];
  /** The configuration init writes (`migrakit` in package.json). */
  config: Record<string, unknown>;
  /** The app's own edits before its first commit: where its env.py points (the developer database), drift. */
  setUp?: (repo: FixtureRepo) => void;
  /** `migrakit check` right after init: passes, or names what is really wrong (and then the fix, applied). */
  check: { status: 0 } | { status: 1; names: RegExp; fix?: (repo: FixtureRepo, out: string) => void };
  /** Models that already differ from the scripts: named by check, by the hook and, if anywhere, by alembic check. */
  drift?: RegExp;
  /** The histories plain alembic runs, in this order (the last one is the hook's), relative to the project. */
  histories: History[];
  driver: "psycopg2" | "asyncpg";
  /** What plain alembic leaves to the tooling: the ORM's Postgres schemas (lamin's tooling created them). */
  schemas?: string;
  steps: [addColumn: Step, rename: Step, addTable: Step];
  /** Rows written where the renamed column still has its old name, and the query that reads them after. */
  rows: { insert: string; select: string; expect: Record<string, unknown>[] };
  /** After `downgrade -1` of the add-table step: a query that must return no row (e.g. no enum type left). */
  goneAfterDowngrade?: string;
}

const SHAPES: Shape[] = [
  {
    name: "a backend/ subfolder app: alembic.ini, env.py with its URL from settings, an enum column",
    fixture: "backend-app",
    project: "backend",
    inits: [[]],
    config: { packages: ["app"], convention: "alembic" },
    check: { status: 0 },
    histories: [{ ini: "alembic.ini" }],
    driver: "psycopg2",
    steps: [
      {
        what: "item.description",
        edits: [
          [
            "backend/app/models.py",
            "    title: str = Field(max_length=255)\n",
            "    title: str = Field(max_length=255)\n    description: Optional[str] = Field(default=None, max_length=500)\n",
          ],
        ],
        script: [/add_column\(\s*['"]item['"][\s\S]*['"]description['"]/],
      },
      {
        what: "user.full_name is user.display_name",
        edits: [["backend/app/models.py", "    full_name: Optional[str]", "    display_name: Optional[str]"]],
        script: [/alter_column\([\s\S]*new_column_name=['"]display_name['"]/],
      },
      {
        what: "task, with a foreign key to item and a new enum",
        edits: [
          [
            "backend/app/models.py",
            "\n\nclass User(",
            '\n\nclass Priority(str, enum.Enum):\n    low = "low"\n    high = "high"\n\n\nclass User(',
          ],
          [
            "backend/app/models.py",
            '    owner_id: int = Field(foreign_key="user.id")\n',
            '    owner_id: int = Field(foreign_key="user.id")\n\n\nclass Task(SQLModel, table=True):  # type: ignore\n' +
              "    id: Optional[int] = Field(default=None, primary_key=True)\n" +
              '    item_id: int = Field(foreign_key="item.id")\n' +
              '    priority: Priority = Field(sa_column=sa.Column(sa.Enum(Priority, name="priority"), nullable=False))\n',
          ],
        ],
        script: [/create_table\(\s*['"]task['"]/, /\['item\.id'\]|\["item\.id"\]/, /priority/],
      },
    ],
    rows: {
      insert: `INSERT INTO "user" (id, email, full_name, role) VALUES (1, 'ann@example.com', 'Ann', 'admin')`,
      select: `SELECT display_name, role::text AS role FROM "user"`,
      expect: [{ display_name: "Ann", role: "admin" }],
    },
    goneAfterDowngrade: "SELECT 1 FROM pg_type WHERE typname = 'priority'",
  },
  {
    name: "a root-level alembic/ app: file_template, batch mode, a custom type, models that already drift",
    fixture: "alembic-app",
    project: "",
    inits: [[]],
    config: { packages: ["."], convention: "alembic" },
    // The drift: an index the models declare and no script ever created (the kind a forgotten migration leaves).
    setUp: (repo) => {
      iniAtDeveloperDatabase(repo, "psycopg2");
      repo.edit(
        "app/models.py",
        '    account_id = Column(Integer, ForeignKey("account.id"), nullable=False)',
        '    account_id = Column(Integer, ForeignKey("account.id"), nullable=False, index=True)',
      );
    },
    // Fixing drift that predates the change is the developer's call: the matrix goes on with it (the hook's step).
    check: { status: 1, names: /ix_post_account_id/ },
    drift: /ix_post_account_id/,
    histories: [{ ini: "alembic.ini" }],
    driver: "psycopg2",
    steps: [
      {
        what: "post.body",
        edits: [
          [
            "app/models.py",
            "    title = Column(String(200), nullable=False)",
            "    title = Column(String(200), nullable=False)\n    body = Column(String(2000))",
          ],
        ],
        script: [/add_column\(sa\.Column\('body'/],
      },
      {
        what: "post.title is post.headline",
        edits: [["app/models.py", "    title = Column(String(200)", "    headline = Column(String(200)"]],
        // Batch mode (render_as_batch): on the batch, as alembic renders its own column ops there.
        script: [/batch_op\.alter_column\("title", new_column_name="headline"\)/],
        file: /^alembic\/versions\/\d{8}_[0-9a-f]{12}_rename_column_post_title_headline\.py$/,
      },
      {
        what: "comment, with a foreign key to post",
        edits: [
          [
            "app/models.py",
            "    body = Column(String(2000))\n",
            "    body = Column(String(2000))\n\n\nclass Comment(Base):\n" +
              '    __tablename__ = "comment"\n    id = Column(Integer, primary_key=True)\n' +
              '    post_id = Column(Integer, ForeignKey("post.id"), nullable=False)\n    text = Column(String(500))\n',
          ],
        ],
        script: [/create_table\(\s*['"]comment['"]/, /\['post\.id'\]|\["post\.id"\]/],
      },
    ],
    rows: {
      insert: `INSERT INTO account (id, email) VALUES (1, 'ann@example.com'); INSERT INTO post (id, account_id, title) VALUES (1, 1, 'Kept')`,
      select: "SELECT headline FROM post",
      expect: [{ headline: "Kept" }],
    },
  },
  {
    name: "alembic's async env.py template (asyncpg)",
    fixture: "async-app",
    project: "",
    inits: [[]],
    config: { packages: ["."], convention: "alembic" },
    setUp: (repo) => iniAtDeveloperDatabase(repo, "asyncpg"),
    check: { status: 0 },
    histories: [{ ini: "alembic.ini" }],
    driver: "asyncpg",
    steps: [
      {
        what: "item.price",
        edits: [
          [
            "aioapp/models.py",
            "    name = Column(String(100), nullable=False)\n",
            "    name = Column(String(100), nullable=False)\n    price = Column(Integer)\n",
          ],
        ],
        script: [/add_column\(\s*['"]item['"][\s\S]*['"]price['"]/],
      },
      {
        what: "item.name is item.label",
        edits: [["aioapp/models.py", "    name = Column(String(100)", "    label = Column(String(100)"]],
        script: [/alter_column\([\s\S]*new_column_name=['"]label['"]/],
      },
      {
        what: "tag, with a foreign key to item",
        edits: [
          ["aioapp/models.py", "from sqlalchemy import Column,", "from sqlalchemy import Column, ForeignKey,"],
          [
            "aioapp/models.py",
            "    price = Column(Integer)\n",
            '    price = Column(Integer)\n\n\nclass Tag(Base):\n    __tablename__ = "tag"\n' +
              '    id = Column(Integer, primary_key=True)\n    item_id = Column(Integer, ForeignKey("item.id"), nullable=False)\n',
          ],
        ],
        script: [/create_table\(\s*['"]tag['"]/, /\['item\.id'\]|\["item\.id"\]/],
      },
    ],
    rows: {
      insert: "INSERT INTO item (id, name) VALUES (1, 'kept')",
      select: "SELECT label FROM item",
      expect: [{ label: "kept" }],
    },
  },
  {
    name: "a lamin core + module pair, the module's foreign keys into core",
    fixture: "lamin-pair",
    project: "",
    inits: [
      ["--package", "lnschema_bionty"],
      ["--package", "lnschema_core"],
    ],
    config: { packages: ["lnschema_bionty", "lnschema_core"] },
    check: { status: 0 },
    histories: [{ scriptLocation: "lnschema_core/migrations" }, { scriptLocation: "lnschema_bionty/migrations" }],
    driver: "psycopg2",
    schemas: "CREATE SCHEMA core; CREATE SCHEMA bionty",
    steps: [
      {
        what: "gene.length",
        edits: [
          [
            "lnschema_bionty/_core.py",
            "    note: Optional[str] = None\n",
            "    note: Optional[str] = None\n    length: Optional[int] = None\n",
          ],
        ],
        script: [/add_column\(\s*['"]gene['"][\s\S]*['"]length['"]/],
      },
      {
        what: "gene.note is gene.comment",
        edits: [["lnschema_bionty/_core.py", "    note: Optional[str]", "    comment: Optional[str]"]],
        script: [/new_column_name=['"]comment['"]/],
      },
      {
        what: "protein, with a foreign key into core",
        edits: [
          [
            "lnschema_bionty/_core.py",
            "    length: Optional[int] = None\n",
            "    length: Optional[int] = None\n\n\nclass Protein(SQLModel, table=True):  # type: ignore\n" +
              '    __table_args__ = {"schema": "bionty"}\n    id: str = Field(primary_key=True)\n' +
              '    created_by: str = Field(foreign_key="core.user.id")\n',
          ],
        ],
        script: [/create_table\(\s*['"]protein['"]/, /\['core\.user\.id'\]|\["core\.user\.id"\]/],
      },
    ],
    rows: {
      insert: `INSERT INTO core."user" (id, handle) VALUES ('u1', 'me'); INSERT INTO bionty.gene (id, symbol, created_by, note) VALUES ('g1', 'TP53', 'u1', 'kept')`,
      select: "SELECT comment FROM bionty.gene",
      expect: [{ comment: "kept" }],
    },
    goneAfterDowngrade: "SELECT 1 WHERE to_regclass('bionty.protein') IS NOT NULL OR to_regclass('core.user') IS NULL",
  },
  {
    name: "a lamin history with a stale released header (0.2a1)",
    fixture: "lamin-history",
    project: "",
    inits: [[]],
    config: { packages: ["lnschema_hist"] },
    // Released as 0.2a1: the tag the "released scripts never change" rule compares with.
    setUp: (repo) => repo.git("tag", "v0.2a1"),
    check: {
      status: 1,
      names: /2023-05-10-2c3d4e5f6071-v0_2a1\.py:1: error EMIGRAKIT_HEADER_MISMATCH/,
      // The fix the finding gives: accept the history up to that revision (the released script stays as it is).
      fix: (repo, out) => {
        assert.match(out, /"acceptHistoryUpTo": "2c3d4e5f6071"/);
        const pkg = JSON.parse(repo.read("package.json"));
        pkg.migrakit.acceptHistoryUpTo = "2c3d4e5f6071";
        repo.write("package.json", `${JSON.stringify(pkg, null, 2)}\n`);
      },
    },
    histories: [{ scriptLocation: "lnschema_hist/migrations" }],
    driver: "psycopg2",
    schemas: "CREATE SCHEMA hist",
    steps: [
      {
        what: "project.owner",
        edits: [
          [
            "lnschema_hist/_core.py",
            "    description: Optional[str] = None\n",
            "    description: Optional[str] = None\n    owner: Optional[str] = None\n",
          ],
        ],
        script: [/add_column\(\s*['"]project['"][\s\S]*['"]owner['"]/],
      },
      {
        what: "run.note is run.comment",
        edits: [["lnschema_hist/_core.py", "    note: Optional[str]", "    comment: Optional[str]"]],
        script: [/new_column_name=['"]comment['"]/],
      },
      {
        what: "artifact, with a foreign key to run",
        edits: [
          [
            "lnschema_hist/_core.py",
            "    comment: Optional[str] = None\n",
            "    comment: Optional[str] = None\n\n\nclass Artifact(SQLModel, table=True):  # type: ignore\n" +
              '    __table_args__ = {"schema": "hist"}\n    id: str = Field(primary_key=True)\n' +
              '    run_id: str = Field(foreign_key="hist.run.id")\n',
          ],
        ],
        script: [/create_table\(\s*['"]artifact['"]/, /\['hist\.run\.id'\]|\["hist\.run\.id"\]/],
      },
    ],
    rows: {
      insert: `INSERT INTO hist.project (id, name) VALUES ('p1', 'kept'); INSERT INTO hist.run (id, project_id, note) VALUES ('r1', 'p1', 'kept')`,
      select: "SELECT comment FROM hist.run",
      expect: [{ comment: "kept" }],
    },
  },
];

/** Every file of the project (relative to it) with its text, but git's and the caches'. */
function files(root: string, rel = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(join(root, rel))) {
    if (name === ".git" || name === "__pycache__") continue;
    const path = rel ? `${rel}/${name}` : name;
    if (statSync(join(root, path)).isDirectory()) for (const [p, t] of files(root, path)) out.set(p, t);
    else out.set(path, readFileSync(join(root, path), "utf8"));
  }
  return out;
}

function cli(cwd: string, args: string[]) {
  const r = runCli(args, {
    cwd,
    env: {
      MIGRAKIT_PYTHON: python,
      MIGRAKIT_DATABASE_URL: pg.adminUrl,
      XDG_CACHE_HOME: cache(),
      CI: "",
      MIGRAKIT_NO_CACHE: "1",
      // The backend's settings read it: env.py would connect to the developer database by itself.
      APP_DATABASE_URL: asDriver(dev, "psycopg2"),
    },
    timeoutMs: 300_000,
  });
  return { ...r, all: r.stdout + r.stderr };
}

/** One command of a plain alembic run: `[history, "upgrade head" | "check" | "downgrade -1"]`, or SQL to run. */
type Command = [history: number, command: string] | [sql: "sql", query: string];

/**
 * Plain alembic (no migrakit) in the project, through its own alembic.ini or script location, on `url`: the
 * commands in one Python process (the imports are paid once), stopping at the first that fails but for
 * `check`. Each command's status and output (for SQL: its rows as JSON).
 */
function alembic(shape: Shape, cwd: string, url: string, commands: Command[]) {
  const target = asDriver(url, shape.driver);
  const code = `
import json, sys, traceback
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, pool, text

def config(history):
    c = Config(history["ini"]) if "ini" in history else Config()
    if "scriptLocation" in history:
        c.set_main_option("script_location", history["scriptLocation"])
    c.set_main_option("sqlalchemy.url", ${JSON.stringify(target)})
    return c

def sql(query):
    engine = create_engine(${JSON.stringify(asDriver(url, "psycopg2"))}, poolclass=pool.NullPool)
    with engine.begin() as connection:
        result = connection.execute(text(query))
        print(json.dumps([dict(r._mapping) for r in result] if result.returns_rows else []))

histories = ${JSON.stringify(shape.histories)}
for history, line in ${JSON.stringify(commands)}:
    name, *args = line.split() if history != "sql" else ("sql", line)
    try:
        if history == "sql":
            sql(line)
        else:
            getattr(command, name)(config(histories[history]), *args)
        print("\\n--- ok", flush=True)
    except Exception:
        traceback.print_exc(file=sys.stdout)
        print("\\n--- failed", flush=True)
        if name != "check":
            sys.exit(1)
`;
  // The backend's env.py takes its URL from the settings, as when the app runs: here the scratch database.
  const r = spawnSync(python, ["-c", code], {
    cwd,
    env: { ...process.env, APP_DATABASE_URL: target },
    encoding: "utf8",
    timeout: 300_000,
  });
  const parts = r.stdout.split(/\n--- (ok|failed)\n/);
  return commands.map(([, command], i) => ({
    command,
    status: parts[2 * i + 1] === "ok" ? 0 : 1,
    all: `${parts[2 * i] ?? ""}${parts[2 * i + 1] === undefined ? r.stderr : ""}`,
  }));
}

/**
 * After a hook's commit: plain alembic's upgrade head, check, downgrade -1 and upgrade head on a scratch
 * database; after the rename (step 1) with rows written before it, which the upgrade keeps.
 */
async function plainAlembicAccepts(shape: Shape, repo: FixtureRepo, step: number): Promise<void> {
  const db = await createScratchDatabase(pg.adminUrl);
  const own = shape.histories.length - 1; // the hook's history; any before it (lamin's core) first
  try {
    if (shape.schemas) await withClient(db.url, (c) => c.query(shape.schemas!));
    const commands: Command[] = [
      ...shape.histories.slice(0, -1).map((_, h): Command => [h, "upgrade head"]),
      [own, "upgrade head"],
      [own, "check"],
      [own, "downgrade -1"],
      ...(step === 1 ? [["sql", shape.rows.insert] as Command] : []),
      ...(step === 2 && shape.goneAfterDowngrade ? [["sql", shape.goneAfterDowngrade] as Command] : []),
      [own, "upgrade head"],
      ...(step === 1 ? [["sql", shape.rows.select] as Command] : []),
    ];
    const results = alembic(shape, join(repo.dir, shape.project), db.url, commands);
    for (const r of results) {
      if (r.command === "check" && shape.drift && r.status !== 0) {
        // Drift that predates the change may stay out of the hook's script: then alembic names it, and only it.
        assert.match(r.all, shape.drift, r.all);
        assert.doesNotMatch(r.all, /add_column|add_table|remove_column|modify_/, r.all);
      } else assert.equal(r.status, 0, `${r.command}\n${r.all}`);
    }
    const rows = (query: string) => JSON.parse(results.find((r) => r.command === query)!.all.trim());
    if (step === 1)
      assert.deepEqual(rows(shape.rows.select), shape.rows.expect, "rows written before the rename are kept");
    if (step === 2 && shape.goneAfterDowngrade)
      assert.deepEqual(rows(shape.goneAfterDowngrade), [], `downgrade -1 left it behind: ${shape.goneAfterDowngrade}`);
  } finally {
    await db.drop();
  }
}

for (const shape of SHAPES) {
  test(`${shape.name}: init adopts it, check, three commits through the hook that plain alembic accepts`, async () => {
    await developer();
    const repo = fixtureRepo(shape.fixture);
    const project = join(repo.dir, shape.project);
    try {
      shape.setUp?.(repo);
      if (repo.git("status", "--porcelain")) repo.commit("the app as it is");

      // init adopts the history where it is: none of the app's Python changes, no second migrations folder.
      const before = files(project);
      for (const args of shape.inits) {
        const init = cli(project, ["init", "--json", ...args]);
        assert.equal(init.status, 0, init.all);
      }
      const after = files(project);
      for (const [path, text] of before) if (path.endsWith(".py")) assert.equal(after.get(path), text, path);
      const created = [...after.keys()].filter((p) => !before.has(p));
      // New folders: husky's only (no migrations/ or versions/ beside the history, no env.py of migrakit's).
      const known = [...before.keys()];
      const newFolders = created
        .map((p) => dirname(p))
        .filter((d) => d !== "." && !known.some((p) => p.startsWith(`${d}/`)) && !/^\.husky(\/|$)/.test(d));
      assert.deepEqual(newFolders, [], `init made folders beside the history: ${created.join(", ")}`);
      assert.ok(!created.some((p) => basename(p) === "env.py"), created.join(", "));
      assert.deepEqual(JSON.parse(after.get("package.json")!).migrakit, shape.config);
      repo.git("add", "-A");
      repo.git("commit", "-q", "--no-verify", "-m", "migrakit init");

      const checked = cli(project, ["check"]);
      assert.equal(checked.status, shape.check.status, checked.all);
      if (shape.check.status === 1) {
        assert.match(checked.all, shape.check.names);
        if (shape.check.fix) {
          shape.check.fix(repo, checked.all);
          repo.git("add", "-A");
          repo.git("commit", "-q", "--no-verify", "-m", "the fix check gives");
          const fixed = cli(project, ["check"]);
          assert.equal(fixed.status, 0, fixed.all);
        }
      }

      for (const [i, step] of shape.steps.entries()) {
        for (const [file, from, to] of step.edits) repo.edit(file, from, to);
        repo.git("add", ...new Set(step.edits.map(([file]) => file)));
        // At the top of the repo, as git runs it: a subfolder project is found from the staged paths.
        const hooked = cli(repo.dir, ["hook", "pre-commit"]);
        assert.equal(hooked.status, 0, `${step.what}\n${hooked.all}`);
        const staged = repo.git("diff", "--cached", "--name-only").trim().split("\n");
        const script = staged.find((p) => /\/versions\/[^/]+\.py$/.test(p));
        assert.ok(script, `${step.what}: the hook staged a script (${staged.join(", ")})`);
        const text = repo.read(script);
        if (step.file) assert.match(script, step.file);
        for (const re of step.script) assert.match(text, re, `${step.what}: ${script}\n${text}`);
        // The old drift is named, in the script or in what the hook reports apart (whichever generate does).
        if (shape.drift && i === 0) assert.match(hooked.all + text, shape.drift, hooked.all);
        repo.git("commit", "-q", "--no-verify", "-m", step.what);
        await plainAlembicAccepts(shape, repo, i);
      }
      assert.equal(await dump(dev), devBefore, "the developer database is untouched");
    } finally {
      repo.cleanup();
    }
  });
}
