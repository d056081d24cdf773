// History as real lamin repos have it: a released script whose header disagrees with its file name is reported
// once, with a fix that works (acceptHistoryUpTo, not an edit the "released scripts never change" rule would
// then refuse); PEP 440 pre-release versions like 0.18a5 in names and headers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { headOf, makeSchemaRepo, type ScriptSpec } from "../helpers/schema-repo.js";
import { runCli } from "../helpers/cli.js";

const scripts: ScriptSpec[] = [
  { revision: "aaaaaaaaaaa1", down: null, slug: "v0_17_0", date: "2023-01-01" },
  { revision: "aaaaaaaaaaa2", down: "aaaaaaaaaaa1", slug: "v0_18a5", date: "2023-02-01", header: "v0.18a4." }, // stale header
  { revision: "aaaaaaaaaaa3", down: "aaaaaaaaaaa2", slug: "v0_18a5", date: "2023-02-02" },
  { revision: "aaaaaaaaaaa4", down: "aaaaaaaaaaa3", date: "2023-03-01" },
];

test("a released script with a stale header: one finding whose fix (acceptHistoryUpTo) makes check pass", (t) => {
  const repo = makeSchemaRepo({ scripts, init: { version: "0.18a5", migration: headOf(scripts) }, tag: "v0.18a5" });
  t.after(() => repo.cleanup());
  const r = runCli(["check", "--static", "--json"], { cwd: repo.dir });
  assert.equal(r.status, 1, r.stderr);
  const findings = (JSON.parse(r.stdout) as { findings: { code: string; fix: string }[] }).findings;
  assert.deepEqual(
    findings.map((f) => f.code),
    ["EMIGRAKIT_HEADER_MISMATCH"],
  );
  assert.match(findings[0]!.fix, /"acceptHistoryUpTo": "aaaaaaaaaaa2"/);
  assert.doesNotMatch(findings[0]!.fix, /Change the first line/);

  repo.write("migrakit.config.json", JSON.stringify({ acceptHistoryUpTo: "aaaaaaaaaaa2" }));
  const fixed = runCli(["check", "--static"], { cwd: repo.dir });
  assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
});

test("acceptHistoryUpTo leaves scripts after it to the rules", (t) => {
  const later = scripts.map((s) => (s.revision === "aaaaaaaaaaa3" ? { ...s, header: "v0.1.0." } : s));
  const repo = makeSchemaRepo({
    scripts: later,
    init: { version: "0.18a5", migration: headOf(later) },
    files: { "migrakit.config.json": '{"acceptHistoryUpTo": "aaaaaaaaaaa2"}' },
    tag: "v0.18a5",
  });
  t.after(() => repo.cleanup());
  const r = runCli(["check", "--static", "--json"], { cwd: repo.dir });
  assert.equal(r.status, 1, r.stderr);
  const findings = (JSON.parse(r.stdout) as { findings: { code: string; file?: string }[] }).findings;
  assert.deepEqual(
    findings.map((f) => f.code),
    ["EMIGRAKIT_HEADER_MISMATCH"],
  );
  assert.match(JSON.stringify(findings[0]), /aaaaaaaaaaa3/);
});
