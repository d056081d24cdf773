// Which Python runs the bridge (docs/spec.md §3): config `python`, then $MIGRAKIT_PYTHON, then an active
// virtualenv ($VIRTUAL_ENV), then the repo's .venv, then python3 on PATH. An interpreter the user named
// (config or MIGRAKIT_PYTHON) must exist: falling back silently would check with the wrong packages.
import { access, constants, stat } from "node:fs/promises";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { MigrakitError } from "../errors/index.js";

export type PythonSource = "config" | "MIGRAKIT_PYTHON" | "VIRTUAL_ENV" | ".venv" | "PATH";

export interface PythonCandidate {
  /** A path, or a bare command name to look up on PATH. */
  python: string;
  source: PythonSource;
  /** Named by the user: when it is missing, stop there instead of trying the next one. */
  explicit: boolean;
}

export interface FoundPython {
  python: string;
  source: PythonSource;
}

export interface PythonQuery {
  /** The configuration's `python`, if set. */
  configPython?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

function venvPython(dir: string, platform: NodeJS.Platform): string {
  return platform === "win32" ? join(dir, "Scripts", "python.exe") : join(dir, "bin", "python");
}

/** The candidates in the order docs/spec.md §3 gives (pure). */
export function pythonCandidates(q: PythonQuery): PythonCandidate[] {
  const platform = q.platform ?? process.platform;
  const out: PythonCandidate[] = [];
  if (q.configPython) out.push({ python: q.configPython, source: "config", explicit: true });
  if (q.env.MIGRAKIT_PYTHON) out.push({ python: q.env.MIGRAKIT_PYTHON, source: "MIGRAKIT_PYTHON", explicit: true });
  if (q.env.VIRTUAL_ENV)
    out.push({ python: venvPython(q.env.VIRTUAL_ENV, platform), source: "VIRTUAL_ENV", explicit: false });
  out.push({ python: venvPython(join(q.cwd, ".venv"), platform), source: ".venv", explicit: false });
  for (const name of platform === "win32" ? ["python.exe", "python3.exe"] : ["python3", "python"]) {
    out.push({ python: name, source: "PATH", explicit: false });
  }
  return out;
}

function isBareName(p: string): boolean {
  return !p.includes("/") && !p.includes("\\");
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, process.platform === "win32" ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A command's path from the env's PATH (what a shell would run), or undefined. */
export async function whichIn(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? env.Path ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function locate(candidate: PythonCandidate, cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (isBareName(candidate.python)) return whichIn(candidate.python, env);
  const path = isAbsolute(candidate.python) ? candidate.python : resolve(cwd, candidate.python);
  return (await isExecutableFile(path)) ? path : undefined;
}

/** The interpreter to use, or EMIGRAKIT_PYTHON_NOT_FOUND listing what was tried. */
export async function findPython(q: PythonQuery): Promise<FoundPython> {
  const tried: string[] = [];
  for (const candidate of pythonCandidates(q)) {
    tried.push(`${candidate.python} (${candidate.source})`);
    const found = await locate(candidate, q.cwd, q.env);
    if (found) return { python: found, source: candidate.source };
    if (candidate.explicit) break;
  }
  throw new MigrakitError("EMIGRAKIT_PYTHON_NOT_FOUND", { tried: tried.join(", ") });
}
