// A migration script's text (docs/spec.md §1): the version header in the module docstring, `revision` and
// `down_revision` in every form alembic writes, and the syntax problems that stop Python importing it.
import { normalizePep440 } from "./pep440.js";
import {
  lineEnding,
  moduleAssignments,
  parseLiteral,
  renderString,
  tokenize,
  type ModuleAssignment,
} from "./python-literal.js";
import { scanScript, type ScannedValue } from "./script-scan.js";
import type { Assignment, ScriptHeader, ScriptSource } from "./types.js";

const NAMES: ReadonlySet<string> = new Set(["revision", "down_revision", "branch_labels", "depends_on"]);
const UNRELEASED_WORD = /^v[xX]\.[xX]\.[xX]\.?$/;
/** The rest of a line from lastIndex. */
const FIRST_LINE = /[^\r\n]*/y;
/** A docstring's first line: indentation, the first word, the rest. */
const WORD = /^([ \t]*)([^ \t]*)(.*)$/s;

export function headerText(version: string | null): string {
  return version === null ? "vX.X.X." : `v${version}.`;
}

/** Where the parts of a docstring's first line are, so the version word can be read and replaced alone. */
interface DocstringLayout {
  /** Offset of the first character after the opening quotes. */
  bodyStart: number;
  /** Offset of the end of the first line (its line break, or the closing quotes). */
  lineEnd: number;
  /** The version word (`v1.0.0.`), when the first line opens with one. */
  word: { start: number; end: number; kind: "unreleased" | "released"; version: string | null } | null;
}

function layout(source: string, start: number, end: number): DocstringLayout | null {
  // The prefix and quotes of the literal, as stringLiteral() sees them (its decoded value is not needed here).
  let p = start;
  while (source[p] !== '"' && source[p] !== "'") p++;
  const prefix = source.slice(start, p).toLowerCase();
  if (prefix.includes("b") || prefix.includes("f")) return null;
  const q = source[p]!;
  const quoteLength = end - p >= 6 && source[p + 1] === q && source[p + 2] === q ? 3 : 1;
  const bodyStart = p + quoteLength;
  const bodyEnd = end - quoteLength;
  // Regexes rather than loops over characters: native code from the first of a thousand scripts.
  FIRST_LINE.lastIndex = bodyStart;
  FIRST_LINE.test(source);
  const lineEnd = Math.min(FIRST_LINE.lastIndex, bodyEnd);
  const [, indent, word, after] = WORD.exec(source.slice(bodyStart, lineEnd)) as unknown as [
    string,
    string,
    string,
    string,
  ];
  const ws = bodyStart + indent.length;
  const we = ws + word.length;
  const rest = after.trim();
  let kind: "unreleased" | "released" | null = null;
  let version: string | null = null;
  if (UNRELEASED_WORD.test(word)) kind = "unreleased";
  else if (word.startsWith("v") && /^v[0-9]/.test(word)) {
    // `v0.26.2. Add a column` is a header; `v2 of the schema` is prose: text after the word needs the dot.
    const dotted = word.endsWith(".");
    const candidate = dotted ? word.slice(1, -1) : word.slice(1);
    if ((dotted || rest === "") && normalizePep440(candidate) !== null) {
      kind = "released";
      version = candidate;
    }
  }
  return { bodyStart, lineEnd, word: kind ? { start: ws, end: we, kind, version } : null };
}

function headerOf(source: string, t: { line: number; start: number; end: number }): ScriptHeader | null {
  const l = layout(source, t.start, t.end);
  if (!l) return null;
  return {
    line: t.line,
    start: t.start,
    end: t.end,
    text: source.slice(l.bodyStart, l.lineEnd),
    kind: l.word?.kind ?? "other",
    version: l.word?.version ?? null,
  };
}

function revisionOf(source: string, a: ModuleAssignment | undefined): Assignment<string> | null {
  const lit = a?.value ? parseLiteral(source, a.value) : null;
  if (lit?.kind !== "string") return null;
  return { line: lit.line, start: lit.start, end: lit.end, value: lit.string.value, quote: lit.string.quote };
}

function downRevisionOf(source: string, a: ModuleAssignment | undefined): Assignment<string[]> | null {
  const lit = a?.value ? parseLiteral(source, a.value) : null;
  if (!lit) return null;
  const span = { line: lit.line, start: lit.start, end: lit.end };
  if (lit.kind === "none") return { ...span, value: [], quote: null };
  if (lit.kind === "string") return { ...span, value: [lit.string.value], quote: lit.string.quote };
  return { ...span, value: lit.strings.map((s) => s.value), quote: lit.strings[0]?.quote ?? null };
}

