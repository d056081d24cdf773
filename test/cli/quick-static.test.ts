// `check --static` with only the common options skips commander; anything else must still reach it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { quickStaticCheck } from "../../src/cli.js";

test("the quick path takes exactly check --static with --json, --cwd DIR and --package NAME", () => {
  assert.deepEqual(quickStaticCheck(["check", "--static"]), {});
  assert.deepEqual(quickStaticCheck(["check", "--json", "--static", "--cwd", "repo", "--package", "pkg"]), {
    json: true,
    cwd: "repo",
    package: "pkg",
  });
  for (const argv of [
    ["check"],
    ["check", "--json"],
    ["check", "--static", "--cwd"],
    ["check", "--static", "--cwd=repo"],
    ["check", "--static", "--cwd", "--json"],
    ["check", "--static", "--help"],
    ["check", "--static", "--no-cache"],
    ["check", "--static", "extra"],
    ["generate", "--static"],
  ]) {
    assert.equal(quickStaticCheck(argv), null, argv.join(" "));
  }
});
