// The bridge's own pytest suite (python/tests), run on each Python stack against a real Postgres. The two
// stacks run side by side: each pytest is one single-threaded process, every test in it makes a database of
// its own (a random name) on the shared server, so neither run can see the other's, and the file takes the
// time of the slower stack rather than the sum.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { REPO_ROOT, testPythons } from "../helpers/python.js";

let pg: TestPostgres;
before(async () => {
  pg = await startTestPostgres();
});
after(async () => {
  await pg?.stop();
});

function run(python: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("the bridge's pytest suite", { concurrency: true }, () => {
  for (const { name, python } of testPythons()) {
    test(`pytest python/tests on the ${name} stack`, async () => {
      const env = { ...process.env, MIGRAKIT_TEST_DATABASE_URL: pg.adminUrl, PYTHONDONTWRITEBYTECODE: "1" };
      const { code, output } = await run(
        python,
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", join("python", "tests")],
        env,
      );
      assert.equal(code, 0, `pytest failed on the ${name} stack:\n${output}`);
      assert.match(output, /\d+ passed/);
    });
  }
});
