// The scripts' parse memo (src/util/file-memo.ts through readSchemaRepo's memoDir): a second read of unchanged
// scripts comes from the memo, and any change of a file's content is read again — also one that keeps its
// size and puts its mtime back, or replaces the file by another with the same size and times.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  chmodSync,
  chownSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSchemaRepo, worktreeBlobsOf } from "../../src/model/repo.js";
import { chain, headOf, makeSchemaRepo, scriptFileName, type TempRepo } from "../helpers/schema-repo.js";
import { MIGRAKIT_BIN } from "../helpers/cli.js";
import { spawnSync } from "node:child_process";

/** The memo leaves alone a file changed in the last 2 s (src/util/file-memo.ts RACY_MS): wait until they are older. */
async function aged(repo: TempRepo): Promise<void> {
  const dir = repo.path(`${repo.pkg}/migrations/versions`);
  const newest = Math.max(...readdirSync(dir).map((n) => Number(statSync(join(dir, n)).ctimeMs)));
  const wait = newest + 2100 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

/** `touch -r from to`: to gets from's times to the nanosecond (utimes() from JavaScript rounds them). */
function touchR(from: string, to: string): void {
  const r = spawnSync("touch", ["-r", from, to], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
}

function memoFiles(cache: string): string[] {
  try {
    return readdirSync(join(cache, "file-memo")).map((n) => join(cache, "file-memo", n));
  } catch {
    return [];
  }
}

/** Rewrite the memo's remembered text of `file` (its identity kept): a read that returns it came from the memo. */
function tamper(cache: string, file: string, text: string): void {
  const [path] = memoFiles(cache);
  const memo = JSON.parse(readFileSync(path!, "utf8"));
  assert.ok(memo.entries[file], `the memo holds ${file}`);
  memo.entries[file][1] = text;
  writeFileSync(path!, JSON.stringify(memo));
}

function setUp() {
  const scripts = chain(3);
  const repo = makeSchemaRepo({ scripts, init: { version: "0.1.0", migration: headOf(scripts) }, commit: false });
  const cache = mkdtempSync(join(tmpdir(), "migrakit-memo-"));
  const names = scripts.map(scriptFileName);
  const rel = (name: string) => `${repo.pkg}/migrations/versions/${name}`;
  const cleanup = () => {
    repo.cleanup();
    rmSync(cache, { recursive: true, force: true });
  };
  return { repo, cache, names, rel, cleanup };
}

test("a read from the memo is the read from the files, and an unchanged script's text comes from the memo", async () => {
  const { repo, cache, names, cleanup } = setUp();
  try {
    await aged(repo);
    const fresh = await readSchemaRepo(repo.dir, repo.pkg);
    const first = await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache });
    assert.equal(memoFiles(cache).length, 1);
    const second = await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache });
    assert.deepStrictEqual(first, fresh);
    assert.deepStrictEqual(second, fresh);
    tamper(cache, names[1]!, "from the memo");
    const third = await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache });
    assert.equal(third.scripts[1]!.text, "from the memo");
  } finally {
    cleanup();
  }
});

test("an edit that keeps the size and restores the mtime (touch -r) is read again: its ctime moved", async () => {
  const { repo, cache, names, rel, cleanup } = setUp();
  try {
    await aged(repo);
    await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache });
    const path = repo.path(rel(names[2]!));
    const before = statSync(path, { bigint: true });
    const text = readFileSync(path, "utf8");
    const edited = text.replace("# noqa", "# NOQA");
    assert.notEqual(edited, text);
    assert.equal(Buffer.byteLength(edited), Buffer.byteLength(text));
    const ref = join(cache, "times");
    touchR(path, ref);
    writeFileSync(path, edited);
    touchR(ref, path);
    const now = statSync(path, { bigint: true });
    assert.deepEqual([now.mtimeNs, now.size, now.ino], [before.mtimeNs, before.size, before.ino]);
    const after = await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache });
    assert.equal(after.scripts[2]!.text, edited);
  } finally {
    cleanup();
  }
});

test("a script replaced by another file of the same size and times is read again: its inode differs", async () => {
  const { repo, cache, names, rel, cleanup } = setUp();
  try {
    const path = repo.path(rel(names[0]!));
    const text = readFileSync(path, "utf8");
    const edited = text.replace("# noqa", "# NOQA");
    writeFileSync(`${path}.new`, edited);
    await aged(repo);
    await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache });
    touchR(path, `${path}.new`);
    const before = statSync(path, { bigint: true });
    renameSync(`${path}.new`, path);
    const now = statSync(path, { bigint: true });
    assert.deepEqual([now.mtimeNs, now.size], [before.mtimeNs, before.size]);
    const after = await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache });
    assert.equal(after.scripts[0]!.text, edited);
  } finally {
    cleanup();
  }
});

test("a script changed in the last seconds is not memoized; a memo of other code or another folder is not used", async () => {
  const { repo, cache, names, rel, cleanup } = setUp();
  try {
    await aged(repo);
    await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache });
    const path = repo.path(rel(names[1]!));
    writeFileSync(path, readFileSync(path, "utf8").replace("# noqa", "# NOQA"));
    await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache });
    const memo = JSON.parse(readFileSync(memoFiles(cache)[0]!, "utf8"));
    assert.deepEqual(Object.keys(memo.entries).sort(), [names[0], names[2]]);

    for (const field of ["code", "folder"]) {
      tamper(cache, names[0]!, "from the memo");
      const [file] = memoFiles(cache);
      const m = JSON.parse(readFileSync(file!, "utf8"));
      m[field] = `other ${field}`;
      writeFileSync(file!, JSON.stringify(m));
      const r = await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache });
      assert.equal(r.scripts[0]!.text, readFileSync(repo.path(rel(names[0]!)), "utf8"), field);
    }
  } finally {
    cleanup();
  }
});

