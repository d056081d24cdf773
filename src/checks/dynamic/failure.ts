// What a failed alembic step means for a person: which script, which line, which database error. Pure.
// The places come from the frames Python reports (python/migrakit_bridge/frames.py: the repo's own frames,
// the innermost last); the traceback text is never read here.
import type { PythonFrame } from "../../bridge/contract.js";
import type { RemoteFailure } from "../../bridge/remote-error.js";

export type { RemoteFailure };

export interface FailureLocation {
  /** Repo-relative path of the script the failure happened in, when one of its frames is in one. */
  file?: string;
  line?: number;
}

const partsOf = (f: PythonFrame) => f.file.split(/[\\/]/);

/**
 * The innermost frame inside one of the given scripts (matched by file name under a `versions` folder: the
 * bridge may run a copy of the repo or of its scripts, so its paths differ from ours).
 */
export function locateFailure(frames: PythonFrame[], scripts: { path: string }[]): FailureLocation {
  const byName = new Map(scripts.map((s) => [s.path.split("/").pop()!, s.path]));
  for (const f of frames.toReversed()) {
    const parts = partsOf(f);
    const name = parts.at(-1)!;
    if (parts.at(-2) === "versions" && byName.has(name)) return { file: byName.get(name)!, line: f.line };
  }
  return {};
}

/**
 * Where the ORM raised, when the failure is the schema package failing to import (a SyntaxError, a NameError,
 * a table defined twice …): the innermost frame in the package outside its migrations folder, as a
 * repo-relative path (the bridge may import a copy of the package, so only the part below it is kept).
 * undefined when no such frame exists (the failure is a script's, env.py's or the database's).
 */
export function ormLocation(frames: PythonFrame[], pkg: string): { file: string; line: number } | undefined {
  const name = pkg.split("/").pop()!;
  for (const f of frames.toReversed()) {
    const parts = partsOf(f);
    const at = parts.lastIndexOf(name);
    if (at < 0 || !parts.at(-1)!.endsWith(".py")) continue;
    const below = parts.slice(at + 1);
    if (below[0] === "migrations") continue;
    return { file: [pkg, ...below].join("/"), line: f.line };
  }
  return undefined;
}

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
 * Text for a finding's detail: the failing statement and the innermost three of the repository's own frames
 * (the script's statement, env.py, the ORM), each with its source line.
 */
export function failureDetail(f: RemoteFailure): string {
  const sql = failedStatement(f);
  const frames = f.frames
    .slice(-3)
    .map((fr) => `${fr.file}:${fr.line}${fr.function ? ` in ${fr.function}` : ""}${fr.code ? `: ${fr.code}` : ""}`);
  return [sql ? `SQL: ${sql}` : "", ...frames].filter(Boolean).join("\n");
}
