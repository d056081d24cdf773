// A test-only entry point: `node faulty-bin.js <error|kill>:<n> <migrakit|release> [args…]` injects a fault after
// the n-th file operation of the release apply, then runs the real bin in this very process. The shipped bins
// have no such switch; the crash stays real (the process SIGKILLs itself mid-release).
import { fileURLToPath, pathToFileURL } from "node:url";
import { injectedFault } from "../../src/release/files.js";

export const FAULTY_BIN = fileURLToPath(import.meta.url);

const [spec, which, ...args] = process.argv.slice(2);
const m = /^(error|kill):(\d+)$/.exec(spec ?? "");
if (!m || (which !== "migrakit" && which !== "release")) {
  process.stderr.write("usage: faulty-bin <error|kill>:<n> <migrakit|release> [args…]\n");
  process.exit(64);
}
injectedFault.fault = { kind: m[1] as "error" | "kill", afterOps: Number(m[2]) };
const bin = fileURLToPath(new URL(`../../../bin/${which}.js`, import.meta.url));
process.argv = [process.argv[0]!, bin, ...args];
await import(pathToFileURL(bin).href);
