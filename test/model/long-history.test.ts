// A long real-looking history parses into one chain of released scripts with matching headers: the parsers
// handle the shapes lamin-era scripts have (long docstrings, batch ops, sqlite branches) at scale.
// Timing lives in bench/model-parse.ts, not here: timed tests fail on a loaded machine and prove nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { longHistory } from "../helpers/long-history.js";

test("1000 released scripts parse into one chain with matching headers and no syntax errors", () => {
  const n = 1000;
  const { revs, parse } = longHistory(n);
  const first = parse();
  assert.equal(first.graph.chain?.length, n);
  assert.ok(
    first.scripts.every(
      (s) => s.name.kind === "released" && s.source.header?.version === s.name.version && !s.source.syntaxError,
    ),
  );
  assert.equal(first.init.migration?.value, revs[n - 1]);
});
