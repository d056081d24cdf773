// migrakit.config.js and .mjs are read (their default export), and the first source found wins
// (docs/spec.md §3): package.json "migrakit", then migrakit.config.{json,js,mjs}, then pyproject.toml.
// Observed through the real CLI: `packages` decides which schema package `check --static --json` reports.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { runCli } from "../helpers/cli.js";
import { chain, headOf, initText, makeSchemaRepo, scriptFileName, scriptText } from "../helpers/schema-repo.js";

function twoPackages() {
  const scripts = chain(1);
  return makeSchemaRepo({
    scripts,
    files: {
      "second/__init__.py": initText({ version: "0.1.0", migration: headOf(scripts) }),
      [`second/migrations/versions/${scriptFileName(scripts[0]!)}`]: scriptText(scripts[0]!),
    },
  });
}

const packagesOf = (dir: string) => {
  const r = runCli(["check", "--static", "--json"], { cwd: dir });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout).packages as string[];
};

test("migrakit.config.mjs and migrakit.config.js: the default export is the configuration", (t) => {
  const repo = twoPackages();
  t.after(() => repo.cleanup());
  repo.write("migrakit.config.mjs", 'export default { packages: ["second"] };\n');
  assert.deepEqual(packagesOf(repo.dir), ["second"]);
  rmSync(repo.path("migrakit.config.mjs"));
  // A .js file is ESM or CommonJS as the nearest package.json says; without "type" it is CommonJS.
  repo.write("migrakit.config.js", 'module.exports = { packages: ["lnschema_demo"] };\n');
  assert.deepEqual(packagesOf(repo.dir), ["lnschema_demo"]);
});

test('precedence: package.json "migrakit" over migrakit.config.*, over pyproject.toml [tool.migrakit]', (t) => {
  const repo = twoPackages();
  t.after(() => repo.cleanup());
  repo.write("pyproject.toml", '[tool.migrakit]\npackages = ["second"]\n');
  assert.deepEqual(packagesOf(repo.dir), ["second"], "pyproject alone");
  repo.write("migrakit.config.json", JSON.stringify({ packages: ["lnschema_demo"] }));
  assert.deepEqual(packagesOf(repo.dir), ["lnschema_demo"], "a config file wins over pyproject");
  repo.write("package.json", JSON.stringify({ name: "x", private: true, migrakit: { packages: ["second"] } }));
  assert.deepEqual(packagesOf(repo.dir), ["second"], "package.json wins over both");
});
