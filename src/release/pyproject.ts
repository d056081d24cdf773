// pyproject.toml's static `[project] version`, kept in step with __version__. Pure, and byte-preserving:
// only the version string's characters change, so comments and formatting of the file stay as they are.
import { findTableVersion } from "../model/package-version.js";

/** Where the static version literal of `[project]` is, or null when the version is dynamic or absent. */
export function findProjectVersion(text: string): { start: number; end: number; value: string } | null {
  return findTableVersion(text, "project");
}

/** The text with `[project] version` set to `version`, or null when there is no static version to keep. */
export function setProjectVersion(text: string, version: string): string | null {
  const at = findProjectVersion(text);
  if (!at) return null;
  return text.slice(0, at.start) + version + text.slice(at.end);
}
