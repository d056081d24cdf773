// Which staged files make the hook work (pure): migration files of a package (anything under its
// migrations/) and its ORM files — the configured `orm` globs (relative to the package folder), or by
// default every .py of the package outside migrations/.
import type { Config } from "../config/schema.js";

/** A glob (`*`, `**`, `?`, `{a,b}`) as a regular expression over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        if (glob[i + 1] === "/") {
          i++;
          re += "(?:.*/)?";
        } else re += ".*";
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "{") {
      const end = glob.indexOf("}", i);
      if (end < 0) re += "\\{";
      else {
        re += `(?:${glob
          .slice(i + 1, end)
          .split(",")
          .map((p) => p.replace(/[.+^$()|[\]\\]/g, "\\$&"))
          .join("|")})`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export function ormGlobs(config: Pick<Config, "orm">, pkg: string): string[] | undefined {
  const base = pkg.split("/").pop()!;
  const own = (key: string) => (Object.hasOwn(config.orm, key) ? config.orm[key] : undefined);
  return own(pkg) ?? own(base) ?? own("*");
}

/** Is `path` (repo-relative) a migration or ORM file of package `pkg`? */
export function isRelevant(path: string, pkg: string, globs: string[] | undefined): boolean {
  // "." is an app's repo whose package is the project root itself (alembic.ini's script_location).
  if (pkg !== "." && !path.startsWith(`${pkg}/`)) return false;
  const rel = pkg === "." ? path : path.slice(pkg.length + 1);
  if (rel.startsWith("migrations/")) return true;
  if (globs?.length) return globs.some((g) => globToRegExp(g.replace(/^\.\//, "")).test(rel));
  return rel.endsWith(".py");
}

/** The packages with a relevant staged file. */
export function packagesToProcess(staged: string[], packages: string[], config: Pick<Config, "orm">): string[] {
  return packages.filter((pkg) => staged.some((p) => isRelevant(p, pkg, ormGlobs(config, pkg))));
}
