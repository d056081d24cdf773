// Issue 16 item 8: entries of versions/ named *.py that are not regular files — a folder, a dangling symlink, a
// symlink loop, a FIFO, a symlink to a folder — are reported with EMIGRAKIT_SCRIPT_NOT_A_FILE by check --static,
// status, release-prepare and the pre-commit hook: no stack trace, and no read that blocks (a FIFO is never opened).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { chain, headOf, makeSchemaRepo, type TempRepo } from "../helpers/schema-repo.js";
import { runCli } from "../helpers/cli.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { testPythons } from "../helpers/python.js";

const scripts = chain(2, { released: 1 });
const init = { version: "0.1.0", migration: headOf(scripts) };
const ENTRY = "2023-03-01-abcdefabcdef-vx_x_x.py";

const KINDS: Record<string, { kind: RegExp; make: (repo: TempRepo, path: string) => void }> = {
  folder: {
    kind: /a folder/,
    make: (_r, p) => {
      mkdirSync(p);
      writeFileSync(`${p}/inside.py`, "x = 1\n");
    },
  },
  "dangling symlink": { kind: /a dangling symlink/, make: (_r, p) => symlinkSync("does-not-exist.py", p) },
  "symlink loop": { kind: /a symlink loop/, make: (_r, p) => symlinkSync(p.split("/").pop()!, p) },
  FIFO: { kind: /FIFO/, make: (_r, p) => execFileSync("mkfifo", [p]) },
  "symlink to a folder": {
    kind: /a symlink to a folder/,
    make: (r, p) => {
      mkdirSync(r.path("elsewhere"));
      symlinkSync(r.path("elsewhere"), p);
    },
  },
};

function repoWith(kind: string): { repo: TempRepo; file: string } {
  const repo = makeSchemaRepo({ scripts, init });
  const file = `${repo.pkg}/migrations/versions/${ENTRY}`;
  KINDS[kind]!.make(repo, repo.path(file));
  return { repo, file };
}

const noTrace = (s: string) => assert.doesNotMatch(s, /\n\s+at .*:\d+:\d+\)?/, "no stack trace");

for (const kind of Object.keys(KINDS)) {
  test(`versions/ holding ${kind} named *.py: check --static reports it (text and --json), without blocking`, (t) => {
    const { repo, file } = repoWith(kind);
    t.after(() => repo.cleanup());
    const r = runCli(["check", "--static", "--json"], { cwd: repo.dir, timeoutMs: 20_000 });
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { findings: { code: string; file: string; message: string }[] };
    const f = out.findings.find((x) => x.code === "EMIGRAKIT_SCRIPT_NOT_A_FILE");
    assert.ok(f, JSON.stringify(out.findings));
    assert.equal(f.file, file);
    assert.match(f.message, KINDS[kind]!.kind);
    const text = runCli(["check", "--static"], { cwd: repo.dir, timeoutMs: 20_000 });
    assert.equal(text.status, 1);
    assert.match(text.stderr, /EMIGRAKIT_SCRIPT_NOT_A_FILE: .+\n {2}fix: /);
    noTrace(text.stderr);
  });

  test(`versions/ holding ${kind} named *.py: status and release-prepare refuse with the code`, (t) => {
    const { repo, file } = repoWith(kind);
    t.after(() => repo.cleanup());
    const status = runCli(["status", "--db", "postgresql://nobody@127.0.0.1:1/none", "--json"], {
      cwd: repo.dir,
      timeoutMs: 20_000,
    });
    assert.equal(status.status, 1, status.stdout + status.stderr);
    assert.match(status.stdout, /EMIGRAKIT_SCRIPT_NOT_A_FILE/);
    assert.ok(status.stdout.includes(file), status.stdout);
    noTrace(status.stderr);
    const release = runCli(["release-prepare", "--version", "1.0.0"], { cwd: repo.dir, timeoutMs: 20_000 });
    assert.notEqual(release.status, 0);
    assert.notEqual(release.status, 70, release.stderr);
    assert.match(release.stderr, /EMIGRAKIT_SCRIPT_NOT_A_FILE/);
    noTrace(release.stderr);
    assert.equal(repo.git("status", "--porcelain", "--untracked-files=no"), "", "release-prepare wrote nothing");
  });
}

let pg: TestPostgres;
before(async () => {
  pg = await startTestPostgres();
});
after(async () => {
  await pg?.stop();
});

for (const kind of ["folder", "dangling symlink"]) {
  test(`the pre-commit hook refuses a staged ${kind} named *.py in versions/`, (t) => {
    const { repo, file } = repoWith(kind);
    t.after(() => repo.cleanup());
    repo.git("add", "-A");
    const r = runCli(["hook", "pre-commit"], {
      cwd: repo.dir,
      env: { MIGRAKIT_DATABASE_URL: pg.adminUrl, MIGRAKIT_PYTHON: testPythons()[0]!.python, CI: "true" },
      timeoutMs: 120_000,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /EMIGRAKIT_SCRIPT_NOT_A_FILE/);
    assert.ok(r.stderr.includes(file), r.stderr);
    noTrace(r.stderr);
  });
}
