// A test that needs something of the machine (root, `unshare -m`, a system Postgres for pg_dump). Elsewhere
// it may be skipped, with the reason; under CI=true a missing prerequisite is a broken CI machine, and a
// skipped test would prove nothing there, so it fails instead (.ci/run provides all of them, as root).
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { isCI } from "../../src/util/ci.js";

export function missingPrerequisite(t: TestContext, reason: string): void {
  if (isCI(process.env)) assert.fail(`CI=true, but this machine lacks what the test needs: ${reason}`);
  t.skip(reason);
}

/** For `test(name, { skip: skipUnless(...) })`: false (run) under CI=true, whatever the machine. */
export function skipUnless(ok: boolean, reason: string): string | false {
  return ok || isCI(process.env) ? false : reason;
}
