// `npm run prepare`: builds dist/ for a git install. npm runs `prepare` when it installs migrakit from git
// (pre-commit's `language: node` does `npm install -g git+file://…`), but there it installs no dev
// dependencies, so `tsc` is missing (issue 17). With a local TypeScript (a development clone after `npm ci`)
// this is the usual `tsc -p .`; without one it runs the TypeScript version pinned in devDependencies through
// `npm exec` (fetched from the registry like every other dependency) on tsconfig.install.json, which builds
// only what the package runs and needs no @types. Then the quick paths' bundle, when esbuild is there.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const root = new URL("..", import.meta.url);
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.error) throw r.error;
  return r.status ?? 1;
};

let localTsc = null;
try {
  localTsc = createRequire(new URL("package.json", root)).resolve("typescript/bin/tsc");
} catch {
  localTsc = null;
}
let status;
if (localTsc) status = run(process.execPath, [localTsc, "-p", "."]);
else {
  const pinned = JSON.parse(readFileSync(new URL("package.json", root), "utf8")).devDependencies.typescript.replace(
    /^[\^~]/,
    "",
  );
  // npm_execpath: the npm that runs this script (the one on PATH may be another, or none).
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ["npm"];
  status = run(npm[0], [
    ...npm.slice(1),
    "exec",
    "--yes",
    `--package=typescript@${pinned}`,
    "--",
    "tsc",
    "-p",
    "tsconfig.install.json",
  ]);
}
// The quick paths' bundle (scripts/bundle.mjs) needs esbuild, a dev dependency: without it the bin runs
// the same modules unbundled, a little slower.
if (status === 0) {
  let esbuild = false;
  try {
    createRequire(new URL("package.json", root)).resolve("esbuild");
    esbuild = true;
  } catch {
    esbuild = false;
  }
  if (esbuild) status = run(process.execPath, [new URL("bundle.mjs", import.meta.url).pathname]);
}
process.exit(status);
