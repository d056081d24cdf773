// `npm install`'s prepare step: build dist/ (tsc, then the quick bundle) when it is missing. It must also
// work where the dev dependencies are not installed (a git install for the pre-commit framework, where
// dist/ is already there): then it builds only what it can and says so, and the bin uses the unbundled files.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const has = (name) => {
  try {
    require.resolve(name, { paths: [root] });
    return true;
  } catch {
    return false;
  }
};
const run = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: "inherit" });

if (!existsSync(new URL("../dist/src/cli.js", import.meta.url))) {
  if (!has("typescript")) {
    console.error("migrakit prepare: dist/ is missing and typescript is not installed: run `npm install` with dev dependencies, then `npm run build`.");
    process.exit(1);
  }
  run([require.resolve("typescript/bin/tsc", { paths: [root] }), "-p", "."]);
}
if (has("esbuild")) run(["scripts/bundle.mjs"]);
else console.error("migrakit prepare: esbuild is not installed: the quick paths run unbundled (a little slower).");
