// The bundles' V8 code cache (src/util/code-cache.ts): the real bin writes it on a first run and V8 takes it on
// the next; a cache file that is truncated, damaged, empty, of another bundle build or not a file at all costs
// one normal run (same output, same exit code) and is written again; CI and MIGRAKIT_NO_CACHE=1 write none.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheFileBytes, checksum, readCacheFile } from "../../src/util/code-cache.js";
import { REPO_ROOT } from "../helpers/python.js";
import { runCli, type CliResult } from "../helpers/cli.js";

let work: string;
let repo: string;

before(() => {
  // A build without the bundles (no esbuild) has nothing to cache: quick-bundle.test.ts says so.
  assert.ok(
    existsSync(join(REPO_ROOT, "dist", "bundle", "loader.js")),
    "run `npm run build` (the bundles are missing)",
  );
  work = mkdtempSync(join(tmpdir(), "migrakit-code-cache-"));
  repo = join(work, "repo");
  cpSync(join(REPO_ROOT, "examples", "schema-repo"), repo, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@e", "-c", "commit.gpgsign=false", ...args], {
      cwd: repo,
    });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "init");
  git("tag", "v0.2.0");
});
after(() => rmSync(work, { recursive: true, force: true }));

/** A fresh cache folder; the code cache's files in it after `runs`. */
function cacheFolder(): { env: NodeJS.ProcessEnv; files: () => string[] } {
  const xdg = mkdtempSync(join(work, "cache-"));
  const dir = join(xdg, "migrakit", "code-cache");
  return {
    env: { XDG_CACHE_HOME: xdg, CI: "" },
    files: () =>
      existsSync(dir)
        ? readdirSync(dir)
            .sort()
            .map((n) => join(dir, n))
        : [],
  };
}

/** Both bundles: the quick one (check --static --json) and the CLI's (a usage error: its output and exit code). */
function runs(env: NodeJS.ProcessEnv): CliResult[] {
  return [
    runCli(["check", "--static", "--json"], { cwd: repo, env }),
    runCli(["status"], { cwd: repo, env }),
    runCli(["--version"], { cwd: repo, env }),
  ];
}

