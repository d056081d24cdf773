// Bundles the quick paths (src/commands/quick.ts, as tsc compiled it to dist/src/commands/quick.js) into one file,
// dist/bundle/quick/quick.js, which bin/migrakit.js loads first (see src/commands/quick.ts for why); and the full
// CLI (dist/src/cli.js with every command) into dist/bundle/cli/cli.js, which the bin loads for everything else
// (the hook past its quick exit, a check that runs Python): one file parsed instead of the resolution and
// loading of some 170 modules, a few hundred ms of every hook run that writes a script. Run by
// `npm run build`, `prepare` and `pretest` after tsc; esbuild is a dev dependency, used only here.
//   - A dynamic import of one of our modules that only the slow paths reach (the dynamic check, deploy)
//     stays a dynamic import of the compiled file in dist/src: the quick bundle does not carry it (SLOW). The
//     CLI bundle carries all of ours and the packages every run of it loads (commander, pg, proper-lockfile,
//     smol-toml): resolving and compiling them one CommonJS file at a time was a third of its load time. The
//     rest stay imports of their own (OWN_FILES: the Postgres SQL parser finds its .wasm next to itself,
//     semantic-release only the release command loads, optional drivers are looked up at run time).
//   - `import.meta.url` in a bundled module is rewritten to that module's own URL in dist/src, so the paths
//     it computes (package.json, python/) stay right.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const distSrc = join(root, "dist", "src");
// What only the slow paths reach through a dynamic import (Python, Postgres, git-heavy work): left out of
// the bundle. Every other dynamic import of ours (the result cache, the release journal) is bundled.
const SLOW = [/^bridge\//, /^db\//, /^deploy\//, /^generate\//, /^hook\//, /^checks\/dynamic\.js$/, /^cli\.js$/];

const toPosix = (p) => p.split(sep).join("/");

// Packages the CLI bundle leaves to node_modules (see the header): what only one command loads, what reads files
// next to its own, and optional native drivers that are not installed.
const OWN_FILES = ["libpg-query", "semantic-release", "pg-native", "pg-cloudflare"];

/** Packages stay imports of node_modules, but for those the CLI bundle carries (`external`: the OWN_FILES rule). */
const packagesOf = (external) => ({
  name: "migrakit-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("node:")) return undefined;
      const name = args.path.startsWith("@") ? args.path.split("/").slice(0, 2).join("/") : args.path.split("/")[0];
      return external(name) ? { path: args.path, external: true } : undefined;
    });
    // pg asks at load whether it runs in a Cloudflare Worker; on Node 20 (no `navigator`) by touching the global
    // Response, which loads Node's whole fetch implementation (undici): a tenth of every CLI run's start.
    // migrakit runs on Node only; the answer is no.
    b.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      const probe = "function isCloudflareRuntime() {";
      if (!text.includes(probe)) {
        console.warn(`bundle: ${args.path} has no isCloudflareRuntime() any more: the CLI may load undici again.`);
        return undefined;
      }
      return {
        contents: text.replace(probe, `${probe}\n  return false; // migrakit runs on Node (scripts/bundle.mjs)`),
        loader: "js",
      };
    });
  },
});

/** The plugin that keeps a bundle in `outdir` true to dist/src's layout; `slow`: dynamic imports left out. */
const layoutFor = (outdir, slow) => {
  const fromBundle = (abs) => {
    const rel = toPosix(relative(outdir, abs));
    return rel.startsWith(".") ? rel : `./${rel}`;
  };
  return {
    name: "migrakit-layout",
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== "dynamic-import") return undefined;
        const abs = resolve(args.resolveDir, args.path);
        if (!abs.startsWith(distSrc) || !slow.some((r) => r.test(toPosix(relative(distSrc, abs))))) return undefined;
        return { path: fromBundle(abs), external: true };
      });
      b.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(distSrc)) return undefined;
        const text = readFileSync(args.path, "utf8");
        if (!text.includes("import.meta.url")) return { contents: text, loader: "js" };
        const own = `new URL(${JSON.stringify(fromBundle(args.path))}, import.meta.url).href`;
        return { contents: text.replaceAll("import.meta.url", own), loader: "js", resolveDir: dirname(args.path) };
      });
    },
  };
};

