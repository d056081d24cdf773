// The layering rule of ARCHITECTURE.md, enforced: every import points down the table below (never to the
// same layer in another folder, never up), and no file imports itself back through a cycle. Type-only
// imports load nothing and are exempt, as in TypeScript's own emit. Covers src/, release-plugins/ and the
// Python bridge. A new folder or bridge module fails here until it is given its layer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { REPO_ROOT } from "../helpers/python.js";

/** Bottom (0) to top. Folders of src/ by name; "src" is src/cli.ts and src/index.ts. */
export const TS_LAYERS: Record<string, number> = {
  util: 0,
  errors: 1,
  model: 2,
  config: 3,
  output: 4,
  db: 4,
  bridge: 4,
  lint: 4,
  checks: 5,
  init: 5,
  release: 6,
  generate: 6,
  deploy: 6,
  hook: 7,
  commands: 8,
  "release-plugins": 8,
  src: 9,
};

/** The bridge's modules, bottom to top (python/migrakit_bridge/*.py). */
export const PY_LAYERS: Record<string, number> = {
  quoting: -1, // below every renderer that spells a name (renames, enums, backfill sit at 0)
  __init__: 0,
  urls: 0,
  guard: 0,
  package: 0,
  diffs: 0,
  render: 0,
  ordering: 0,
  backfill: 0,
  enums: 0,
  lengths: 0,
  sequences: 0,
  stop: 0,
  frames: 0,
  bytecode: 0,
  versions: 1,
  instance: 1,
  environment: 1,
  renames: 1,
  recording: 1,
  schema: 2,
  commands: 3,
  deploy: 3,
  generate: 3,
  methods: 4,
  server: 5,
  worker: 6,
  __main__: 6,
};

function walk(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path, ext));
    else if (name.endsWith(ext) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const TS_IMPORT =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^;"']*?from\s*)?["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;

export function tsEdges(root: string): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const top of ["src", "release-plugins"]) {
    for (const abs of walk(join(root, top), ".ts")) {
      const file = relative(root, abs);
      const targets = new Set<string>();
      for (const m of readFileSync(abs, "utf8").matchAll(TS_IMPORT)) {
        if (m[2]) continue; // `import type` / `export type`: erased at build time
        const spec = m[3] ?? m[4];
        targets.add(normalize(join(dirname(file), spec)).replace(/\.js$/, ".ts"));
      }
      edges.set(file, targets);
    }
  }
  return edges;
}

const PY_IMPORT = /^\s*from\s+\.(\w*)\s+import\s+([\w, ()]+)|^\s*(?:from|import)\s+migrakit_bridge\.(\w+)/gm;

export function pyEdges(root: string): Map<string, Set<string>> {
  const dir = join(root, "python", "migrakit_bridge");
  const modules = new Set(
    readdirSync(dir)
      .filter((f) => f.endsWith(".py"))
      .map((f) => f.slice(0, -3)),
  );
  const edges = new Map<string, Set<string>>();
  for (const mod of modules) {
    const targets = new Set<string>();
    for (const m of readFileSync(join(dir, `${mod}.py`), "utf8").matchAll(PY_IMPORT)) {
      const names = m[1]
        ? [m[1]]
        : m[3]
          ? [m[3]]
          : m[2]
              .replace(/[()]/g, "")
              .split(",")
              .map((n) => n.trim());
      for (const n of names) if (modules.has(n) && n !== mod) targets.add(n);
      if (m[1] === "" && !names.some((n) => modules.has(n))) targets.add("__init__");
    }
    edges.set(mod, targets);
  }
  return edges;
}

/** Strongly connected components of more than one node (Tarjan). */
export function cycles(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

export const tsLayerOf = (file: string): string => {
  const parts = file.split(/[\\/]/);
  if (parts[0] === "release-plugins") return "release-plugins";
  return parts.length > 2 ? parts[1] : "src";
};

test("every TypeScript import points down the layers, and there is no cycle", () => {
  const edges = tsEdges(REPO_ROOT);
  const wrong: string[] = [];
  for (const [from, targets] of edges) {
    const a = tsLayerOf(from);
    assert.ok(
      a in TS_LAYERS,
      `${from}: folder "${a}" has no layer in test/architecture/layering.test.ts (and ARCHITECTURE.md)`,
    );
    for (const to of targets) {
      const b = tsLayerOf(to);
      if (a === b) continue;
      if (!(TS_LAYERS[a] > TS_LAYERS[b]))
        wrong.push(`${from} (${a}, layer ${TS_LAYERS[a]}) imports ${to} (${b}, layer ${TS_LAYERS[b]})`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.deepEqual(cycles(edges), []);
});

test("every bridge module imports only modules below it, and there is no cycle", () => {
  const edges = pyEdges(REPO_ROOT);
  const wrong: string[] = [];
  for (const [from, targets] of edges) {
    assert.ok(
      from in PY_LAYERS,
      `python/migrakit_bridge/${from}.py has no layer in test/architecture/layering.test.ts`,
    );
    for (const to of targets)
      if (!(PY_LAYERS[from] > PY_LAYERS[to]))
        wrong.push(`${from}.py (layer ${PY_LAYERS[from]}) imports ${to}.py (layer ${PY_LAYERS[to]})`);
  }
  assert.deepEqual(wrong, []);
  assert.deepEqual(cycles(edges), []);
});

test("the checker sees a cycle and an upward import when there is one", () => {
  const edges = new Map([
    ["a", new Set(["b"])],
    ["b", new Set(["a"])],
    ["c", new Set<string>()],
  ]);
  assert.deepEqual(cycles(edges), [["a", "b"]]);
  assert.equal(tsLayerOf("src/commands/check.ts"), "commands");
  assert.equal(tsLayerOf("src/cli.ts"), "src");
  assert.ok(TS_LAYERS[tsLayerOf("src/model/repo.ts")] < TS_LAYERS[tsLayerOf("src/commands/check.ts")]);
});
