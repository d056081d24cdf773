#!/usr/bin/env node
// `npx release`: semantic-release with migrakit's default configuration (see dist/src/commands/release.js).
import { main } from "../dist/src/commands/release.js";

process.exitCode = await main(process.argv.slice(2));
