// bench/static-check: `migrakit check --static` on a generated repo of 1000 scripts, beside `node -e 0` and
// beside `alembic heads` on the same folder (cold and warm bytecode cache) when a Python with alembic exists.
// Target (issue 15): ≤ 1.5× `node -e 0`. Run: npx tsc -p . && node dist/bench/static-check.js
import { spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { printTable, timeCommand, type Timing } from "./measure.js";
import { benchEnv, releasedRepo } from "./released-repo.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(root, "bin/migrakit.js");
const n = Number(process.argv[2] ?? 1000);
// 5 unreleased scripts on top of the release tag v0.<n-5>.0, as in a repo between two releases.
const repo = releasedRepo(n, 5);
const { env, cleanup } = await benchEnv();
try {
  // The rule "released scripts never change" must have run (a warning that it could not would time the wrong
  // thing). This first run also writes the scripts' parse memo that the timed runs read.
  const once = spawnSync(process.execPath, [bin, "check", "--static"], { cwd: repo.dir, env, encoding: "utf8" });
  if (once.status !== 0 || !`${once.stdout}${once.stderr}`.includes("no problems found"))
    throw new Error(`the bench repo does not pass cleanly:\n${once.stdout}${once.stderr}`);
  const node = timeCommand("node -e 0", process.execPath, ["-e", "0"], { runs: 11 });
  const check = timeCommand(`migrakit check --static (${n} scripts)`, process.execPath, [bin, "check", "--static"], {
    cwd: repo.dir,
    env,
    runs: 11,
  });
  const parsed = timeCommand(
    "  the same, every script parsed (no memo)",
    process.execPath,
    [bin, "check", "--static"],
    {
      cwd: repo.dir,
      env: { ...env, MIGRAKIT_NO_CACHE: "1" },
      runs: 11,
    },
  );
  const rows: Timing[] = [node, check, parsed];
  const python = process.env.MIGRAKIT_PYTHON ?? join(root, ".venvs/current/bin/python");
  if (existsSync(python)) {
    writeFileSync(join(repo.dir, "alembic.ini"), `[alembic]\nscript_location = ${repo.pkg}/migrations\n`);
    const pycache = join(repo.dir, repo.pkg, "migrations/versions/__pycache__");
    const args = ["-m", "alembic", "heads"];
    rows.push(
      timeCommand(`alembic heads, cold bytecode cache`, python, args, {
        cwd: repo.dir,
        runs: 5,
        before: () => rmSync(pycache, { recursive: true, force: true }),
      }),
    );
    rows.push(timeCommand(`alembic heads, warm bytecode cache`, python, args, { cwd: repo.dir, runs: 7 }));
  } else {
    console.log(`(no ${python}: run scripts/python-envs.sh to compare with alembic heads)`);
  }
  printTable(rows, node);
  const ratio = check.medianMs / node.medianMs;
  // On a shared machine the wall time mostly measures the neighbours: the ratio is the figure.
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")} on ${cpus().length} cores`,
  );
  console.log(
    `target (issue 15) ≤ 1.5x node -e 0: ${ratio <= 1.5 ? "met" : "NOT met"} (${(check.medianMs / 1000).toFixed(3)} s, ${ratio.toFixed(2)}x)`,
  );
} finally {
  repo.cleanup();
  cleanup();
}
