import { test } from "node:test";
import assert from "node:assert/strict";
import {
  formatScriptName,
  parseScriptName,
  slugForVersion,
  UNRELEASED_SLUG,
  versionForSlug,
} from "../../src/model/script-name.js";

test("the seed's names", () => {
  assert.deepEqual(parseScriptName("2023-02-16-dd2b4a9499f2-vx_x_x.py"), {
    file: "2023-02-16-dd2b4a9499f2-vx_x_x.py",
    date: "2023-02-16",
    revision: "dd2b4a9499f2",
    slug: UNRELEASED_SLUG,
    kind: "unreleased",
    version: null,
  });
  assert.deepEqual(parseScriptName("2023-02-14-8280855a5064-v0_26_2.py"), {
    file: "2023-02-14-8280855a5064-v0_26_2.py",
    date: "2023-02-14",
    revision: "8280855a5064",
    slug: "v0_26_2",
    kind: "released",
    version: "0.26.2",
  });
});

test("released slugs for pre, dev and post releases", () => {
  const cases: [string, string][] = [
    ["2023-05-01-aaaaaaaaaaaa-v0_30rc3.py", "0.30rc3"],
    ["2023-05-01-aaaaaaaaaaaa-v1_2_0_dev1.py", "1.2.0.dev1"],
    ["2023-05-01-aaaaaaaaaaaa-v1_0_0_post1.py", "1.0.0.post1"],
    ["2023-05-01-aaaaaaaaaaaa-v1_0a1.py", "1.0a1"],
    ["2023-05-01-aaaaaaaaaaaa-v1!2_0.py", "1!2.0"],
  ];
  for (const [file, version] of cases) {
    const n = parseScriptName(file);
    assert.equal(n.kind, "released", file);
    assert.equal(n.version, version, file);
  }
});

test("legacy names from lamin repos are kept as they are", () => {
  const cases: [string, Partial<ReturnType<typeof parseScriptName>>][] = [
    ["2022-07-21-0560ee3d73dc-jupynb.py", { date: "2022-07-21", revision: "0560ee3d73dc", slug: "jupynb" }],
    ["2022-08-01-1234567890ab-storage.py", { slug: "storage" }],
    ["2023-03-01-0123456789ab-v0_30_rc2.py", { slug: "v0_30_rc2" }],
    ["2023-03-01-0123456789ab-0_30rc3.py", { slug: "0_30rc3" }],
    ["2023-03-01-0123456789ab-v1.0.0.py", { slug: "v1.0.0" }],
    ["2023-03-01-0123456789ab-V1_0_0.py", { slug: "V1_0_0" }],
    ["2023-03-01-0123456789ab-v01_0.py", { slug: "v01_0" }],
    ["2023-03-01-0123456789ab-v1_0_0+local.py", { slug: "v1_0_0+local" }],
    ["2023-03-01-0123456789ab-add-a-column.py", { slug: "add-a-column" }],
    ["2023-03-01-0123456789ab.py", { revision: "0123456789ab", slug: null }],
  ];
  for (const [file, expected] of cases) {
    const n = parseScriptName(file);
    assert.equal(n.kind, "legacy", file);
    assert.equal(n.version, null, file);
    for (const [k, v] of Object.entries(expected)) assert.equal(n[k as keyof typeof n], v, `${file} ${k}`);
  }
});

test("names without a date or revision are legacy with nulls", () => {
  for (const file of [
    "0560ee3d73dc_add_column.py",
    "initial.py",
    "23-02-16-abc-vx_x_x.py",
    "2023-02-16-dd2b4a9499f2-vx_x_x.pyc",
  ]) {
    assert.deepEqual(
      parseScriptName(file),
      { file, date: null, revision: null, slug: null, kind: "legacy", version: null },
      file,
    );
  }
});

test("takes the base name of a path", () => {
  const n = parseScriptName("pkg/migrations/versions/2023-02-16-dd2b4a9499f2-vx_x_x.py");
  assert.equal(n.file, "2023-02-16-dd2b4a9499f2-vx_x_x.py");
  assert.equal(n.kind, "unreleased");
});

test("revision tokens other than 12 hex digits are accepted", () => {
  const n = parseScriptName("2021-01-01-Ab12-v1_0.py");
  assert.equal(n.revision, "Ab12");
  assert.equal(n.kind, "released");
});

test("slugForVersion and versionForSlug", () => {
  assert.equal(slugForVersion("1.0.0"), "v1_0_0");
  assert.equal(slugForVersion("0.30rc3"), "v0_30rc3");
  assert.equal(slugForVersion("1.2.0.dev1"), "v1_2_0_dev1");
  assert.throws(() => slugForVersion("1.0.0-rc1"));
  assert.throws(() => slugForVersion("v1.0.0"));
  assert.throws(() => slugForVersion("1.0.0+local"));
  assert.throws(() => slugForVersion("nope"));
  assert.equal(versionForSlug("v1_0_0"), "1.0.0");
  assert.equal(versionForSlug("v0_30rc3"), "0.30rc3");
  assert.equal(versionForSlug(UNRELEASED_SLUG), null);
  assert.equal(versionForSlug("v0_30_rc2"), null);
  assert.equal(versionForSlug("jupynb"), null);
  assert.equal(versionForSlug("v"), null);
  for (const v of ["0.1.0", "2.0.0rc1", "1!1.0", "3.0.post2.dev1"]) assert.equal(versionForSlug(slugForVersion(v)), v);
});

test("formatScriptName is the inverse of parseScriptName", () => {
  const file = formatScriptName({ date: "2023-02-16", revision: "dd2b4a9499f2", slug: slugForVersion("1.0.0") });
  assert.equal(file, "2023-02-16-dd2b4a9499f2-v1_0_0.py");
  const n = parseScriptName(file);
  assert.deepEqual([n.date, n.revision, n.slug, n.version], ["2023-02-16", "dd2b4a9499f2", "v1_0_0", "1.0.0"]);
});

test("names split exactly as the pattern of docs/spec.md §1 does", () => {
  const pattern = /^(\d{4}-\d{2}-\d{2})-([0-9A-Za-z]+)(?:-(.*))?\.py$/s;
  const names = [
    "2023-02-16-dd2b4a9499f2-vx_x_x.py",
    "2023-02-16-abc.py",
    "2023-02-16-abc-.py",
    "2023-02-16-.py",
    "2023-02-16-a.py",
    "2023-02-16-abc.py.py",
    "2023-02-16-ab.c-v1_0_0.py",
    "2023-02-16-abc-def-ghi.py",
    "2023-2-16-abc-v1_0_0.py",
    "2023-02-16_abc.py",
    "2023-02-16-abc-x\ny.py",
    "2023-02-16-abc-v1_0_0.pyc",
    "x2023-02-16-abc.py",
    "2023-02-16-ABC09-legacy.py",
    "2023-02-16-é-x.py",
  ];
  const pieces = ["2023", "-", "02", "16", "abc", "v1_0_0", "vx_x_x", ".py", ".", "_", "é", "9"];
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let k = 0; k < 5000; k++) {
    let name = next() < 0.5 ? "2023-02-16-" : "";
    for (let parts = 1 + Math.floor(next() * 5); parts > 0; parts--) name += pieces[Math.floor(next() * pieces.length)];
    names.push(name);
  }
  for (const name of names) {
    const m = pattern.exec(name);
    const p = parseScriptName(name);
    assert.deepEqual(
      [p.date, p.revision, p.slug],
      m ? [m[1], m[2], m[3] ?? null] : [null, null, null],
      JSON.stringify(name),
    );
  }
});
