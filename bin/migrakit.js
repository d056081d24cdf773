#!/usr/bin/env node
import { statSync } from "node:fs";

const argv = process.argv.slice(2);
// The pre-commit hook with nothing relevant staged ends in one small module, before the CLI is even loaded.
if (argv[0] === "hook" && argv[1] === "pre-commit" && argv.length === 2) {
  const { quickExit } = await import("../dist/src/hook/fast.js");
  process.exitCode = quickExit({ cwd: process.cwd(), env: process.env });
}
// `check --static`, a check the result cache answers and `release-prepare`: one pre-bundled file
// (src/quick.ts; scripts/bundle.mjs makes it), or the same modules unbundled when a build skipped the bundle.
if (process.exitCode === undefined && (argv[0] === "check" || argv[0] === "release-prepare")) {
  const quick = await import(bundleIsFresh() ? "../dist/bundle/quick/quick.js" : "../dist/src/quick.js");
  process.exitCode = await quick.quickMain(argv, { env: process.env, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
}
if (process.exitCode === undefined) {
  const { main } = await import("../dist/src/cli.js");
  const code = await main(argv);
  process.exitCode = code;
  // A helper process or a pool left open by mistake must not keep the command alive after its work is done.
  setTimeout(() => process.exit(code), 3000).unref();
}

/** The bundle exists and no tsc build came after it (a `tsc -p .` alone leaves an older bundle behind). */
function bundleIsFresh() {
  const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
  const bundle = mtime("../dist/bundle/quick/quick.js");
  return bundle !== undefined && bundle >= (mtime("../dist/.tsbuildinfo") ?? 0);
}
