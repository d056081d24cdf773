#!/usr/bin/env node
const argv = process.argv.slice(2);
// A reader that stopped reading (`migrakit init | head`) is not a failure: end quietly, as other CLIs do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code !== "EPIPE") throw err;
    process.exit(process.exitCode ?? 0);
  });
}
// The pre-commit hook with nothing relevant staged ends in one small module, before the CLI is even loaded.
if (argv[0] === "hook" && argv[1] === "pre-commit" && argv.length === 2) {
  const { quickExit } = await import("../dist/src/hook/fast.js");
  process.exitCode = quickExit({ cwd: process.cwd(), env: process.env });
}
if (process.exitCode === undefined) {
  const { main } = await import("../dist/src/cli.js");
  const code = await main(argv);
  process.exitCode = code;
  // A helper process or a pool left open by mistake must not keep the command alive after its work is done.
  setTimeout(() => process.exit(code), 3000).unref();
}
