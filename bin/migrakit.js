#!/usr/bin/env node
const argv = process.argv.slice(2);
// The pre-commit hook with nothing relevant staged ends in one small module, before the CLI is even loaded.
if (argv[0] === "hook" && argv[1] === "pre-commit" && argv.length === 2) {
  const { quickExit } = await import("../dist/src/hook/fast.js");
  process.exitCode = quickExit({ cwd: process.cwd(), env: process.env });
}
if (process.exitCode === undefined) {
  const { main } = await import("../dist/src/cli.js");
  // No forced exit: every command closes what it opened (helper process, pools, servers), so the process
  // ends by itself once stdout is flushed; a handle left open is a bug that the tests see as a hang.
  process.exitCode = await main(argv);
}
