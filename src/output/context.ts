// What every command receives instead of reading process.* itself, so tests can run commands in-process
// with their own folder, environment and output streams (as semantic-release plugins take {cwd, env}).
import type { Writable } from "node:stream";

export interface Context {
  /** The repository root the command works on (from --cwd, else process.cwd()). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Writable;
  stderr: Writable;
  /** True when a person is watching (stderr is a terminal and CI is not set): progress and prompts allowed. */
  interactive: boolean;
  /** --json: machine-readable result on stdout, nothing else there. */
  json: boolean;
  /** --package NAME, when given. */
  packageName?: string;
}
