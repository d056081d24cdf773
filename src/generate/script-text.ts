// The text of a generated script, and what migrakit may do with it later. Pure.
//
// migrakit owns only what it wrote: the first line of upgrade() is a marker holding a hash of both function
// bodies as written. When the bodies still hash to it, the script is machine-owned and a later `generate`
// may rewrite them; once a person edits either body (a data migration, a hand-written op), the hash no
// longer matches and migrakit never overwrites the script again. The marker and the rename comments are
// ordinary Python comments: the script stays a plain alembic script.
import { createHash } from "node:crypto";
import { opsBlock } from "../checks/dynamic/models-match.js";
import { findFunction } from "../model/python-functions.js";
import { parseScriptSource } from "../model/script-source.js";
import { parseRenameArg, type RenameRequest } from "./renames.js";

const MARKER = /^[ \t]*# migrakit: generated ([0-9a-f]{12})\b.*$/m;
const RENAME_NOTE = /^[ \t]*# migrakit: rename (\S+)(?: \((.*)\))?[ \t]*\r?$/gm;
const NO_RENAMES_NOTE = /^[ \t]*# migrakit: no-renames\b/m;
const PLACEHOLDER = "000000000000";
const INDENT = "    ";

export const markerLine = (hash: string) =>
  `# migrakit: generated ${hash} (edit freely: migrakit then stops rewriting this script)`;

export interface Span {
  /** Offset of the body's first line. */
  start: number;
  /** Offset after the body's last non-blank line (and its line break). */
  end: number;
}

/** The body of the module-level `def name(...)`: from the line after the signature to its last statement. */
export function functionSpan(text: string, name: string): Span | null {
  const fn = findFunction(text, name);
  return fn ? { start: fn.start, end: fn.end } : null;
}

const lf = (s: string) => s.replace(/\r\n?/g, "\n");

/** The hash over both bodies as they stand, the marker line left out. */
export function bodiesHash(text: string): string | null {
  const up = functionSpan(text, "upgrade");
  const down = functionSpan(text, "downgrade");
  if (!up || !down) return null;
  const clean = (s: string) =>
    lf(s)
      .split("\n")
      .filter((l) => !MARKER.test(l))
      .map((l) => l.trimEnd())
      .join("\n")
      .trim();
  const h = createHash("sha256");
  h.update(clean(text.slice(up.start, up.end)));
  h.update("\0");
  h.update(clean(text.slice(down.start, down.end)));
  return h.digest("hex").slice(0, 12);
}

export type Ownership = "machine" | "edited" | "foreign";

/** machine: migrakit wrote it and nobody changed the bodies; edited: migrakit wrote it, a person changed it; foreign: no marker. */
export function ownership(text: string): Ownership {
  const m = MARKER.exec(text);
  if (!m) return "foreign";
  return bodiesHash(text) === m[1] ? "machine" : "edited";
}

/** Renames a script records (`# migrakit: rename core.transform.version=v`), and whether it turned detection off. */
export function recordedRenames(text: string): { renames: RenameRequest[]; noRenames: boolean } {
  const renames: RenameRequest[] = [];
  for (const m of text.matchAll(RENAME_NOTE)) {
    try {
      renames.push({ ...parseRenameArg(m[1]!), ...(m[2] ? { note: m[2] } : {}) });
    } catch {
      // a comment that only looks like ours
    }
  }
  return { renames, noRenames: NO_RENAMES_NOTE.test(text) };
}

export interface BodyParts {
  /** alembic's rendering (with its banner lines), as the bridge returns it. */
  upgradeOps: string;
  downgradeOps: string;
  /** Comment lines (without `# `) stated at the top of upgrade(): renames and their reasons. */
  notes: string[];
}

/** The two bodies, indented, the upgrade opening with the marker (a placeholder until sealed). */
export function bodies(p: BodyParts): { upgrade: string[]; downgrade: string[] } {
  const lines = (block: string) =>
    opsBlock(block)
      .split("\n")
      .filter((l, i, all) => l !== "" || (i > 0 && i < all.length - 1));
  return {
    upgrade: [markerLine(PLACEHOLDER), ...p.notes.map((n) => `# ${n}`), ...lines(p.upgradeOps)],
    downgrade: lines(p.downgradeOps),
  };
}

/** Mako's `${upgrades}` sits after 4 spaces: the first line unindented, the others indented. */
export function forTemplate(lines: string[]): string {
  return lines.map((l, i) => (i === 0 || l === "" ? l : INDENT + l)).join("\n");
}

const indentBody = (lines: string[], eol: string) => lines.map((l) => (l === "" ? "" : INDENT + l)).join(eol) + eol;

/** Put the final hash into the marker. */
export function seal(text: string): string {
  const m = MARKER.exec(text);
  if (!m) return text;
  const hash = bodiesHash(text)!;
  return text.replace(MARKER, (line) => line.replace(m[1]!, hash));
}

/** Replace both bodies (refresh of a machine-owned script), keeping everything around them. */
export function replaceBodies(text: string, b: { upgrade: string[]; downgrade: string[] }): string {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const up = functionSpan(text, "upgrade")!;
  const down = functionSpan(text, "downgrade")!;
  const [first, second] = up.start < down.start ? [up, down] : [down, up];
  const firstBody = first === up ? b.upgrade : b.downgrade;
  const secondBody = first === up ? b.downgrade : b.upgrade;
  const out =
    text.slice(0, first.start) +
    indentBody(firstBody, eol) +
    text.slice(first.end, second.start) +
    indentBody(secondBody, eol) +
    text.slice(second.end);
  return seal(out);
}

