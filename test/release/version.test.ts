import { test } from "node:test";
import assert from "node:assert/strict";
import { releaseVersion, semverToPep440 } from "../../src/release/version.js";
import { isMigrakitError } from "../../src/errors/index.js";
import { parseScriptName } from "../../src/model/script-name.js";

test("semver maps to one PEP 440 spelling, used for __version__, slug and header alike", () => {
  const cases: [string, string, string, string][] = [
    ["1.0.0", "1.0.0", "v1_0_0", "v1.0.0."],
    ["1.2.0-rc.3", "1.2.0rc3", "v1_2_0rc3", "v1.2.0rc3."],
    ["1.2.0-alpha.1", "1.2.0a1", "v1_2_0a1", "v1.2.0a1."],
    ["2.0.0-beta.12", "2.0.0b12", "v2_0_0b12", "v2.0.0b12."],
    ["0.30.0-dev.4", "0.30.0.dev4", "v0_30_0_dev4", "v0.30.0.dev4."],
    ["v1.0.0", "1.0.0", "v1_0_0", "v1.0.0."],
  ];
  for (const [semver, pep440, slug, header] of cases) {
    const v = releaseVersion(semver);
    assert.deepEqual([v.pep440, v.slug, v.header], [pep440, slug, header], semver);
    // The slug reads back as the same version: names and __version__ never drift apart.
    const name = parseScriptName(`2023-02-16-dd2b4a9499f2-${v.slug}.py`);
    assert.equal(name.kind, "released", semver);
    assert.equal(name.version, pep440, semver);
  }
});

test("build metadata never reaches a version or a file name", () => {
  assert.equal(semverToPep440("1.2.0+build.7"), "1.2.0");
  assert.equal(releaseVersion("1.2.0-rc.1+sha.abc").slug, "v1_2_0rc1");
});

test("unknown channels and odd pre-releases are refused with a clear error, or mapped by configuration", () => {
  for (const bad of ["1.2.0-next.1", "1.2.0-rc", "1.2.0-rc.1.2", "1.2.0-rc.x", "1.2", "banana", "01.2.0"]) {
    assert.throws(
      () => semverToPep440(bad),
      (e: unknown) => isMigrakitError(e) && e.code === "EMIGRAKIT_VERSION_UNMAPPABLE" && e.exitCode === 2,
      bad,
    );
  }
  assert.equal(semverToPep440("1.2.0-preview.2", { preview: "rc" }), "1.2.0rc2");
  assert.equal(semverToPep440("1.2.0-nightly.5", { nightly: "dev" }), "1.2.0.dev5");
});

test("PEP 440 input is taken in its canonical spelling; local, epoch and post versions are refused", () => {
  assert.equal(releaseVersion("1.2.0rc3").pep440, "1.2.0rc3");
  assert.equal(releaseVersion("1.2.0.RC3").pep440, "1.2.0rc3"); // not semver-shaped, so read as PEP 440
  assert.equal(releaseVersion("0.30a1").slug, "v0_30a1");
  assert.equal(releaseVersion("1.2.0rc3").semver, null);
  for (const bad of ["1.0+local", "1!1.0.0", "1.0.0.post1"]) {
    assert.throws(
      () => releaseVersion(bad),
      (e: unknown) => isMigrakitError(e) && e.code === "EMIGRAKIT_VERSION_UNMAPPABLE",
      bad,
    );
  }
});
