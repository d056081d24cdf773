// Runs the real bin on a real pseudo-terminal (python's pty module), as a person at a terminal runs it:
// stdin, stdout and stderr are the pty, so isTTY is true. Returns what the terminal showed.
import { spawnSync } from "node:child_process";
import { MIGRAKIT_BIN } from "./cli.js";
import { ownFolders } from "./isolation.js";

const PTY_RUNNER = `
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
answer = os.environ.get("PTY_ANSWER")
out = b""
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    if answer is not None and b"PTY_PROMPT" not in out and os.environ.get("PTY_PROMPT", "\\0").encode() in out:
        os.write(fd, answer.encode() + b"\\n")
        out += b"PTY_PROMPT"
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out.replace(b"PTY_PROMPT", b""))
sys.exit(os.waitstatus_to_exitcode(status) % 256)
`;

export interface PtyResult {
  status: number | null;
  /** Everything the terminal showed (stdout and stderr together, \\r\\n line ends). */
  screen: string;
}

/** `migrakit args…` on a pty; `answer` is typed once `prompt` appears on the screen. */
export function runOnPty(
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; prompt?: string; answer?: string; timeoutMs?: number },
): PtyResult {
  const env = ownFolders({ ...process.env, GITHUB_ACTIONS: "", CI: "", ...opts.env }, opts.env);
  if (opts.prompt !== undefined && opts.answer !== undefined)
    Object.assign(env, { PTY_PROMPT: opts.prompt, PTY_ANSWER: opts.answer });
  const r = spawnSync("python3", ["-c", PTY_RUNNER, process.execPath, MIGRAKIT_BIN, ...args], {
    cwd: opts.cwd,
    env,
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 180_000,
  });
  return { status: r.status, screen: r.stdout };
}