/** `branch_labels` / `depends_on` as a list of names: [] for None, absent or a value we cannot read. */
function namesOf(source: string, a: ModuleAssignment | undefined): string[] {
  const lit = a?.value ? parseLiteral(source, a.value) : null;
  if (lit?.kind === "string") return [lit.string.value];
  if (lit?.kind === "strings") return lit.strings.map((s) => s.value);
  return [];
}

/** The full reading through the tokenizer: every form alembic accepts, and the exact syntax error messages. */
export function parseScriptSourceTokenized(source: string): ScriptSource {
  const tz = tokenize(source);
  const first = tz.lines[0];
  // The docstring is the module's first statement, a lone string (comments, shebang and blank lines may precede it).
  const doc =
    first && first.indent === 0 && first.tokens.every((t) => t.kind === "string") ? first.tokens[0] : undefined;
  const last = new Map<string, ModuleAssignment>();
  for (const a of moduleAssignments(source, tz, NAMES)) last.set(a.name, a);
  return {
    header: doc ? headerOf(source, doc) : null,
    revision: revisionOf(source, last.get("revision")),
    downRevision: downRevisionOf(source, last.get("down_revision")),
    branchLabels: namesOf(source, last.get("branch_labels")),
    dependsOn: namesOf(source, last.get("depends_on")),
    syntaxError: tz.syntaxError,
  };
}

function scannedRevision(v: ScannedValue | null): Assignment<string> | null {
  if (v?.kind !== "string") return null;
  return { line: v.line, start: v.start, end: v.end, value: v.value, quote: v.quote };
}

function scannedDownRevision(v: ScannedValue | null): Assignment<string[]> | null {
  if (v === null) return null;
  if (v.kind === "none") return { line: v.line, start: v.start, end: v.end, value: [], quote: null };
  return { line: v.line, start: v.start, end: v.end, value: [v.value], quote: v.quote };
}

/**
 * What a script says. The usual shape goes through the allocation-free scanner (script-scan.ts); whatever it
 * does not know (merges, conditional assignments, syntax problems …) goes through the tokenizer, with the
 * same result either way.
 */
export function parseScriptSource(source: string): ScriptSource {
  const scan = scanScript(source);
  if (scan === null) return parseScriptSourceTokenized(source);
  return {
    header: scan.docstring ? headerOf(source, scan.docstring) : null,
    revision: scannedRevision(scan.revision),
    downRevision: scannedDownRevision(scan.downRevision),
    branchLabels: scan.branchLabels?.kind === "string" ? [scan.branchLabels.value] : [],
    dependsOn: scan.dependsOn?.kind === "string" ? [scan.dependsOn.value] : [],
    syntaxError: null,
  };
}

/** Offset after a leading BOM, shebang, encoding line and comments: where a new docstring goes. */
function docstringInsertPoint(source: string): number {
  let at = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (at < source.length && source[at] === "#") {
    const nl = source.indexOf("\n", at);
    if (nl < 0) return source.length;
    at = nl + 1;
  }
  return at;
}

/**
 * Put `version` (null: `vX.X.X.`) into the header: only the version word of the docstring's first line changes,
 * the rest of the docstring stays. A docstring without a version word gets the header as a new first line;
 * a script without a docstring (header null) gets `"""v….."""` at the top.
 */
export function rewriteHeader(source: string, header: ScriptHeader | null, version: string | null): string {
  const text = headerText(version);
  const eol = lineEnding(source);
  if (header === null) {
    const at = docstringInsertPoint(source);
    const sep = at > 0 && !/[\r\n]$/.test(source.slice(0, at)) ? eol : "";
    return source.slice(0, at) + sep + `"""${text}"""${eol}` + source.slice(at);
  }
  const l = layout(source, header.start, header.end);
  if (!l) throw new Error(`internal: no docstring at offset ${header.start}`);
  if (l.word) return source.slice(0, l.word.start) + text + source.slice(l.word.end);
  if (source.slice(l.bodyStart, l.lineEnd).trim() === "")
    return source.slice(0, l.bodyStart) + text + source.slice(l.lineEnd);
  return source.slice(0, l.bodyStart) + text + eol + source.slice(l.bodyStart);
}

/** Rewrite down_revision's literal to `parent` (null: `None`), keeping the quote style of what was there. */
export function setDownRevision(source: string, s: ScriptSource, parent: string | null): string {
  const d = s.downRevision;
  if (!d) throw new Error("internal: the script has no readable down_revision to rewrite");
  const old = source.slice(d.start, d.end);
  const prefix = d.quote && old[0] !== "(" && old[0] !== "[" ? (/^[A-Za-z]*/.exec(old)?.[0] ?? "") : "";
  const literal = parent === null ? "None" : renderString(parent, d.quote ?? '"', prefix);
  return source.slice(0, d.start) + literal + source.slice(d.end);
}
