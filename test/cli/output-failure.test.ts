// Output that cannot be written: `check --json > /dev/full` ends with EMIGRAKIT_OUTPUT_FAILED and exit 3,
// not an unhandled 'error' event with a stack trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { MIGRAKIT_BIN } from "../helpers/cli.js";
import { ownFolders } from "../helpers/isolation.js";
import { chain, makeSchemaRepo } from "../helpers/schema-repo.js";

function runInto(target: string, args: string[], cwd: string) {
  const fd = openSync(target, "w");
  try {
    const r = spawnSync(process.execPath, [MIGRAKIT_BIN, ...args], {
      cwd,
      stdio: ["ignore", fd, "pipe"],
      encoding: "utf8",
      env: ownFolders({ ...process.env, GITHUB_ACTIONS: "" }),
    });
    return { status: r.status, stderr: r.stderr };
  } finally {
    closeSync(fd);
  }
}

test("check --json > /dev/full: EMIGRAKIT_OUTPUT_FAILED on stderr, exit 3, no stack trace", () => {
  const repo = makeSchemaRepo({ scripts: chain(2, { released: 1 }), tag: "v0.1.0" });
  try {
    for (const args of [
      ["check", "--static", "--json"],
      ["check", "--static"],
    ]) {
      const r = runInto("/dev/full", args, repo.dir);
      assert.equal(r.status, 3, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /EMIGRAKIT_OUTPUT_FAILED/);
      assert.match(r.stderr, /ENOSPC/);
      assert.doesNotMatch(r.stderr, /Unhandled| {4}at /);
    }
    const ok = runInto("/dev/null", ["check", "--static", "--json"], repo.dir);
    assert.equal(ok.status, 0, "a writable stdout is not affected");
    assert.equal(ok.stderr, "");
  } finally {
    repo.cleanup();
  }
});
