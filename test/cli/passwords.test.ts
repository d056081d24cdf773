// Issue 16 item 3: a database password pasted raw into a URL (`/ @ : % # ? space`, unicode, base64, empty) is
// never printed — by status, deploy, deploy --sql, check --against, or a MIGRAKIT_DATABASE_URL run — in text,
// --json or GitHub annotations, whether the login succeeds, fails, or the URL does not even parse. The instance
// is named user@host:port/db, built from the URL's parts. Real roles with these passwords on a real Postgres.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startBridge } from "../../src/bridge/index.js";
import { withClient } from "../../src/db/connect.js";
import { withDatabase } from "../../src/db/url.js";
import { runCli } from "../helpers/cli.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { pruneTemplates } from "../../src/db/templates.js";
import { testPythons } from "../helpers/python.js";
import { exampleRepo, type ExampleRepo } from "../helpers/example-repo.js";
import { HOSTILE_PASSWORDS, passwordSql } from "../helpers/hostile-passwords.js";

/** The commands that start Python and Postgres run on fewer passwords (each combines several hostile characters). */
const HEAVY_PASSWORDS = new Set(["k3Jx+9/aQw==", "two words"]);
const MODES: Record<string, { args: string[]; env: NodeJS.ProcessEnv }> = {
  text: { args: [], env: {} },
  json: { args: ["--json"], env: {} },
  annotations: { args: [], env: { GITHUB_ACTIONS: "true" } },
};
const PYTHON = testPythons()[0]!.python;

let pg: TestPostgres;
let example: ExampleRepo;
let repo: string;
let host: string;
let port: string;
before(async () => {
  pg = await startTestPostgres();
  const u = new URL(pg.adminUrl);
  [host, port] = [u.hostname, u.port];
  example = exampleRepo();
  repo = example.dir;
  // The instance: at 0.1.0 (one script behind), owned by each role so that every command can read and deploy.
  await withClient(pg.adminUrl, async (c) => {
    await c.query("CREATE DATABASE inst");
    for (const [i, pw] of HOSTILE_PASSWORDS.entries()) {
      await c.query(`CREATE ROLE pw_${i} LOGIN CREATEDB SUPERUSER PASSWORD ${passwordSql(pw)}`);
    }
  });
  const bridge = await startBridge({ python: PYTHON, cwd: repo, env: process.env });
  try {
    await bridge.request("upgrade", {
      repo_root: repo,
      package: "lnschema_demo",
      url: withDatabase(pg.adminUrl, "inst"),
      revision: "8280855a5064",
    });
  } finally {
    await bridge.close();
  }
});
after(async () => {
  await withClient(pg.adminUrl, async (c) => {
    await c.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'inst' AND pid <> pg_backend_pid()",
    );
    await c.query("DROP DATABASE IF EXISTS inst");
  }).catch(() => {});
  // check keeps its baseline as a template database (the cache): the file's server goes with it.
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
  example?.cleanup();
});

/** Every spelling of the password that would give it away (raw, percent-encoded, the URL itself). */
function leaks(out: string, pw: string, url: string): string[] {
  if (!pw) return out.includes(url) ? [url] : [];
  const forms = new Set([pw, encodeURIComponent(pw), url]);
  return [...forms].filter((f) => f.length >= 3 && out.includes(f));
}

const COMMANDS: {
  name: string;
  heavy: boolean;
  run: (url: string, mode: (typeof MODES)[string]) => ReturnType<typeof runCli>;
}[] = [
  {
    name: "status",
    heavy: false,
    run: (url, m) =>
      runCli(["status", "--db", url, ...m.args], { cwd: repo, env: { ...m.env, MIGRAKIT_PYTHON: PYTHON } }),
  },
  {
    name: "deploy --sql",
    heavy: true,
    run: (url, m) =>
      runCli(["deploy", "--db", url, "--sql", ...m.args], { cwd: repo, env: { ...m.env, MIGRAKIT_PYTHON: PYTHON } }),
  },
  {
    name: "deploy (no terminal to confirm on)",
    heavy: false,
    run: (url, m) =>
      runCli(["deploy", "--db", url, ...m.args], { cwd: repo, env: { ...m.env, MIGRAKIT_PYTHON: PYTHON } }),
  },
  {
    name: "check --against",
    heavy: true,
    run: (url, m) =>
      runCli(["check", "--against", url, ...m.args], {
        cwd: repo,
        env: { ...m.env, MIGRAKIT_PYTHON: PYTHON, MIGRAKIT_DATABASE_URL: pg.adminUrl, CI: "true" },
      }),
  },
  {
    name: "check with MIGRAKIT_DATABASE_URL",
    heavy: true,
    run: (url, m) =>
      runCli(["check", ...m.args], {
        cwd: repo,
        env: {
          ...m.env,
          MIGRAKIT_PYTHON: PYTHON,
          MIGRAKIT_DATABASE_URL: url.replace(/\/inst$/, "/postgres"),
          CI: "true",
        },
      }),
  },
];

for (const [i, pw] of HOSTILE_PASSWORDS.entries()) {
  for (const cmd of COMMANDS) {
    if (cmd.heavy && !HEAVY_PASSWORDS.has(pw)) continue;
    test(`password ${JSON.stringify(pw)}: ${cmd.name} shows it nowhere (text, --json, annotations; right and wrong password)`, () => {
      for (const [modeName, mode] of Object.entries(MODES)) {
        // A wrong password takes the failed-login path; one command and one mode are enough for it.
        for (const variant of cmd.name === "status" && modeName === "text" ? [pw, pw + "X/@ z"] : [pw]) {
          const url = `postgresql://pw_${i}:${variant}@${host}:${port}/inst`;
          const r = cmd.run(url, mode);
          const out = r.stdout + r.stderr;
          assert.deepEqual(leaks(out, variant, url), [], `${modeName}, exit ${r.status}:\n${out}`);
          assert.doesNotMatch(out, /\n\s+at .*:\d+:\d+/, `${modeName}: no stack trace\n${out}`);
          assert.notEqual(r.status, 70, out);
          if (cmd.name === "status" && modeName === "text") {
            // Whatever happened (behind, refused, unparsable), the instance is named from its parts.
            assert.ok(out.includes(`pw_${i}@${host}:${port}/inst`), out);
          }
        }
      }
    });
  }
}
