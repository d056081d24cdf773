// Where an ordinary alembic repo keeps its scripts: the `[alembic]` section of alembic.ini, or pyproject's
// `[tool.alembic]` (alembic ≥ 1.16). Pure: text in, settings out; paths stay as written, with `%(here)s`
// replaced by the folder the file is in (relative to the repo root, "." for the root itself).

export interface AlembicSettings {
  /** `script_location` as a repo-relative, `/`-separated path; undefined when the file names none. */
  scriptLocation?: string;
  /** `version_locations`, repo-relative; empty = `{scriptLocation}/versions`. */
  versionLocations: string[];
  /** `file_template` (alembic's default `%%(rev)s_%%(slug)s` when unset). */
  fileTemplate: string;
  /** `truncate_slug_length`, when set (alembic's default is 40). */
  truncateSlugLength?: number;
  /** `timezone`: the zone a new script's date tokens are in (local time when unset). */
  timezone?: string;
  /** `prepend_sys_path`, repo-relative. */
  prependSysPath: string[];
  /** The driver `sqlalchemy.url` names (`asyncpg` in `postgresql+asyncpg://…`), if any. */
  driver?: string;
}

export const DEFAULT_FILE_TEMPLATE = "%%(rev)s_%%(slug)s";

/** `a/./b/../c` → `a/c`; "." for nothing left. */
function normalise(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && out.length && out[out.length - 1] !== "..") out.pop();
    else out.push(part);
  }
  return (path.startsWith("/") ? "/" : "") + out.join("/") || ".";
}

/** A path from the file, relative to the repo root: `%(here)s` and relative paths start at `here`. */
function fromHere(value: string, here: string): string {
  const v = value.replace(/\\/g, "/");
  if (v.includes("%(here)s")) return normalise(v.replace(/%\(here\)s/g, here));
  return v.startsWith("/") ? v : normalise(`${here}/${v}`);
}

const list = (value: string | undefined): string[] => (value ?? "").split(/[\s,]+/).filter(Boolean);

function settings(raw: Record<string, string>, here: string): AlembicSettings {
  const url = raw["sqlalchemy.url"] ?? "";
  const driver = /^postgres(?:ql)?\+([a-z0-9_]+):\/\//.exec(url)?.[1];
  const truncate = Number.parseInt(raw.truncate_slug_length ?? "", 10);
  return {
    ...(raw.script_location ? { scriptLocation: fromHere(raw.script_location, here) } : {}),
    versionLocations: list(raw.version_locations).map((p) => fromHere(p, here)),
    fileTemplate: raw.file_template ?? DEFAULT_FILE_TEMPLATE,
    // alembic takes `int(value)` and falls back to 40 for 0 or nothing.
    ...(truncate > 0 ? { truncateSlugLength: truncate } : {}),
    ...(raw.timezone ? { timezone: raw.timezone } : {}),
    prependSysPath: list(raw.prepend_sys_path).map((p) => fromHere(p, here)),
    ...(driver ? { driver } : {}),
  };
}

/**
 * The `[alembic]` section (or `section`) of an ini text, as configparser reads it: `key = value` or
 * `key: value`, `#`/`;` comment lines, indented continuation lines.
 */
export function parseAlembicIni(text: string, here: string, section = "alembic"): AlembicSettings | null {
  let current: string | null = null;
  let lastKey: string | null = null;
  const raw: Record<string, string> = {};
  let found = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(line) || !line.trim()) continue;
    const header = /^\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      current = header[1]!.trim();
      found ||= current === section;
      lastKey = null;
      continue;
    }
    if (current !== section) continue;
    if (/^\s/.test(line) && lastKey) {
      raw[lastKey] = `${raw[lastKey]} ${line.trim()}`.trim();
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (kv) raw[(lastKey = kv[1]!.trim().toLowerCase())] = kv[2]!.trim();
  }
  return found ? settings(raw, here) : null;
}

/** pyproject's `[tool.alembic]` table (already parsed TOML), or null when it has none. */
export function alembicFromPyproject(doc: unknown, here: string): AlembicSettings | null {
  const table = (doc as { tool?: { alembic?: Record<string, unknown> } })?.tool?.alembic;
  if (!table || typeof table !== "object") return null;
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(table)) {
    if (typeof value === "string") raw[key] = value;
    else if (typeof value === "number") raw[key] = String(value);
    else if (Array.isArray(value)) raw[key] = value.filter((v) => typeof v === "string").join(" ");
  }
  return settings(raw, here);
}
