#!/usr/bin/env node
// node:fs as the built-in itself where Node has process.getBuiltinModule (20.16+): an ESM import of it builds
// its module facade first, which reads every export and so loads fs's streams (a few ms on every quick path).
const { statSync } = process.getBuiltinModule?.("node:fs") ?? (await import("node:fs"));

const argv = process.argv.slice(2);
// The pre-commit hook with nothing relevant staged ends in one small module, before the CLI is even loaded.
if (argv[0] === "hook" && argv[1] === "pre-commit" && argv.length === 2) {
  const { quickExit } = await import("../dist/src/hook/fast.js");
  process.exitCode = quickExit({ cwd: process.cwd(), env: process.env });
}
// Output that cannot be written (`--json > /dev/full`) would otherwise end the run in an unhandled 'error'
// event with a stack trace: the run finishes its work (and its clean-up), then says so and exits 3. A reader
// that stopped reading (`migrakit init | head`) is not a failure: end quietly, as other CLIs do. Not before
// the hook's quick exit, which prints nothing: process.stdout is made on first use, and making it loads
// node's stream modules (a tenth of that path's time).
let outputFailure;
if (process.exitCode === undefined)
  for (const [name, stream] of [
    ["stdout", process.stdout],
    ["stderr", process.stderr],
  ]) {
    stream.on("error", (err) => {
      if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
      outputFailure ??= { stream: name, reason: err.code ?? err.message };
    });
  }
// `check --static`, a check the result cache answers and `release-prepare`: one pre-bundled file
// (src/commands/quick.ts; scripts/bundle.mjs makes it), or the same modules unbundled when a build skipped the bundle.
const loaded = [];
if (process.exitCode === undefined && (argv[0] === "check" || argv[0] === "release-prepare")) {
  const quick = await load("quick/quick.js", "../dist/src/commands/quick.js");
  process.exitCode = await quick.quickMain(argv, {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
  });
}
if (process.exitCode === undefined) {
  // The whole CLI bundled into one file (scripts/bundle.mjs): a hook run that writes a script, a check that
  // runs Python, load it instead of some 170 modules. A separate bundle from the quick one: no object of the
  // quick bundle reaches this point (quickMain answered nothing, or answered and we are not here).
  const { main } = await load("cli/cli.js", "../dist/src/cli.js");
  // No forced exit: every command closes what it opened (helper process, pools, servers), so the process
  // ends by itself once stdout is flushed; a handle left open is a bug that the tests see as a hang.
  process.exitCode = await main(argv);
}
// The bundles' code cache, when this run had none (src/util/code-cache.ts): written after the run, never failing it.
for (const bundle of loaded) bundle.save();
// Writes to a file fail at once, to a pipe a moment later: let pending ones report before deciding.
await new Promise((resolve) => setImmediate(resolve));
if (outputFailure) {
  const { MigrakitError } = await import("../dist/src/errors/index.js");
  const e = new MigrakitError("EMIGRAKIT_OUTPUT_FAILED", outputFailure);
  if (outputFailure.stream !== "stderr") process.stderr.write(`error ${e.code}: ${e.message}\n  fix: ${e.fix}\n`);
  process.exitCode = e.exitCode;
}

/**
 * The exports of a bundle (loaded with V8's code cache by dist/bundle/loader.js), or of the same module unbundled
 * when a build skipped the bundles.
 */
async function load(file, unbundled) {
  if (!bundleIsFresh(file) || !bundleIsFresh("loader.js")) return import(unbundled);
  const { loadBundle } = await import("../dist/bundle/loader.js");
  const bundle = loadBundle(new URL(`../dist/bundle/${file}`, import.meta.url), process.env);
  loaded.push(bundle);
  return bundle.exports;
}

/** The bundle exists and no tsc build came after it (a `tsc -p .` alone leaves an older bundle behind). */
function bundleIsFresh(file) {
  const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
  const bundle = mtime(`../dist/bundle/${file}`);
  return bundle !== undefined && bundle >= (mtime("../dist/.tsbuildinfo") ?? 0);
}
