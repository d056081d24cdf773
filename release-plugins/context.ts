// The parts of semantic-release's plugin context the migrakit plugin reads. Declared here (rather than taken
// from semantic-release's typings) so the plugin depends on the documented fields only.

export interface Logger {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  success(...args: unknown[]): void;
}

export interface ReleaseContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  options: { dryRun?: boolean; [key: string]: unknown };
  branch?: { name: string; type?: string; channel?: string | null; prerelease?: string | boolean };
  lastRelease?: { version?: string; gitTag?: string };
  nextRelease?: { version: string; type?: string; channel?: string | null; gitTag?: string; notes?: string };
  commits?: { hash?: string; message: string }[];
}

/** `["migrakit/release", {…}]` options as a user writes them (validated in options.ts). */
export type RawPluginConfig = Record<string, unknown>;
