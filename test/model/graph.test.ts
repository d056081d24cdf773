import { test } from "node:test";
import assert from "node:assert/strict";
import { buildGraph } from "../../src/model/graph.js";
import type { Script } from "../../src/model/types.js";

/** A script as the parsers would give it; revision, down_revision and branch_labels matter to the graph. */
function script(
  revision: string | null,
  down: string | string[] | null,
  path = `v/${revision}.py`,
  branchLabels: string[] = [],
): Script {
  const value = down === null ? [] : Array.isArray(down) ? down : [down];
  return {
    path,
    name: { file: path, date: null, revision, slug: null, kind: "legacy", version: null },
    source: {
      header: null,
      revision: revision === null ? null : { line: 1, start: 0, end: 0, value: revision, quote: '"' },
      downRevision: { line: 2, start: 0, end: 0, value, quote: null },
      branchLabels,
      dependsOn: [],
      syntaxError: null,
    },
  };
}

test("a linear chain", () => {
  const g = buildGraph([script("c", "b"), script("a", null), script("b", "a")]);
  assert.deepEqual(g.roots, ["a"]);
  assert.deepEqual(g.heads, ["c"]);
  assert.deepEqual(g.chain, ["a", "b", "c"]);
  assert.deepEqual([g.branchPoints, g.merges, g.cycles, g.missingParents], [[], [], [], []]);
  assert.equal(g.byRevision.get("b")?.[0]?.path, "v/b.py");
});

test("a single root script is a chain of one; no scripts is no chain", () => {
  assert.deepEqual(buildGraph([script("a", null)]).chain, ["a"]);
  const empty = buildGraph([]);
  assert.equal(empty.chain, null);
  assert.deepEqual([empty.roots, empty.heads], [[], []]);
});

test("two heads from a branch point", () => {
  const g = buildGraph([script("a", null), script("b", "a"), script("c", "a")]);
  assert.deepEqual(g.heads, ["b", "c"]);
  assert.deepEqual(g.branchPoints, ["a"]);
  assert.equal(g.chain, null);
});

test("two roots", () => {
  const g = buildGraph([script("a", null), script("b", "a"), script("x", null), script("y", "x")]);
  assert.deepEqual(g.roots, ["a", "x"]);
  assert.deepEqual(g.heads, ["b", "y"]);
  assert.equal(g.chain, null);
});

test("a merge", () => {
  const g = buildGraph([script("a", null), script("b", "a"), script("c", "a"), script("m", ["b", "c"])]);
  assert.deepEqual(g.merges, ["m"]);
  assert.deepEqual(g.branchPoints, ["a"]);
  assert.deepEqual(g.heads, ["m"]);
  assert.deepEqual(g.roots, ["a"]);
  assert.equal(g.chain, null);
});

test("a parent listed twice is one parent", () => {
  const g = buildGraph([script("a", null), script("b", ["a", "a"])]);
  assert.deepEqual(g.merges, []);
  assert.deepEqual(g.chain, ["a", "b"]);
});

test("cycles of one, two and three, each reported once", () => {
  assert.deepEqual(buildGraph([script("a", "a")]).cycles, [["a"]]);
  const two = buildGraph([script("a", "b"), script("b", "a")]);
  assert.deepEqual(two.cycles, [["a", "b"]]);
  assert.deepEqual([two.roots, two.heads, two.chain], [[], [], null]);
  const three = buildGraph([script("r", null), script("a", ["c"]), script("b", "a"), script("c", "b")]);
  assert.deepEqual(three.cycles, [["a", "b", "c"]]);
  assert.deepEqual(three.roots, ["r"]);
  assert.equal(three.chain, null);
  const both = buildGraph([script("x", "x"), script("a", "b"), script("b", "a"), script("z", null)]);
  assert.deepEqual(both.cycles, [["x"], ["a", "b"]]);
});

test("a cycle hanging off a chain", () => {
  // a ← b ← c, and c ← d ← e with b also naming e: a ring b → c → d → e → b fed from a.
  const g = buildGraph([
    script("a", null),
    script("b", ["a", "e"]),
    script("c", "b"),
    script("d", "c"),
    script("e", "d"),
  ]);
  assert.deepEqual(g.cycles, [["b", "c", "d", "e"]]);
  assert.deepEqual(g.merges, ["b"]);
});

test("duplicates keep every script and break the chain", () => {
  const first = script("a", null, "v/1.py");
  const second = script("a", null, "v/2.py");
  const g = buildGraph([first, script("b", "a"), second]);
  assert.deepEqual(
    g.byRevision.get("a")?.map((s) => s.path),
    ["v/1.py", "v/2.py"],
  );
  assert.equal(g.chain, null);
  assert.deepEqual(g.roots, ["a"]);
});

test("missing parents", () => {
  const g = buildGraph([
    script("a", null),
    script("b", "a"),
    script("c", ["gone", "gone"]),
    script("d", ["b", "lost"]),
  ]);
  assert.deepEqual(g.missingParents, [
    { revision: "c", parent: "gone" },
    { revision: "d", parent: "lost" },
  ]);
  assert.deepEqual(g.merges, ["d"]);
  assert.deepEqual(g.roots, ["a"]);
  assert.deepEqual(g.heads, ["c", "d"]);
  assert.equal(g.chain, null);
});

test("scripts without a revision are left out", () => {
  const g = buildGraph([script("a", null), script(null, "a"), script("b", "a")]);
  assert.deepEqual(g.chain, ["a", "b"]);
  assert.equal(g.byRevision.size, 2);
});

test("5000 scripts in a chain, shuffled, make one chain in order", () => {
  const n = 5000;
  const revs = Array.from({ length: n }, (_, i) => i.toString(16).padStart(12, "0"));
  const scripts = revs.map((r, i) => script(r, i === 0 ? null : revs[i - 1]!));
  // Shuffle deterministically so the graph cannot rely on input order.
  for (let i = n - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [scripts[i], scripts[j]] = [scripts[j]!, scripts[i]!];
  }
  // Its speed is measured in bench/model-parse.ts: a timed assert fails on a loaded machine and proves nothing.
  assert.deepEqual(buildGraph(scripts).chain, revs);
  // A 5000-long ring must not overflow the stack either.
  const ring = revs.map((r, i) => script(r, revs[(i + n - 1) % n]!));
  assert.equal(buildGraph(ring).cycles[0]?.length, n);
});

test("each head's branch labels: its own and those below it up to the branch point (alembic's multi-branch setup)", () => {
  // a ─┬─ b (default) ─ c
  //    └─ d (audit)
  const g = buildGraph([
    script("a", null, "v/a.py", ["shared"]),
    script("b", "a", "v/b.py", ["default"]),
    script("c", "b"),
    script("d", "a", "v/d.py", ["audit"]),
  ]);
  assert.deepEqual(g.heads, ["c", "d"]);
  assert.deepEqual(Object.fromEntries(g.headLabels), { c: ["default"], d: ["audit"] });
  // Without labels on the branches, a label below the branch point names no head.
  const unlabelled = buildGraph([script("a", null, "v/a.py", ["shared"]), script("b", "a"), script("c", "a")]);
  assert.deepEqual(Object.fromEntries(unlabelled.headLabels), { b: [], c: [] });
});
