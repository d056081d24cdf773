// One CLI contract (docs/commands.md): with --json every command prints exactly one JSON document on stdout,
// success or failure; commander's own usage errors are EMIGRAKIT_USAGE; flags that need another flag are
// usage errors; exit codes are the catalogue's. All through the real bin, on real temporary git repos.
import { test } from "node:test";
import assert from "node:assert/strict";
import { catalogue } from "../../src/errors/index.js";
import { COMMAND_NAMES, commandModules } from "../../src/cli.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { chain, makeSchemaRepo } from "../helpers/schema-repo.js";

const USAGE_EXIT = catalogue.EMIGRAKIT_USAGE!.exit;

/** stdout is exactly one JSON document (JSON.parse refuses anything before or after it). */
function onlyJson(
  r: CliResult,
): { ok: boolean; errors?: { code: string; exitCode: number; fix: string; message: string }[] } & Record<
  string,
  unknown
> {
  try {
    return JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`stdout is not one JSON document (${(e as Error).message}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

test("each command module's name is the name cli.ts loads it by", async () => {
  const mods = await commandModules(["--help"]);
  assert.deepEqual(
    mods.map((m) => m.name),
    COMMAND_NAMES,
  );
  for (const name of COMMAND_NAMES)
    assert.deepEqual(
      (await commandModules([name])).map((m) => m.name),
      [name],
    );
});

test("commander's usage errors are EMIGRAKIT_USAGE: one JSON document with --json, code and fix in text", (t) => {
  const repo = makeSchemaRepo({ scripts: chain(1) });
  t.after(() => repo.cleanup());
  const cases: [string[], RegExp][] = [
    [["bogus", "--json"], /unknown command 'bogus'/],
    [["check", "--bogus", "--json"], /unknown option '--bogus'/],
    [["status", "--json"], /status needs --db URL .*or --targets FILE/],
    [["deploy", "--json"], /deploy needs --db URL .*or --targets FILE/],
    [["release-prepare", "--json"], /required option '--version <version>' not specified/],
    [["hook", "--json"], /missing required argument 'hook'/],
    [["check", "--row-limit", "5", "--json"], /--row-limit needs --against/],
    [
      ["check", "--static", "--against", "postgresql://u@127.0.0.1:1/x", "--json"],
      /--static and --against exclude each other/,
    ],
  ];
  for (const [args, reason] of cases) {
    const r = runCli(args, { cwd: repo.dir });
    assert.equal(r.status, USAGE_EXIT, `${args.join(" ")}: ${r.stderr}`);
    const doc = onlyJson(r);
    assert.equal(doc.ok, false);
    assert.equal(doc.errors![0]!.code, "EMIGRAKIT_USAGE", args.join(" "));
    assert.match(doc.errors![0]!.message, reason);
    assert.equal(doc.errors![0]!.exitCode, USAGE_EXIT);
  }
  // In text: the code and a fix line that works when followed (the named --help exits 0 and lists the option).
  const text = runCli(["status"], { cwd: repo.dir });
  assert.equal(text.status, USAGE_EXIT);
  assert.equal(text.stdout, "");
  assert.match(text.stderr, /^error EMIGRAKIT_USAGE: status needs --db URL .*\n {2}fix: Run `migrakit status --help`/);
  const help = runCli(["status", "--help"], { cwd: repo.dir });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--db <url>/);
  const none = runCli([], { cwd: repo.dir });
  assert.equal(none.status, USAGE_EXIT);
  assert.match(none.stderr, /EMIGRAKIT_USAGE: no command given/);
});

test("rebase --json and hook pre-commit --json print one JSON document when there is nothing to do", (t) => {
  const repo = makeSchemaRepo({ scripts: chain(2, { released: 1 }), tag: "v0.1.0" });
  t.after(() => repo.cleanup());
  const rebase = runCli(["rebase", "--json"], { cwd: repo.dir });
  assert.equal(rebase.status, 0, rebase.stderr);
  assert.deepEqual(onlyJson(rebase), { ok: true, action: "nothing", package: repo.pkg, head: chain(2)[1]!.revision });
  const hook = runCli(["hook", "pre-commit", "--json"], { cwd: repo.dir });
  assert.equal(hook.status, 0, hook.stderr);
  assert.deepEqual(onlyJson(hook), { ok: true, hook: "pre-commit", exitCode: 0 });
});

test("--json under GitHub Actions: stdout stays one JSON document, the annotations go to stderr", (t) => {
  // A static failure: _migration names a revision that is not the head.
  const repo = makeSchemaRepo({
    scripts: chain(2, { released: 1 }),
    init: { version: "0.1.0", migration: chain(2)[0]!.revision },
  });
  t.after(() => repo.cleanup());
  const env = { GITHUB_ACTIONS: "true" };
  const json = runCli(["check", "--static", "--json"], { cwd: repo.dir, env });
  assert.equal(json.status, 1, json.stderr);
  const doc = onlyJson(json);
  assert.equal(doc.ok, false);
  assert.match(json.stderr, /^::error .*title=EMIGRAKIT_/m);
  // Without --json the annotations stay where GitHub has always read them: stdout.
  const text = runCli(["check", "--static"], { cwd: repo.dir, env });
  assert.equal(text.status, 1);
  assert.match(text.stdout, /^::error .*title=EMIGRAKIT_/m);
  // An expected failure (not a finding) under --json: one document, the annotation on stderr.
  const usage = runCli(["status", "--json"], { cwd: repo.dir, env });
  assert.equal(onlyJson(usage).errors![0]!.code, "EMIGRAKIT_USAGE");
  assert.match(usage.stderr, /^::error title=EMIGRAKIT_USAGE::/m);
});

test("migrakit's own progress lines share one prefix: `migrakit: ` (rebase, release-prepare)", (t) => {
  const repo = makeSchemaRepo({ scripts: chain(2, { released: 1 }), tag: "v0.1.0" });
  t.after(() => repo.cleanup());
  const rebase = runCli(["rebase"], { cwd: repo.dir });
  assert.match(rebase.stdout, /^migrakit: lnschema_demo has one head/);
  const dry = runCli(["release-prepare", "--version", "1.0.0", "--dry-run"], { cwd: repo.dir });
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /^migrakit: would apply \(dry run, nothing changed\):\nRelease 1\.0\.0 of lnschema_demo:/);
  const real = runCli(["release-prepare", "--version", "1.0.0"], { cwd: repo.dir });
  assert.equal(real.status, 0, real.stderr);
  assert.match(
    real.stdout,
    /^migrakit: applying:\n[\s\S]*\nmigrakit: released 1\.0\.0: \d+ file\(s\) changed\. Record it with:\n {2}git add -A -- /,
  );
});
