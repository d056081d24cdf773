// Where migrakit itself is installed, found one way for every caller: walk up from this module to the
// package.json named "migrakit". The same answer from dist/src/…, from a bundled file, or from a copy of the
// package inside a user's node_modules — so the Python bridge, the templates and the version are always
// read from the installation that is running.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The folder holding migrakit's package.json (and its bin/, python/, dist/). */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "migrakit")
      return (root = dir);
    const up = dirname(dir);
    if (up === dir)
      throw new Error(`internal: migrakit's package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** A path inside the installation: `fromPackageRoot("python", "templates")`. */
export const fromPackageRoot = (...parts: string[]): string => join(packageRoot(), ...parts);

/** migrakit's own version, from its package.json. */
export function migrakitVersion(): string {
  return (JSON.parse(readFileSync(fromPackageRoot("package.json"), "utf8")) as { version: string }).version;
}
