import { test } from "node:test";
import assert from "node:assert/strict";
import {
  comparePep440,
  isCanonicalPep440,
  normalizePep440,
  parsePep440,
  parsePep440Pattern,
} from "../../src/model/pep440.js";

test("normalises the lenient spellings PEP 440 allows", () => {
  const cases: [string, string | null][] = [
    ["1.0.0", "1.0.0"],
    ["v1.0", "1.0"],
    ["1.0-RC.1", "1.0rc1"],
    ["1.0c1", "1.0rc1"],
    ["1.0preview2", "1.0rc2"],
    ["1.0alpha", "1.0a0"],
    ["1.0.beta.3", "1.0b3"],
    ["1.0-1", "1.0.post1"],
    ["1.0-r2", "1.0.post2"],
    ["1.0rev", "1.0.post0"],
    ["1.0.dev", "1.0.dev0"],
    ["1.2.0_dev1", "1.2.0.dev1"],
    ["01.002", "1.2"],
    ["1!2.0", "1!2.0"],
    ["0!2.0", "2.0"],
    ["1.0+Ubuntu-1", "1.0+ubuntu.1"],
    ["1.0+abc.007", "1.0+abc.7"],
    [" 1.0 ", "1.0"],
    ["1.0a1.post2.dev3", "1.0a1.post2.dev3"],
    ["", null],
    ["x.y", null],
    ["1.0+", null],
    ["1..0", null],
    ["1.0-", null],
    ["vX.X.X", null],
    ["99999999999999999999", null],
  ];
  for (const [input, expected] of cases) assert.equal(normalizePep440(input), expected, input);
});

test("parses every part", () => {
  assert.deepEqual(parsePep440("2!1.2.3rc4.post5.dev6+local.7"), {
    epoch: 2,
    release: [1, 2, 3],
    pre: { label: "rc", number: 4 },
    post: 5,
    dev: 6,
    local: ["local", 7],
  });
});

test("canonical means already normalised", () => {
  for (const v of ["1.0.0", "0.30rc3", "1.2.0.dev1", "1!1.0", "1.0.post1", "1.0+abc.1"])
    assert.ok(isCanonicalPep440(v), v);
  for (const v of ["v1.0", "1.0-rc1", "1.0.rc1", "1.0RC1", "01.0", "1.0-1", "nope"])
    assert.ok(!isCanonicalPep440(v), v);
});

test("orders as pip does", () => {
  const ascending = [
    "0.9",
    "1.0.dev1",
    "1.0a1.dev1",
    "1.0a1",
    "1.0a1.post1",
    "1.0a2",
    "1.0b1",
    "1.0rc1",
    "1.0",
    "1.0+abc",
    "1.0+abc.2",
    "1.0+1",
    "1.0.post1.dev1",
    "1.0.post1",
    "1.0.1",
    "1.1.dev1",
    "1.10",
    "2.0",
    "1!0.1",
  ];
  for (let i = 0; i < ascending.length; i++) {
    for (let j = 0; j < ascending.length; j++) {
      const a = ascending[i]!;
      const b = ascending[j]!;
      assert.equal(Math.sign(comparePep440(a, b)), Math.sign(i - j), `${a} vs ${b}`);
    }
  }
});

test("equal releases with different spellings compare equal", () => {
  assert.equal(comparePep440("1.0", "1.0.0"), 0);
  assert.equal(comparePep440("1.0-RC1", "1.0rc1"), 0);
  assert.equal(comparePep440("v2", "2.0.0.0"), 0);
});

test("text that is not a version sorts first and never throws", () => {
  assert.ok(comparePep440("garbage", "0.0.1") < 0);
  assert.ok(comparePep440("0.0.1", "garbage") > 0);
  assert.equal(comparePep440("b", "b"), 0);
});

test("the hand-written reading of canonical spellings agrees with packaging's pattern", () => {
  const versions = [
    "0",
    "1.0",
    "0.26.2",
    "0.30rc3",
    "1.0a1",
    "1.0b2",
    "2.0rc10",
    "1.0.post1",
    "1.0.dev3",
    "1.0a1.post2.dev3",
    "01.002",
    "1.0rc1.dev0",
    "999999999999999.1",
    "9999999999999999",
    "1.",
    "1..0",
    "1.0a",
    "1.0r1",
    "1.0alpha1",
    "1.0.post",
    "1.0-1",
    "v1.0",
    " 1.0",
    "1.0 ",
    "1.0RC1",
    "1.0+local.7",
    "1!2.0",
    "1.0.dev",
    "1.0c1",
    "1.0pre2",
    "1.0a1a2",
    "1.0.post1.post2",
    "",
    "a",
    "1_0",
    "1.0-dev",
  ];
  const pieces = [
    "0",
    "1",
    "9",
    "12",
    ".",
    "a",
    "b",
    "rc",
    ".post",
    ".dev",
    "post",
    "dev",
    "-",
    "_",
    "+",
    "!",
    "v",
    " ",
    "x",
  ];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let k = 0; k < 5000; k++) {
    let v = "";
    for (let parts = 1 + Math.floor(next() * 6); parts > 0; parts--) v += pieces[Math.floor(next() * pieces.length)];
    versions.push(v);
  }
  for (const v of versions) assert.deepEqual(parsePep440(v), parsePep440Pattern(v), JSON.stringify(v));
});

test("parsed versions are shared between callers, so they cannot be changed", () => {
  const p = parsePep440("1.2.3")!;
  assert.equal(parsePep440("1.2.3"), p);
  assert.throws(() => (p.release as number[]).push(4));
  assert.equal(normalizePep440("1.2.3"), "1.2.3");
});