test("a first run writes the code cache of each bundle, the next takes it unchanged, with the same output", () => {
  const { env, files } = cacheFolder();
  const first = runs(env);
  assert.equal(first[0]!.status, 0, first[0]!.stderr);
  assert.equal(first[1]!.status, 2, first[1]!.stderr);
  assert.match(first[1]!.stderr, /EMIGRAKIT_USAGE/);
  const written = files();
  assert.deepEqual(
    written.map((f) => f.replace(/^.*\//, "").replace(/-[0-9a-f]{8}\.v8$/, "")),
    ["cli", "quick"],
  );
  const stamp = () =>
    written.map((f) => `${statSync(f, { bigint: true }).ino}:${statSync(f, { bigint: true }).mtimeNs}`);
  const before = stamp();
  assert.deepEqual(runs(env), first);
  // Not written again: V8 took the cache (a refused one is replaced after the run).
  assert.deepEqual(stamp(), before);
});

test("a truncated, damaged, empty or foreign cache file costs one normal run and is written again", () => {
  const { env, files } = cacheFolder();
  const expected = runs(env);
  const damages: [string, (bytes: Buffer) => Buffer | "folder"][] = [
    ["truncated", (b) => b.subarray(0, Math.floor(b.length / 2))],
    ["one byte short", (b) => b.subarray(0, b.length - 1)],
    [
      "a flipped byte in V8's data",
      (b) => {
        const c = Buffer.from(b);
        const at = c.indexOf(10) + 1 + Math.floor((c.length - c.indexOf(10)) / 2);
        c[at] = c[at]! ^ 0xff;
        return c;
      },
    ],
    [
      "zeroed data under its own header",
      (b) => Buffer.concat([b.subarray(0, b.indexOf(10) + 1), Buffer.alloc(b.length - b.indexOf(10) - 1)]),
    ],
    ["empty", () => Buffer.alloc(0)],
    ["random bytes", (b) => Buffer.from(Array.from({ length: b.length }, (_, i) => (i * 7919) % 251))],
    [
      "another build's header",
      (b) =>
        Buffer.concat([
          Buffer.from("migrakit-code-cache 1 1:2:3:4 v20.0.0 x64 5 abcdef01\n"),
          b.subarray(b.indexOf(10) + 1),
        ]),
    ],
    ["a folder in its place", () => "folder"],
  ];
  // V8's data of the other bundle under a header that is right in every field: V8 refuses it (its source differs).
  const [cliFile, quickFile] = files();
  const identityOf = (bytes: Buffer) =>
    bytes.toString("latin1", 0, bytes.indexOf(10)).split(" ").slice(2, -2).join(" ");
  const dataOf = (bytes: Buffer) => bytes.subarray(bytes.indexOf(10) + 1);
  const [cli, quick] = [readFileSync(cliFile!), readFileSync(quickFile!)];
  writeFileSync(cliFile!, cacheFileBytes(dataOf(quick), identityOf(cli)));
  writeFileSync(quickFile!, cacheFileBytes(dataOf(cli), identityOf(quick)));
  assert.deepEqual(runs(env), expected, "V8 data of the other bundle");
  // Refused by V8, so written again after the run: each file holds its own bundle's data now.
  assert.notDeepEqual(dataOf(readFileSync(cliFile!)), dataOf(quick));
  assert.notDeepEqual(dataOf(readFileSync(quickFile!)), dataOf(cli));
  const identities = new Map(files().map((f) => [f, identityOf(readFileSync(f))]));
  // Another user's or a group-writable file is not run (code runs as this user): refused, and written anew.
  for (const file of files()) chmodSync(file, 0o664);
  assert.deepEqual(runs(env), expected, "group-writable");
  for (const file of files()) assert.equal(statSync(file).mode & 0o777, 0o600, `${file} written anew`);
  if (process.getuid?.() === 0) {
    for (const file of files()) chownSync(file, 65534, 65534);
    assert.deepEqual(runs(env), expected, "another user's");
    for (const file of files()) assert.equal(statSync(file).uid, 0, `${file} written anew`);
  }
  for (const [what, damage] of damages) {
    for (const file of files()) {
      const bytes = readFileSync(file);
      const damaged = damage(bytes);
      rmSync(file, { recursive: true, force: true });
      if (damaged === "folder") mkdirSync(file);
      else writeFileSync(file, damaged);
    }
    assert.deepEqual(runs(env), expected, what);
    if (what === "a folder in its place") {
      // Not replaced (a rename onto a folder fails), and nothing left beside it: still no failure.
      assert.deepEqual(
        readdirSync(join(files()[0]!, "..")).filter((n) => n.endsWith(".tmp")),
        [],
        what,
      );
      continue;
    }
    // Written again, valid: the next run takes it.
    for (const file of files())
      assert.notEqual(
        readCacheFile(readFileSync(file), identities.get(file)!),
        undefined,
        `${what}: ${file} rewritten`,
      );
  }
});

test("CI and MIGRAKIT_NO_CACHE=1 write no code cache", () => {
  for (const extra of [{ CI: "true" }, { MIGRAKIT_NO_CACHE: "1" }]) {
    const { env, files } = cacheFolder();
    const r = runCli(["check", "--static"], { cwd: repo, env: { ...env, ...extra } });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(files(), [], JSON.stringify(extra));
  }
});

test("a cache file's header must match: identity, length and checksum of the data", () => {
  const data = Buffer.from("some compiled code, as V8 would write it");
  const file = cacheFileBytes(data, "1:2:3:4 v20.20.2 x64");
  assert.deepEqual(readCacheFile(file, "1:2:3:4 v20.20.2 x64"), data);
  assert.equal(readCacheFile(file, "1:2:3:5 v20.20.2 x64"), undefined);
  assert.equal(readCacheFile(file.subarray(0, file.length - 1), "1:2:3:4 v20.20.2 x64"), undefined);
  const flipped = Buffer.from(file);
  flipped[flipped.length - 3] ^= 1;
  assert.equal(readCacheFile(flipped, "1:2:3:4 v20.20.2 x64"), undefined);
  assert.equal(readCacheFile(Buffer.from("no header line"), "1:2:3:4 v20.20.2 x64"), undefined);
  // The checksum sees every byte, aligned or not.
  const bytes = Buffer.from(Array.from({ length: 70_001 }, (_, i) => (i * 31) % 256));
  const seen = new Set(
    [0, 1, 4, 65_536, 70_000].map((at) => {
      const c = Buffer.from(bytes);
      c[at] ^= 0x10;
      return checksum(c);
    }),
  );
  assert.equal(seen.size, 5);
  assert.ok(!seen.has(checksum(bytes)));
  assert.equal(checksum(bytes.subarray(3)), checksum(Buffer.from(bytes.subarray(3))));
});