// Node's built-ins through require(), not `import`: an ESM import of a built-in builds its module facade at once
// (for node:fs that reads every export, which loads fs's streams), and esbuild hoists every import of the bundle
// to its top, so node:crypto (the result cache's keys) would load on every `check --static`. Required, a
// built-in loads when the module that uses it first runs, as a lazily imported module does in the bundle.
const builtins = {
  name: "migrakit-builtins",
  setup(b) {
    // The require() inside the stand-in below is the real one (external); every other reference gets the stand-in.
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.namespace === "builtin" ? { path: args.path, external: true } : { path: args.path, namespace: "builtin" },
    );
    b.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
};

// Without esbuild (dev dependencies not installed yet) the build still works: the bin then loads the same
// modules unbundled. The quick paths' test (test/cli/quick-bundle.test.ts) says when the bundle is missing.
let build;
try {
  ({ build } = await import("esbuild"));
} catch {
  console.warn("bundle: esbuild is not installed (run `npm install`): the quick paths run unbundled.");
  process.exit(0);
}
/**
 * Dynamic `import(` expressions of a bundle's text, as positions of their `import` keyword: found by a parser
 * (TypeScript's, a dev dependency like esbuild), not by text, so an "import(" in a string or comment is left be.
 */
async function dynamicImports(text) {
  const ts = (await import("typescript")).default;
  const file = ts.createSourceFile("bundle.js", text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const at = [];
  const visit = (node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      at.push(node.expression.getStart(file));
    ts.forEachChild(node, visit);
  };
  visit(file);
  return at;
}

/**
 * Bundle `entry` (a file of dist/src) into `outdir` as one function expression (src/util/code-cache.ts loads it
 * with vm.Script, so that V8 can cache its compiled code: Node 20 caches no ES module's); its inputs listed in
 * inputs.txt there. Inside, `module.exports` gets the entry's exports, `require` is Node's for built-ins,
 * `__import` stands for `import()` (a vm.Script cannot import without an experimental flag: the loader's own
 * import() does it) and `__bundleUrl` for `import.meta.url`.
 */
async function bundle(entry, outdir, { slow = [], packagesExternal = () => false } = {}) {
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, entry.split("/").at(-1));
  const result = await build({
    entryPoints: [join(distSrc, ...entry.split("/"))],
    outfile,
    write: false,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    define: { "import.meta.url": "__bundleUrl" },
    plugins: [layoutFor(outdir, slow), builtins, packagesOf(packagesExternal)],
    metafile: true,
    logLevel: "warning",
    legalComments: "none",
  });
  let text = result.outputFiles[0].text;
  for (const at of (await dynamicImports(text)).reverse()) text = `${text.slice(0, at)}__import${text.slice(at + 6)}`;
  // esbuild's CommonJS output of ES modules starts with "use strict" (they are strict code) and sets module.exports.
  if (!text.startsWith('"use strict";')) throw new Error(`bundle: ${entry} is not strict code`);
  writeFileSync(outfile, `(function (module, require, __import, __bundleUrl) {${text}\n})\n`);
  const inputs = Object.keys(result.metafile.inputs);
  writeFileSync(join(outdir, "inputs.txt"), inputs.sort().join("\n") + "\n");
}

// The loader of the two (src/util/code-cache.ts), an ES module of one file that the bin imports.
await build({
  entryPoints: [join(distSrc, "util", "code-cache.js")],
  outfile: join(root, "dist", "bundle", "loader.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
  legalComments: "none",
});
await bundle("commands/quick.js", join(root, "dist", "bundle", "quick"), { slow: SLOW });
await bundle("cli.js", join(root, "dist", "bundle", "cli"), { packagesExternal: (name) => OWN_FILES.includes(name) });
