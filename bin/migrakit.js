#!/usr/bin/env node
import { main } from "../dist/src/cli.js";

const code = await main(process.argv.slice(2));
process.exitCode = code;
// A helper process or a pool left open by mistake must not keep the command alive after its work is done.
setTimeout(() => process.exit(code), 3000).unref();
