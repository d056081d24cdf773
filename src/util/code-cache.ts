// Loads one of our bundles (scripts/bundle.mjs: a function expression) with V8's code cache, which Node 20 keeps
// for no ES module: the compiled code of the bundle's previous run is read from the cache folder instead of
// parsing and compiling the bundle again (the CLI bundle is a megabyte). bin/migrakit.js loads this module
// (itself bundled, dist/bundle/loader.js) before the quick paths and the CLI.
//
// The cache is only ever an optimisation, as the parse memo (src/util/file-memo.ts), and off where it is
// (CI, MIGRAKIT_NO_CACHE=1): a cache file of another bundle, Node or machine, or a truncated or damaged one, is
// not given to V8 (its header names the bundle file's identity, the Node version and architecture, and the
// payload's length and checksum: V8 itself checks no checksum in release builds); V8 may still refuse what it
// is given (other flags). Either way this run compiles the bundle as if there were no cache, and writes it.
// Unlike the memo's data, this is code: a file or folder another user owns or may write is not used either.
import { createRequire } from "node:module";
import { memoDir } from "./cache-dir.js";
import { nameHash } from "./name-hash.js";

// The built-ins as themselves where Node has process.getBuiltinModule (20.16+), as src/hook/fast.ts takes them:
// this runs before every quick path, and an ESM import of a built-in first builds its module facade.
const own = process as { getBuiltinModule?: (id: string) => unknown };
const builtin = own.getBuiltinModule ? (id: string) => own.getBuiltinModule!(id) : createRequire(import.meta.url);
const fs = builtin("node:fs") as typeof import("node:fs");
const path = builtin("node:path") as typeof import("node:path");
const vm = builtin("node:vm") as typeof import("node:vm");
const { fileURLToPath } = builtin("node:url") as typeof import("node:url");

/** Bumped when the cache file's layout changes. */
const FORMAT = "migrakit-code-cache 1";

export interface LoadedBundle<T> {
  exports: T;
  /** Write the code cache when there was none or V8 refused it (after the run: it then holds what the run compiled). Never throws. */
  save(): void;
}

// FNV-1a over 32-bit words, as 92 bytes of WebAssembly: `s(n)` hashes the first n bytes (n a multiple of 4) of its
// exported memory `m`. A megabyte in about a millisecond, where the same loop in JavaScript, run once and so
// never optimised, takes several (and node:crypto takes as long to load).
const FNV_WASM =
  "AGFzbQEAAAABBgFgAX8BfwMCAQAFAwEAAQcJAgFtAgABcwAACjYBNAECf0HFu/KIeCECAkADQCABIABPDQEgAiABKAIAc0GTg4AIbCECIAFBBGohAQwACwsgAgs=";

interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
  ) => { exports: { m: { buffer: ArrayBuffer; grow(pages: number): number }; s: (n: number) => number } };
}

/** FNV-1a over the payload's 32-bit words (little-endian), then its last bytes: a damaged cache file is not handed to V8. */
export function checksum(bytes: Uint8Array): string {
  const whole = bytes.length - (bytes.length % 4);
  let h = 0x811c9dc5;
  // No WebAssembly under --jitless: the loop below. (Typed here: the compiler's lib has no WebAssembly.)
  const wa = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
  if (wa !== undefined) {
    const wasm = new wa.Instance(new wa.Module(Buffer.from(FNV_WASM, "base64"))).exports;
    const pages = Math.ceil(whole / 65536) - wasm.m.buffer.byteLength / 65536;
    if (pages > 0) wasm.m.grow(pages);
    new Uint8Array(wasm.m.buffer).set(bytes.subarray(0, whole));
    h = wasm.s(whole) >>> 0;
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < whole; i += 4) h = Math.imul(h ^ view.getUint32(i, true), 0x01000193) >>> 0;
  }
  for (let i = whole; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** The cache file of `file` under the cache folder (one per bundle path: two checkouts do not take turns). */
function cachePathOf(dir: string, file: string): string {
  return path.join(dir, "code-cache", `${path.basename(file, ".js")}-${nameHash(file)}.v8`);
}

/**
 * Compiled code runs as this user: a cache file (or its folder) that another user owns or may write is not
 * used, as a script there would not be (the folder is made 0700, the file 0600).
 */
function ownedAlone(s: { uid: number; mode: number }): boolean {
  return (process.getuid === undefined || s.uid === process.getuid()) && (s.mode & 0o022) === 0;
}

/** The payload of a cache file when its header is the one `identity` expects, else undefined. */
export function readCacheFile(bytes: Buffer, identity: string): Buffer | undefined {
  const nl = bytes.indexOf(10);
  if (nl < 0) return undefined;
  const payload = bytes.subarray(nl + 1);
  const header = bytes.toString("latin1", 0, nl);
  return header === `${FORMAT} ${identity} ${payload.length} ${checksum(payload)}` ? payload : undefined;
}

/** The bytes of a cache file: header line, then V8's data. */
export function cacheFileBytes(data: Buffer, identity: string): Buffer {
  return Buffer.concat([Buffer.from(`${FORMAT} ${identity} ${data.length} ${checksum(data)}\n`, "latin1"), data]);
}

/** Run the bundle at `url` (a file: URL) and return its exports, with the code cache where there is one. */
export function loadBundle<T>(url: URL, env: NodeJS.ProcessEnv): LoadedBundle<T> {
  const file = fileURLToPath(url);
  const source = fs.readFileSync(file, "utf8");
  const dir = memoDir(env);
  let cachePath: string | undefined;
  let identity = "";
  let cachedData: Buffer | undefined;
  if (dir !== undefined) {
    try {
      const s = fs.statSync(file, { bigint: true });
      identity = `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs} ${process.version} ${process.arch}`;
      cachePath = cachePathOf(dir, file);
      const fd = fs.openSync(cachePath, "r");
      try {
        if (ownedAlone(fs.fstatSync(fd)) && ownedAlone(fs.statSync(path.dirname(cachePath))))
          cachedData = readCacheFile(fs.readFileSync(fd), identity);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // no cache yet (or unreadable): compiled as without one, and written after the run
    }
  }
  const script = new vm.Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const bundleUrl = url.href;
  // A bundled package's require() of anything but a built-in (an optional driver) is Node's own, from the bundle.
  const nodeRequire = createRequire(file);
  const require = (id: string) => own.getBuiltinModule?.(id) ?? nodeRequire(id);
  // The bundle's import(): ours are relative to the bundle, packages resolve from this package as from it.
  const importer = (spec: string) =>
    import(spec.startsWith("./") || spec.startsWith("../") ? new URL(spec, bundleUrl).href : spec);
  const module = { exports: {} as T };
  (script.runInThisContext() as (m: typeof module, r: typeof require, i: typeof importer, u: string) => void)(
    module,
    require,
    importer,
    bundleUrl,
  );
  return {
    exports: module.exports,
    save() {
      if (cachePath === undefined || (cachedData !== undefined && !script.cachedDataRejected)) return;
      const tmp = `${cachePath}.${process.pid}.tmp`;
      try {
        fs.mkdirSync(path.dirname(cachePath), { recursive: true, mode: 0o700 });
        fs.writeFileSync(tmp, cacheFileBytes(script.createCachedData(), identity), { mode: 0o600 });
        fs.renameSync(tmp, cachePath);
      } catch {
        // A cache that cannot be written only costs the compile next run.
        fs.rmSync(tmp, { force: true });
      }
    },
  };
}
