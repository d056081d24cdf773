// Reading a migration function's body from script text, without Python: enough to tell a `pass` downgrade
// and to point a finding at `def upgrade`. Pure.

export interface FunctionBody {
  /** 1-based line of the `def`. */
  line: number;
  /** The body's statements with comments, blank lines and a leading docstring removed. */
  statements: string[];
}

/** The top-level `def name(...)` of a script and its body, or null when there is none. */
export function functionBody(text: string, name: string): FunctionBody | null {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => new RegExp(`^def\\s+${name}\\s*\\(`).test(l));
  if (start < 0) return null;
  // The signature may span lines; the body starts after the line whose code ends with ':'.
  let i = start;
  while (i < lines.length && !/:\s*(#.*)?$/.test(lines[i]!)) i++;
  const statements: string[] = [];
  for (i = i + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^\S/.test(l)) break; // back at module level
    const code = l.trim();
    if (!code || code.startsWith("#")) continue;
    statements.push(code);
  }
  // A docstring alone on its line(s) is not a statement that does anything.
  if (statements[0] && /^[rRuU]?("""|''')/.test(statements[0])) {
    const quote = statements[0].match(/("""|''')/)![1]!;
    let j = 0;
    const first = statements[0].slice(statements[0].indexOf(quote) + 3);
    if (!first.includes(quote)) {
      j = 1;
      while (j < statements.length && !statements[j]!.includes(quote)) j++;
    }
    statements.splice(0, j + 1);
  }
  return { line: start + 1, statements };
}

/** True when `def name` does nothing: only `pass` (or `...`, or nothing but a docstring). */
export function isEmptyFunction(text: string, name: string): boolean {
  const body = functionBody(text, name);
  if (!body) return false;
  return body.statements.every((s) => s === "pass" || s === "..." || /^#/.test(s));
}
