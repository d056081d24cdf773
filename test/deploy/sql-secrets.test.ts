// Issue 16: `deploy --sql` prints what the scripts render, and a script may render the instance's own secret:
// a postgres_fdw user mapping or a dblink connection for a data copy, built from the deploy job's environment
// (the same password as --db). No spelling of that password may reach the output — raw, percent-encoded,
// SQL-quoted ('' for '), JSON-escaped (\" and \\) — in text, --json or under GitHub Actions; and the SQL
// around it stays SQL (`SET password = NULL` is a statement, not a secret). Real role, real Postgres.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { withClient } from "../../src/db/connect.js";
import { addUnreleasedScript, exampleRepo, type ExampleRepo } from "../helpers/example-repo.js";
import { runCli } from "../helpers/cli.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { testPythons } from "../helpers/python.js";

const PASSWORDS = ["it's/\"q\\ z@x", "k3Jx+9/aQw=="];
const PYTHON = testPythons()[0]!.python;

let pg: TestPostgres;
let repo: ExampleRepo;
let hostPort: string;
before(async () => {
  pg = await startTestPostgres();
  hostPort = new URL(pg.adminUrl).host;
  repo = exampleRepo();
  addUnreleasedScript(
    repo,
    "5ec7e7000001",
    [
      "import os",
      "",
      "# A mirror of this instance for the data copy below, logged in as the deploying role.",
      'password = os.environ["INSTANCE_PASSWORD"]',
      'op.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw")',
      "op.execute(\"CREATE SERVER IF NOT EXISTS mirror FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'inst')\")",
      "op.execute(",
      "    \"CREATE USER MAPPING FOR CURRENT_USER SERVER mirror OPTIONS (user 'deployer', password '\"",
      '    + password.replace("\'", "\'\'")',
      '    + "\')"',
      ")",
      'op.execute("SELECT dblink_connect(\'copy\', \'" + os.environ["INSTANCE_URL"].replace("\'", "\'\'") + "\')")',
      "op.execute('UPDATE core.\"user\" SET password = NULL WHERE false')",
    ].join("\n"),
  );
  await withClient(pg.adminUrl, async (c) => {
    for (const [i, pw] of PASSWORDS.entries()) {
      await c.query(`CREATE DATABASE inst_${i}`);
      await c.query(`CREATE ROLE deployer_${i} LOGIN PASSWORD '${pw.replace(/'/g, "''")}'`);
      await c.query(`GRANT ALL ON DATABASE inst_${i} TO deployer_${i}`);
    }
  });
});
after(async () => {
  await withClient(pg.adminUrl, async (c) => {
    for (const i of PASSWORDS.keys()) await c.query(`DROP DATABASE IF EXISTS inst_${i}`);
  }).catch(() => {});
  await pg?.stop();
  repo?.cleanup();
});

/** Every way the password may be written in SQL, JSON or a URL. */
function spellings(pw: string): string[] {
  const forms = [pw, encodeURIComponent(pw), pw.replace(/'/g, "''")];
  return [...forms, ...forms.map((f) => JSON.stringify(f).slice(1, -1))];
}

for (const [i, pw] of PASSWORDS.entries()) {
  test(`deploy --sql: a script that renders the --db password (${JSON.stringify(pw)}) prints no spelling of it, and SQL stays SQL`, () => {
    const url = `postgresql://deployer_${i}:${pw}@${hostPort}/inst_${i}`;
    const env = { MIGRAKIT_PYTHON: PYTHON, INSTANCE_PASSWORD: pw, INSTANCE_URL: url };
    for (const [mode, args, extra] of [
      ["text", [], {}],
      ["--json", ["--json"], {}],
      ["GitHub Actions", [], { GITHUB_ACTIONS: "true" }],
    ] as const) {
      const r = runCli(["deploy", "--db", url, "--sql", ...args], { cwd: repo.dir, env: { ...env, ...extra } });
      const out = r.stdout + r.stderr;
      assert.equal(r.status, 0, `${mode}:\n${out}`);
      for (const form of spellings(pw))
        assert.ok(!out.includes(form), `${mode}: ${JSON.stringify(form)} printed:\n${out}`);
      const sql = mode === "--json" ? (JSON.parse(r.stdout) as { sql: string }).sql : r.stdout;
      assert.match(
        sql,
        /CREATE USER MAPPING FOR CURRENT_USER SERVER mirror OPTIONS \(user 'deployer', password '\*\*\*'\)/,
        mode,
      );
      assert.match(
        sql,
        new RegExp(`dblink_connect\\('copy', 'postgresql://deployer_${i}:\\*\\*\\*@${hostPort}/inst_${i}'\\)`),
        mode,
      );
      // Not a secret: a statement of the script, printed as it is.
      assert.match(sql, /UPDATE core\."user" SET password = NULL WHERE false/, mode);
    }
  });
}
