// What a failed alembic step means for a person: which script, which line, which database error. Pure.

export interface RemoteFailure {
  type: string;
  message: string;
  traceback: string;
}

export interface FailureLocation {
  /** Repo-relative path of the script the failure happened in, when the traceback passes through one. */
  file?: string;
  line?: number;
}

/**
 * The innermost traceback frame inside one of the given scripts (matched by file name under a `versions`
 * folder: the bridge may run a copy of the repo, so absolute paths differ from ours).
 */
export function locateFailure(traceback: string, scripts: { path: string }[]): FailureLocation {
  const byName = new Map(scripts.map((s) => [s.path.split("/").pop()!, s.path]));
  let found: FailureLocation = {};
  for (const m of traceback.matchAll(/File "([^"]+)", line (\d+)/g)) {
    const parts = m[1]!.split(/[\\/]/);
    const name = parts.at(-1)!;
    if (parts.at(-2) === "versions" && byName.has(name)) found = { file: byName.get(name)!, line: Number(m[2]) };
  }
  return found;
}

/**
 * Where the ORM raised, when the failure is the schema package failing to import (a SyntaxError, a NameError,
 * a table defined twice …): the innermost traceback frame in the package outside its migrations folder, as a
 * repo-relative path (the bridge may import a copy of the package, so only the part below it is kept).
 * undefined when no such frame exists (the failure is a script's, env.py's or the database's).
 */
export function ormLocation(traceback: string, pkg: string): { file: string; line: number } | undefined {
  const name = pkg.split("/").pop()!;
  let found: { file: string; line: number } | undefined;
  for (const m of traceback.matchAll(/File "([^"]+)", line (\d+)/g)) {
    const parts = m[1]!.split(/[\\/]/);
    const at = parts.lastIndexOf(name);
    if (at < 0 || !parts.at(-1)!.endsWith(".py")) continue;
    const below = parts.slice(at + 1);
    if (below[0] === "migrations") continue;
    found = { file: [pkg, ...below].join("/"), line: Number(m[2]) };
  }
  return found;
}

/** A traceback frame of a library (SQLAlchemy, alembic, the bridge, the standard library): not the repo's. */
const LIBRARY_FRAME = /[\\/](site-packages|dist-packages|lib[\\/]python\d[^\\/]*|migrakit_bridge)[\\/]/;

/** The database's own words: the first line of the message, without SQLAlchemy's "(Background on …)" link. */
export function errorSummary(f: RemoteFailure): string {
  const first =
    f.message
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l && !l.startsWith("(Background on")) ?? f.type;
  return first.startsWith("(") ? first : `${f.type}: ${first}`;
}

/** The SQL statement that failed (SQLAlchemy appends `[SQL: …]`), when there is one. */
export function failedStatement(f: RemoteFailure): string | undefined {
  const m = f.message.match(/\[SQL: ([\s\S]*?)\]\n/) ?? f.message.match(/\[SQL: ([\s\S]*)\]/);
  return m ? m[1]!.trim() : undefined;
}

/**
 * Text for a finding's detail: the failing statement and the repository's own frames of the traceback (the
 * script's statement, env.py, the ORM), without SQLAlchemy's and alembic's internals.
 */
export function failureDetail(f: RemoteFailure): string {
  const sql = failedStatement(f);
  const frames = f.traceback
    .split("\n")
    .filter((l) => /^\s*File "/.test(l) && !LIBRARY_FRAME.test(l))
    .slice(-3)
    .map((l) => l.trim());
  return [sql ? `SQL: ${sql}` : "", ...frames].filter(Boolean).join("\n");
}