/** Import lines the body needs that the text lacks, added after the last import at the top. */
export function ensureImports(text: string, needed: string[]): string {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const missing = needed.filter(
    (line) => !new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[ \\t]*(#.*)?\\r?$`, "m").test(text),
  );
  if (missing.length === 0) return text;
  const imports = [...text.matchAll(/^(?:import[ \t]+\S.*|from[ \t]+\S+[ \t]+import[ \t]+.*)$/gm)];
  const upgrade = /^def[ \t]+upgrade\b/m.exec(text);
  const top = imports.filter((m) => !upgrade || m.index! < upgrade.index);
  const at = top.length ? top.at(-1)!.index! + top.at(-1)![0].length + eol.length : 0;
  return text.slice(0, at) + missing.map((l) => l + eol).join("") + text.slice(at);
}

/** Imports the ops need: alembic's list, and `import sqlmodel` whenever sqlmodel types are written by path. */
export function neededImports(b: { upgrade: string[]; downgrade: string[] }, bridgeImports: string[]): string[] {
  const code = [...b.upgrade, ...b.downgrade].filter((l) => !l.trimStart().startsWith("#")).join("\n");
  const out = new Set(bridgeImports);
  if (/\bsqlmodel\./.test(code)) out.add("import sqlmodel");
  if (/\bsa\./.test(code)) out.add("import sqlalchemy as sa");
  if (/\bop\./.test(code)) out.add("from alembic import op");
  return [...out];
}

/**
 * A fresh script from the template's rendering: unreleased header, message below it, imports, sealed.
 * `header: false` (convention alembic): the template's docstring stays as alembic renders it.
 */
export function finishNewScript(
  rendered: string,
  o: { message?: string; imports: string[]; header?: boolean },
): string {
  let text = doubleQuotedRevisions(o.header === false ? rendered : unreleasedHeader(rendered, o.message));
  text = ensureImports(text, o.imports);
  return seal(text);
}

const UNRELEASED_WORD = /^v[xX]\.[xX]\.[xX]\.?/;

const SINGLE_QUOTED_REVISION = /^((?:down_)?revision[ \t]*(?::[^=\n]*)?=[ \t]*)'([\w.-]*)'(?=[ \t]*(?:#.*)?\r?$)/gm;

/**
 * `revision = "…"` and `down_revision = "…"` in double quotes, as docs/spec.md writes them: many templates
 * render one with a literal `"${up_revision}"` and the other with `${repr(down_revision)}` (single quotes), and
 * a new script should not mix the two (issue 17 item 13). Only a plain string of id characters is touched.
 */
export function doubleQuotedRevisions(text: string): string {
  return text.replace(SINGLE_QUOTED_REVISION, '$1"$2"');
}

/**
 * Whatever the template's docstring looks like (alembic's default `"""${message}\n\nRevision ID: …"""`, lamin's
 * `"""${message}` …, `"""${message}."""`, single quotes, none at all), the script opens with exactly
 * `"""vX.X.X."""`, or `"""vX.X.X.` followed by a blank line and the rest of the docstring. The rest is the
 * template's text with any version word it wrote dropped, and nothing left when that rest is mere punctuation
 * (`${message}.` rendered with no message).
 */
export function unreleasedHeader(rendered: string, message?: string): string {
  const eol = rendered.includes("\r\n") ? "\r\n" : "\n";
  const header = parseScriptSource(rendered).header;
  const docstring = header ? docstringParts(rendered, header.start, header.end) : null;
  let rest = docstring ? docstring.body.replace(/\r\n?/g, "\n") : "";
  rest = rest.replace(/^\s*/, "").replace(UNRELEASED_WORD, "");
  rest = rest.replace(/^[ \t]*\n/, "").replace(/\s+$/, "");
  if (/^[\s.,;:!?-]*$/.test(rest)) rest = "";
  rest = rest.replace(/^\s+/, "");
  if (message && !rest.includes(message)) rest = rest ? `${message}\n\n${rest}` : message;
  // Double quotes, as the header rule reads them; a text that holds `"""` itself keeps the template's quotes.
  const q = docstring && rest.includes('"""') ? docstring.quote : '"""';
  const prefix = docstring?.prefix.toLowerCase().includes("r") && rest.includes("\\") ? "r" : "";
  const literal = rest ? `${prefix}${q}vX.X.X.${eol}${eol}${rest.split("\n").join(eol)}${eol}${q}` : `${q}vX.X.X.${q}`;
  // The header goes on the very first line (after a BOM): comments a template puts first move below it, where
  // Python still reads the docstring as the module's.
  const bom = rendered.charCodeAt(0) === 0xfeff ? "\ufeff" : "";
  let others = rendered.slice(bom.length);
  if (header && docstring) {
    const at = header.start - bom.length;
    const after = others.slice(header.end - bom.length).replace(/^[ \t]*\r?\n/, "");
    others = others.slice(0, at) + after;
  }
  return bom + literal + eol + others;
}

/** The prefix, quotes and text of the string literal at [start, end). */
function docstringParts(source: string, start: number, end: number): { prefix: string; quote: string; body: string } {
  let p = start;
  while (source[p] !== '"' && source[p] !== "'") p++;
  const c = source[p]!;
  const quote = end - p >= 6 && source[p + 1] === c && source[p + 2] === c ? c.repeat(3) : c;
  return { prefix: source.slice(start, p), quote, body: source.slice(p + quote.length, end - quote.length) };
}
