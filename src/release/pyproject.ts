// pyproject.toml's static `[project] version`, kept in step with __version__. Pure, and byte-preserving:
// only the version string's characters change, so comments and formatting of the file stay as they are.

/** Where the static version literal of `[project]` is, or null when the version is dynamic or absent. */
export function findProjectVersion(text: string): { start: number; end: number; value: string } | null {
  const header = /^[ \t]*\[project\][ \t]*(?:#.*)?$/m.exec(text);
  if (!header) return null;
  const bodyStart = header.index + header[0].length;
  const next = /^[ \t]*\[/m.exec(text.slice(bodyStart));
  const body = text.slice(bodyStart, next ? bodyStart + next.index : text.length);
  const m = /^[ \t]*version[ \t]*=[ \t]*(["'])([^"'\r\n]*)\1/m.exec(body);
  if (!m) return null;
  const start = bodyStart + m.index + m[0].length - m[2]!.length - 1;
  return { start, end: start + m[2]!.length, value: m[2]! };
}

/** The text with `[project] version` set to `version`, or null when there is no static version to keep. */
export function setProjectVersion(text: string, version: string): string | null {
  const at = findProjectVersion(text);
  if (!at) return null;
  return text.slice(0, at.start) + version + text.slice(at.end);
}