test("a memo another user owns or may write is not used", async () => {
  const { repo, cache, names, rel, cleanup } = setUp();
  try {
    await aged(repo);
    await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache });
    const real = readFileSync(repo.path(rel(names[0]!)), "utf8");
    tamper(cache, names[0]!, "from the memo");
    assert.equal((await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache })).scripts[0]!.text, "from the memo");
    tamper(cache, names[0]!, "from the memo");
    chmodSync(memoFiles(cache)[0]!, 0o666);
    assert.equal((await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache })).scripts[0]!.text, real, "writable");
    if (process.getuid?.() === 0) {
      tamper(cache, names[0]!, "from the memo");
      chmodSync(memoFiles(cache)[0]!, 0o600);
      chownSync(memoFiles(cache)[0]!, 12345, 12345);
      assert.equal((await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache })).scripts[0]!.text, real, "owned");
    }
  } finally {
    cleanup();
  }
});

test("with the memo, each released script's git blob is known (what `git ls-tree` says of it); none for an unreleased one or a symlink", async () => {
  const scripts = chain(4, { released: 3 });
  const repo = makeSchemaRepo({ scripts, init: { version: "0.3.0", migration: headOf(scripts) } });
  const cache = mkdtempSync(join(tmpdir(), "migrakit-memo-"));
  try {
    const dir = `${repo.pkg}/migrations/versions`;
    const [first, second, third] = scripts.map(scriptFileName);
    chmodSync(repo.path(`${dir}/${second}`), 0o755);
    writeFileSync(repo.path(`${dir}/${third}`), `\uFEFF${readFileSync(repo.path(`${dir}/${third}`), "utf8")}`);
    repo.git("add", "-A");
    repo.git("commit", "-qm", "executable, BOM");
    const tree = new Map(
      repo
        .git("ls-tree", "-z", "HEAD", `${dir}/`)
        .split("\0")
        .filter(Boolean)
        .map((l) => [l.split("\t")[1]!.split("/").pop()!, l.replace(/ blob /, " ").split("\t")[0]!]),
    );
    assert.equal(worktreeBlobsOf(await readSchemaRepo(repo.dir, repo.pkg)), undefined, "none without the memo");
    for (const run of ["read", "from the memo"]) {
      if (run !== "read") await aged(repo);
      const blobs = worktreeBlobsOf(await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache }))!;
      assert.deepEqual(
        [...blobs].sort(),
        [first, second, third].map((n) => [n, tree.get(n!)]),
        run,
      );
    }
    symlinkSync(repo.path(`${dir}/${first}`), repo.path(`${dir}/2023-02-01-5e1f11111111-v0_0_1.py`));
    const blobs = worktreeBlobsOf(await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache }))!;
    assert.equal(blobs.has("2023-02-01-5e1f11111111-v0_0_1.py"), false);
  } finally {
    repo.cleanup();
    rmSync(cache, { recursive: true, force: true });
  }
});

test("a script that stays recently changed is read on every run, and the memo is not written again for it", async () => {
  const { repo, cache, names, rel, cleanup } = setUp();
  try {
    await aged(repo);
    await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache });
    const path = repo.path(rel(names[1]!));
    const edited = readFileSync(path, "utf8").replace("# noqa", "# NOQA");
    writeFileSync(path, edited);
    // This run drops the memo's stale entry (a rename: a new inode); the next finds nothing to add or drop.
    await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache });
    const written = statSync(memoFiles(cache)[0]!, { bigint: true });
    const again = await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache });
    assert.equal(again.scripts[1]!.text, edited);
    const now = statSync(memoFiles(cache)[0]!, { bigint: true });
    assert.deepEqual([now.ino, now.mtimeNs], [written.ino, written.mtimeNs]);
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(memoFiles(cache)[0]!, "utf8")).entries).sort(), [
      names[0],
      names[2],
    ]);
  } finally {
    cleanup();
  }
});

test("a memo that cannot be read or written only costs the reads", async () => {
  const { repo, cache, cleanup } = setUp();
  try {
    await aged(repo);
    const fresh = await readSchemaRepo(repo.dir, repo.pkg);
    writeFileSync(join(cache, "file-memo"), "a file where the memo folder should be");
    assert.deepStrictEqual(await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache }), fresh);
    rmSync(join(cache, "file-memo"));
    await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache });
    writeFileSync(memoFiles(cache)[0]!, "{ not json");
    assert.deepStrictEqual(await readSchemaRepo(repo.dir, repo.pkg, { memoDir: cache }), fresh);
  } finally {
    cleanup();
  }
});

test("check --static memoizes under the cache folder, but not under CI=true, MIGRAKIT_NO_CACHE=1 or --no-cache", async () => {
  const { repo, cache, cleanup } = setUp();
  try {
    await aged(repo);
    const run = (env: NodeJS.ProcessEnv, ...flags: string[]) => {
      const r = spawnSync(process.execPath, [MIGRAKIT_BIN, "check", "--static", ...flags], {
        cwd: repo.dir,
        env: { ...process.env, CI: "", MIGRAKIT_NO_CACHE: "", XDG_CACHE_HOME: cache, ...env },
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
    };
    run({ CI: "true" });
    run({ MIGRAKIT_NO_CACHE: "1" });
    run({}, "--no-cache");
    assert.deepEqual(memoFiles(join(cache, "migrakit")), []);
    run({});
    assert.equal(memoFiles(join(cache, "migrakit")).length, 1);
  } finally {
    cleanup();
  }
});
