#!/usr/bin/env node
// The test tiers: `node scripts/test-files.mjs unit|integration|e2e|all` prints the compiled test files of a
// tier, sorted, for `node --test`. unit = pure logic, no process, Postgres or git (seconds); e2e = the real
// bin installed from `npm pack`, the demo, real semantic-release and husky; integration = the rest (real
// Postgres, Python and git per file). A new test file is integration until listed here.
import { readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

const UNIT = [
  /^test\/architecture\//,
  /^test\/model\/(?!repo\.test)/,
  /^test\/(bridge|db|deploy)\/pure\.test/,
  /^test\/errors\//,
  /^test\/generate\/(renames|script-text)\.test/,
  /^test\/release\/(operations|version)\.test/,
];
const E2E = [
  /^test\/hook\/(e2e(-[a-z-]+)?|pre-commit-framework)\.test/,
  /^test\/demo\//,
  /^test\/release\/semantic-release\.test/,
  /^test\/init\//,
];

const tier = process.argv[2] ?? "all";
if (!["unit", "integration", "e2e", "all"].includes(tier)) {
  console.error("usage: node scripts/test-files.mjs unit|integration|e2e|all");
  process.exit(2);
}
const root = new URL("..", import.meta.url).pathname;
const dist = join(root, "dist");
const walk = (dir) =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
const files = walk(join(dist, "test"))
  .filter((f) => f.endsWith(".test.js"))
  .map((f) => relative(dist, f).split(sep).join("/"))
  .sort();
const of = (f) => (UNIT.some((r) => r.test(f)) ? "unit" : E2E.some((r) => r.test(f)) ? "e2e" : "integration");
console.log(
  files
    .filter((f) => tier === "all" || of(f) === tier)
    .map((f) => join("dist", f))
    .join("\n"),
);
