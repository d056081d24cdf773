// Issue 16 item 3 in a fleet file: a raw password holding ` #` was cut there as a comment, so the instance was
// refused (a wrong password) or reached as another user. The rule (docs/operators.md): `#` starts a comment at
// a line's start, or after whitespace behind the entry; behind a URL only after its last `@`. Pure cases, then
// a real role with such a password on a real Postgres logs in through `status --targets FILE`.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { withClient } from "../../src/db/connect.js";
import { parseTargets } from "../../src/deploy/targets.js";
import { runCli } from "../helpers/cli.js";
import { exampleRepo, type ExampleRepo } from "../helpers/example-repo.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { testPythons } from "../helpers/python.js";

test("parseTargets: ` #` inside a URL's userinfo is the password; after the host it is a comment", () => {
  assert.deepEqual(
    parseTargets(
      [
        "# the fleet",
        "  # indented comment",
        "postgresql://ann:ab #cd@h1/x",
        "postgresql://ann:ab #cd@h2/x   # team two",
        "postgresql://ann:p@ss #1 @h3/x#frag # three",
        "postgresql://h4/x # no user",
        "svc_five # a service",
        "svc#six",
      ].join("\n"),
    ),
    [
      "postgresql://ann:ab #cd@h1/x",
      "postgresql://ann:ab #cd@h2/x",
      "postgresql://ann:p@ss #1 @h3/x#frag",
      "postgresql://h4/x",
      "svc_five",
      "svc#six",
    ],
  );
});

const PASSWORD = "ab #cd";
let pg: TestPostgres;
let repo: ExampleRepo;
before(async () => {
  pg = await startTestPostgres();
  repo = exampleRepo();
  await withClient(pg.adminUrl, async (c) => {
    await c.query(`CREATE ROLE hash_user LOGIN PASSWORD '${PASSWORD}'`);
    await c.query("CREATE DATABASE inst OWNER hash_user");
  });
});
after(async () => {
  repo?.cleanup();
  await pg?.stop();
});

test("status --targets FILE: a raw password with ` #` logs in, the trailing comment is dropped", () => {
  const { host } = new URL(pg.adminUrl);
  const file = join(repo.dir, "instances.txt");
  writeFileSync(file, `# one instance\npostgresql://hash_user:${PASSWORD}@${host}/inst  # team one\n`);
  const r = runCli(["status", "--targets", file, "--json"], {
    cwd: repo.dir,
    env: { MIGRAKIT_PYTHON: testPythons()[0]!.python, CI: "" },
  });
  const out = r.stdout + r.stderr;
  assert.ok(!out.includes(PASSWORD), `leaked:\n${out}`);
  const report = JSON.parse(r.stdout) as { instances: { target: string; result: string }[] };
  assert.equal(report.instances.length, 1, out);
  const [one] = report.instances;
  assert.equal(one!.target, `hash_user@${host}/inst`, out);
  assert.doesNotMatch(out, /EMIGRAKIT_DB_(AUTH|UNREACHABLE|MISSING)/, out);
  // Only a connected status knows: the empty database is behind by both scripts.
  assert.equal(one!.result, "behind", out);
});
