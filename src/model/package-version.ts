// Where a package's version lives (docs/spec.md §1, issue 11 item 10): `__version__` in __init__.py when it
// is a PEP 440 literal; otherwise — computed (`importlib.metadata.version(…)`), a placeholder such as
// "develop", or absent — pyproject.toml's static `[project] version`, else `[tool.poetry] version`. Pure and
// byte-preserving: the release rewrites only the version string's characters of whichever is the source.
import { normalizePep440 } from "./pep440.js";
import type { InitFile } from "./types.js";

export type VersionSourceKind = "__version__" | "[project] version" | "[tool.poetry] version";

export interface PackageVersion {
  value: string;
  source: VersionSourceKind;
  /** Repo-relative path of the file holding it. */
  file: string;
  /** 1-based line, and offsets of the characters inside the quotes. */
  line: number;
  start: number;
  end: number;
}

/** The static `version = "…"` of a TOML table (`project`, `tool.poetry`), or null when dynamic or absent. */
export function findTableVersion(text: string, table: string): { start: number; end: number; value: string } | null {
  const name = table.replace(/\./g, "\\.");
  const header = new RegExp(`^[ \\t]*\\[${name}\\][ \\t]*(?:#.*)?$`, "m").exec(text);
  if (!header) return null;
  const bodyStart = header.index + header[0].length;
  const next = /^[ \t]*\[/m.exec(text.slice(bodyStart));
  const body = text.slice(bodyStart, next ? bodyStart + next.index : text.length);
  const m = /^[ \t]*version[ \t]*=[ \t]*(["'])([^"'\r\n]*)\1/m.exec(body);
  if (!m) return null;
  const start = bodyStart + m.index + m[0].length - m[2]!.length - 1;
  return { start, end: start + m[2]!.length, value: m[2]! };
}

const lineAt = (text: string, offset: number) => text.slice(0, offset).split("\n").length;

/** The pyproject version that stands in for a `__version__` that is not a version literal, or null. */
export function pyprojectVersion(pyproject: { path: string; text: string }): PackageVersion | null {
  for (const [table, source] of [
    ["project", "[project] version"],
    ["tool.poetry", "[tool.poetry] version"],
  ] as const) {
    const at = findTableVersion(pyproject.text, table);
    if (at) return { ...at, source, file: pyproject.path, line: lineAt(pyproject.text, at.start) };
  }
  return null;
}

/** True when `__version__` is a literal PEP 440 version: then it is the source, and pyproject follows it. */
export const initHasVersion = (init: InitFile | null | undefined): boolean =>
  !!init?.version && normalizePep440(init.version.value) !== null;

/**
 * The package's version and where it is: `__version__` when it is a version literal, else pyproject's; an
 * invalid literal with no pyproject version stays the source (the check reports it).
 */
export function packageVersionOf(
  init: { path: string; parsed: InitFile | null } | null,
  pyproject: { path: string; text: string } | null | undefined,
): PackageVersion | null {
  const v = init?.parsed?.version;
  const fromInit = (): PackageVersion | null =>
    v && init
      ? { value: v.value, source: "__version__", file: init.path, line: v.line, start: v.start + 1, end: v.end - 1 }
      : null;
  if (initHasVersion(init?.parsed)) return fromInit();
  return (pyproject && pyprojectVersion(pyproject)) ?? fromInit();
}
