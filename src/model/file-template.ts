// The name `alembic revision` gives a new script: `file_template` (from alembic.ini or pyproject
// `[tool.alembic]`) formatted with Python's `%` operator over rev, slug, epoch, year … second, plus `.py`.
// Pure, and a copy of alembic's `ScriptDirectory._rev_path` (script/base.py) so that a script migrakit writes
// under the `alembic` convention is named exactly as the repo's own `alembic revision` would name it.

export const DEFAULT_TRUNCATE_SLUG_LENGTH = 40;

/** The tokens a template may use besides rev and slug: the creation time's parts and its Unix epoch. */
export interface TemplateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  epoch: number;
}

/**
 * The creation time as alembic takes it: the local time (`datetime.now()`) when the ini sets no `timezone`,
 * else the time in that zone. Throws a RangeError for a zone Intl does not know.
 */
export function templateTime(now: Date, timeZone?: string): TemplateTime {
  const epoch = Math.floor(now.getTime() / 1000);
  if (!timeZone) {
    return {
      year: now.getFullYear(),
      month: now.getMonth() + 1,
      day: now.getDate(),
      hour: now.getHours(),
      minute: now.getMinutes(),
      second: now.getSeconds(),
      epoch,
    };
  }
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(now);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
    second: get("second"),
    epoch,
  };
}

/**
 * alembic's slug: the message's words (Python's `\w+`) joined by `_`, lower-cased; longer than
 * `truncate_slug_length`, it is cut there, back to the last `_`, and ends in `_`.
 */
export function slugOf(message: string | undefined, truncate = DEFAULT_TRUNCATE_SLUG_LENGTH): string {
  const slug =
    (message ?? "")
      .match(/[\p{L}\p{N}_]+/gu)
      ?.join("_")
      .toLowerCase() ?? "";
  if (slug.length <= truncate) return slug;
  const cut = slug.slice(0, truncate);
  const last = cut.lastIndexOf("_");
  return `${last < 0 ? cut : cut.slice(0, last)}_`;
}

// One conversion of Python's printf-style formatting: `%(key)` flags width .precision type.
const CONVERSION = /%(?:\(([^)]*)\))?([-#0 +]*)(\d+)?(?:\.(\d+))?([diouxXeEfFgGcrsa%])/g;

/** Why a template cannot be formatted (alembic would stop with a KeyError or TypeError). */
export class FileTemplateError extends Error {}

function pad(text: string, width: number | undefined, flags: string, numeric: boolean): string {
  if (width === undefined || text.length >= width) return text;
  if (flags.includes("-")) return text.padEnd(width);
  if (numeric && flags.includes("0")) {
    const sign = /^[-+ ]/.test(text) ? text[0]! : "";
    return sign + text.slice(sign.length).padStart(width - sign.length, "0");
  }
  return text.padStart(width);
}

/** `template % values` as Python computes it, for the conversions a file template uses (s, r, a, d, i, u). */
export function pythonFormat(template: string, values: Record<string, string | number>): string {
  return template.replace(CONVERSION, (whole, key: string | undefined, flags: string, w, p, type: string) => {
    if (type === "%") return "%";
    if (key === undefined) throw new FileTemplateError(`${whole} names no token: write %(name)${type}`);
    if (!Object.hasOwn(values, key)) throw new FileTemplateError(`%(${key}) is not a token alembic knows`);
    const value = values[key]!;
    const width = w === undefined ? undefined : Number(w);
    const precision = p === undefined ? undefined : Number(p);
    if (type === "s" || type === "r" || type === "a") {
      let text = type === "s" || typeof value === "number" ? String(value) : `'${value}'`;
      if (precision !== undefined) text = text.slice(0, precision);
      return pad(text, width, flags, false);
    }
    if (type === "d" || type === "i" || type === "u") {
      if (typeof value !== "number") throw new FileTemplateError(`%(${key})${type} needs a number, ${key} is text`);
      const digits = String(Math.abs(Math.trunc(value))).padStart(precision ?? 0, "0");
      const sign = value < 0 ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "";
      return pad(sign + digits, width, flags, true);
    }
    throw new FileTemplateError(`${whole}: migrakit formats only s, r, d and i conversions in a file template`);
  });
}

/**
 * The value configparser (alembic.ini) and alembic's TOML reader hand on: `%%` is one `%`. Other `%(name)s`
 * interpolations (`%(here)s`) are not expected in a file template and are left for the formatting to refuse.
 */
export const unescapeTemplate = (raw: string): string => raw.replace(/%%/g, "%");

/** The new script's file name (`{template % tokens}.py`), from the template as written in the ini or TOML. */
export function scriptFileName(
  rawTemplate: string,
  p: { revision: string; message?: string; time: TemplateTime; truncateSlugLength?: number },
): string {
  const slug = slugOf(p.message, p.truncateSlugLength ?? DEFAULT_TRUNCATE_SLUG_LENGTH);
  return `${pythonFormat(unescapeTemplate(rawTemplate), { rev: p.revision, slug, ...p.time })}.py`;
}
