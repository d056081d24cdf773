// The one choke point for running git: safe flags, no pager, no prompts, output as text.
import type * as ChildProcess from "node:child_process";

// node:child_process (and the net and stream modules it loads) only once git is run: the quick paths usually run
// none (src/checks/released-fast.ts), and loading it is a few percent of their time. The built-in itself where
// Node has process.getBuiltinModule (20.16+): an import() of it builds its module facade first.
const own = process as { getBuiltinModule?: (id: string) => unknown };
let childProcess: typeof ChildProcess | undefined;
const loadChildProcess = async () =>
  (childProcess ??=
    (own.getBuiltinModule?.("node:child_process") as typeof ChildProcess | undefined) ??
    (await import("node:child_process")));

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    /** git itself could not be started (not installed, not on PATH): no fetch or checkout can help then. */
    readonly notFound = false,
  ) {
    super(
      notFound
        ? `git ${args.join(" ")} could not run: no git on PATH`
        : `git ${args.join(" ")} failed (${exitCode}): ${stderr.trim().split("\n")[0] ?? ""}`,
    );
  }
}

export async function git(
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; input?: string },
): Promise<string> {
  const { execFile } = await loadChildProcess();
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      ["-c", "core.quotepath=off", "-c", "color.ui=false", ...args],
      {
        cwd: opts.cwd,
        env: { ...(opts.env ?? process.env), GIT_TERMINAL_PROMPT: "0", GIT_PAGER: "cat", LC_ALL: "C" },
        maxBuffer: 256 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new GitError(args, typeof error.code === "number" ? error.code : null, stderr, error.code === "ENOENT"),
          );
        else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Split NUL-separated git output (`-z`) into its fields. */
export function splitZ(out: string): string[] {
  const parts = out.split("\0");
  if (parts.at(-1) === "") parts.pop();
  return parts;
}
