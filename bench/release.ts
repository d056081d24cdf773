// bench/release: the release step (`migrakit release-prepare --version 1.0.0`: load, static check, plan,
// journaled apply) on a generated repo of 1000 scripts with 5 unreleased ones, beside `node -e 0`; plus the
// in-process plan and apply alone. Target (issue 15): ≤ 2× `node -e 0`. Run: npx tsc -p . && node dist/bench/release.js [n]
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { applyReleasePlan } from "../src/release/apply.js";
import { loadRelease, makePlan, releaseFindings } from "../src/release/load.js";
import { printTable, timeCommand, type Timing } from "./measure.js";
import { benchEnv, releasedRepo } from "./released-repo.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(root, "bin/migrakit.js");
const n = Number(process.argv[2] ?? 1000);
const unreleased = 5;
const repo = releasedRepo(n, unreleased);
const { env, cleanup } = await benchEnv();
const reset = () => {
  repo.git("checkout", "-q", "--", ".");
  repo.git("clean", "-fdq");
};
try {
  const node = timeCommand("node -e 0", process.execPath, ["-e", "0"], { runs: 11 });
  const cli = timeCommand(
    `migrakit release-prepare (${n} scripts, ${unreleased} unreleased)`,
    process.execPath,
    [bin, "release-prepare", "--version", "1.0.0"],
    {
      cwd: repo.dir,
      env,
      runs: 11,
      before: reset,
    },
  );
  const parsed = timeCommand(
    "  the same, every script parsed (no memo)",
    process.execPath,
    [bin, "release-prepare", "--version", "1.0.0"],
    { cwd: repo.dir, env: { ...env, MIGRAKIT_NO_CACHE: "1" }, runs: 11, before: reset },
  );
  // In-process: load + check + plan, then apply, each timed on its own.
  const inProcess: { load: number; apply: number }[] = [];
  for (let i = 0; i < 11; i++) {
    reset();
    const t0 = process.hrtime.bigint();
    const inputs = { cwd: repo.dir, env };
    const loaded = await loadRelease(inputs);
    if ((await releaseFindings(loaded, env)).length) throw new Error("the generated repo fails the static check");
    const plan = await makePlan(loaded, inputs, "1.0.0");
    const t1 = process.hrtime.bigint();
    const result = await applyReleasePlan(plan, inputs);
    const t2 = process.hrtime.bigint();
    if (result.changed.length !== 1 + 2 * unreleased)
      throw new Error(`expected ${1 + 2 * unreleased} changed paths, got ${result.changed.length}`);
    inProcess.push({ load: Number(t1 - t0) / 1e6, apply: Number(t2 - t1) / 1e6 });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rows: Timing[] = [
    node,
    cli,
    parsed,
    { label: "  in process: load + static check + plan", medianMs: median(inProcess.map((r) => r.load)), runs: [] },
    {
      label: "  in process: journaled apply (11 files, fsynced)",
      medianMs: median(inProcess.map((r) => r.apply)),
      runs: [],
    },
  ];
  printTable(rows, node);
  const best = Math.min(...cli.runs);
  // On a shared machine the wall time mostly measures the neighbours: print the load beside the figures.
  console.log(
    `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores; fastest release-prepare run ${(best / 1000).toFixed(3)} s`,
  );
  const ratio = cli.medianMs / node.medianMs;
  console.log(
    `target (issue 15) ≤ 2x node -e 0: ${ratio <= 2 ? "met" : "NOT met"} (median ${(cli.medianMs / 1000).toFixed(3)} s, ${ratio.toFixed(2)}x node -e 0)`,
  );
} finally {
  repo.cleanup();
  cleanup();
}
