// Issue 16 items 3 and 19: the fix lines of a failed connection to an instance named with --db are steps that
// work. EMIGRAKIT_DB_UNREACHABLE and _DB_MISSING used to print `psql "<that URL>"`, which no psql reads back
// when the password is pasted raw (`/ @ : # ?`, spaces) and which would print the password if filled in;
// they now print psql flags built from the URL's parts, no password (psql asks for it or reads PGPASSWORD).
// The printed command is run with the real psql here. EMIGRAKIT_DB_AUTH's fix speaks of --db when the URL
// came from --db, for status and deploy. Real roles on a real Postgres (scram-sha-256), the real CLI.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { withClient } from "../../src/db/connect.js";
import { runCli } from "../helpers/cli.js";
import { exampleRepo, type ExampleRepo } from "../helpers/example-repo.js";
import { missingPrerequisite } from "../helpers/prerequisite.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { testPythons } from "../helpers/python.js";

const PASSWORD = "a/b@c:d#e?f g";
const USER = "mk_user";
const PYTHON = testPythons()[0]!.python;

let pg: TestPostgres;
let repo: ExampleRepo;
let host: string;
let port: string;
before(async () => {
  pg = await startTestPostgres();
  ({ hostname: host, port } = new URL(pg.adminUrl));
  repo = exampleRepo();
  await withClient(pg.adminUrl, async (c) => {
    await c.query(`CREATE ROLE ${USER} LOGIN PASSWORD '${PASSWORD}'`);
    await c.query(`CREATE DATABASE "my db" OWNER ${USER}`);
  });
});
after(async () => {
  repo?.cleanup();
  await pg?.stop();
});

/** The URL as a user pastes it: the password raw, the database name percent-encoded. */
const rawUrl = (o: { password?: string; port?: string; db?: string } = {}) =>
  `postgresql://${USER}:${o.password ?? PASSWORD}@${host}:${o.port ?? port}/${o.db ?? "my%20db"}`;

const cli = (args: string[]) => {
  const r = runCli(args, { cwd: repo.dir, env: { MIGRAKIT_PYTHON: PYTHON, CI: "" } });
  const all = r.stdout + r.stderr;
  for (const form of [PASSWORD, encodeURIComponent(PASSWORD)]) assert.ok(!all.includes(form), `leaked:\n${all}`);
  return { ...r, all };
};

const fixOf = (out: string, code: string) => {
  const at = out.indexOf(code);
  assert.ok(at >= 0, out);
  const fix = /fix: (.*)/.exec(out.slice(at));
  assert.ok(fix, out);
  return fix[1]!;
};

/** The command between the first pair of backticks of a fix line, run by a shell with the password in PGPASSWORD. */
function runPrinted(fix: string, edit: (cmd: string) => string = (c) => c) {
  const cmd = /`([^`]+)`/.exec(fix)?.[1];
  assert.ok(cmd, fix);
  return spawnSync("sh", ["-c", edit(cmd)], {
    encoding: "utf8",
    env: { ...process.env, PGPASSWORD: PASSWORD, PGCONNECT_TIMEOUT: "5" },
  });
}

const hasPsql = () => spawnSync("psql", ["--version"]).status === 0;

test("EMIGRAKIT_DB_UNREACHABLE from --db: the printed psql command (no password) reaches the same place, and connects once the port is right", (t) => {
  if (!hasPsql()) return missingPrerequisite(t, "psql (the Postgres client) is not installed");
  const r = cli(["status", "--db", rawUrl({ port: "1" })]);
  assert.equal(r.status, 3, r.all);
  const fix = fixOf(r.all, "EMIGRAKIT_DB_UNREACHABLE");
  assert.match(fix, /--db URL/);
  assert.match(fix, new RegExp(`psql -h ${host} -p 1 -U ${USER} -d 'my db' -c "select 1"`), fix);
  // As printed: psql meets the same closed port.
  const same = runPrinted(fix);
  assert.notEqual(same.status, 0, same.stdout);
  assert.match(same.stderr, /refused|could not connect/i);
  // The user puts the right port in: the same command shape logs in (raw password via PGPASSWORD) and
  // reaches the database of the URL.
  const fixed = runPrinted(fix, (c) =>
    c.replace("-p 1 ", `-p ${port} `).replace('"select 1"', '"select current_database()"'),
  );
  assert.equal(fixed.status, 0, fixed.stderr);
  assert.match(fixed.stdout, /my db/);
  // And so does migrakit with the corrected URL: connected, it can tell the instance has no version table.
  const status = cli(["status", "--db", rawUrl()]);
  assert.notEqual(status.status, 3, status.all);
  assert.doesNotMatch(status.all, /EMIGRAKIT_DB_(UNREACHABLE|AUTH|MISSING)/);
});

test("EMIGRAKIT_DB_MISSING from --db: the printed psql query lists the server's databases, the existing one among them", (t) => {
  if (!hasPsql()) return missingPrerequisite(t, "psql (the Postgres client) is not installed");
  const r = cli(["status", "--db", rawUrl({ db: "no%20such" })]);
  assert.equal(r.status, 3, r.all);
  const fix = fixOf(r.all, "EMIGRAKIT_DB_MISSING");
  const listed = runPrinted(fix);
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, /my db/);
});

for (const command of ["status", "deploy"]) {
  test(`EMIGRAKIT_DB_AUTH from ${command} --db: the fix names the --db URL, and the right password there logs in`, () => {
    const r = cli([
      command,
      "--db",
      rawUrl({ password: "wrong/pass word" }),
      ...(command === "deploy" ? ["--yes"] : []),
    ]);
    assert.equal(r.status, 3, r.all);
    const fix = fixOf(r.all, "EMIGRAKIT_DB_AUTH");
    assert.match(fix, /the --db URL/, fix);
    assert.doesNotMatch(fix, /MIGRAKIT_DATABASE_URL|`database`/, fix);
    const fixed = cli(["status", "--db", rawUrl()]);
    assert.doesNotMatch(fixed.all, /EMIGRAKIT_DB_AUTH/, fixed.all);
  });
}
