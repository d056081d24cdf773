// git in a test's temporary repository, as a fixed author (no user config needed on the machine).
import { execFileSync } from "node:child_process";

const AUTHOR = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

/** A function running `git ARGS…` in `dir` and returning its stdout. */
export function gitIn(dir: string): (...args: string[]) => string {
  return (...args) => execFileSync("git", args, { cwd: dir, encoding: "utf8", env: { ...process.env, ...AUTHOR } });
}
