// bench/model-parse: the pure part of a static check (names, sources, graph, __init__) over 1000 scripts,
// beside a pass that only reads every character of the same text (how fast this machine is right now).
// Run: npx tsc -p . && node dist/bench/model-parse.js
import { longHistory } from "../test/helpers/long-history.js";

// `--tokenizer-only`: the same without the regex fast scanner (script-scan.ts), to see what it buys. Run both:
// each must be a fresh process, since the first (cold) run is what a CLI run pays.
const tokenizerOnly = process.argv.includes("--tokenizer-only");
const { files, parse: run } = longHistory(1000, { tokenizerOnly });

// The first run is what `migrakit check --static` pays: a fresh process, nothing compiled or optimised yet.
const c0 = performance.now();
run();
const cold = performance.now() - c0;
for (let k = 0; k < 2; k++) run(); // let V8 optimise, as a long CI job would
let best = Infinity;
let yardstick = Infinity;
for (let k = 0; k < 7; k++) {
  const t0 = performance.now();
  run();
  best = Math.min(best, performance.now() - t0);
  const t1 = performance.now();
  let sum = 0;
  for (const f of files) for (let i = 0; i < f.text.length; i++) sum += f.text.charCodeAt(i);
  yardstick = Math.min(yardstick, performance.now() - t1);
  if (sum === 0) throw new Error("empty fixture");
}
const mb = files.reduce((a, f) => a + f.text.length, 0) / 1e6;
console.log(
  `${tokenizerOnly ? "tokenizer only" : "fast scanner + tokenizer"}: parse 1000 scripts (${mb.toFixed(2)} MB): first run ${cold.toFixed(1)} ms; best of 7 ${best.toFixed(1)} ms; reading every character: ${yardstick.toFixed(1)} ms (${(best / yardstick).toFixed(1)}x)`,
);
