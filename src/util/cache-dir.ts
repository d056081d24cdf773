// The per-user cache folder of migrakit (the result cache, templates' markers, the scripts' parse memo).
import { homedir } from "node:os";
import { join } from "node:path";
import { isCI } from "./ci.js";

/** `$XDG_CACHE_HOME/migrakit`, else `~/.cache/migrakit`. */
export function cacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME?.trim() || join(env.HOME || homedir(), ".cache");
  return join(base, "migrakit");
}

/**
 * Where the scripts' parse memo goes (src/util/file-memo.ts), or undefined for none: not in CI (a fresh clone
 * never hits it; writing it only costs), nor with MIGRAKIT_NO_CACHE=1 or --no-cache (`use` false).
 */
export function memoDir(env: NodeJS.ProcessEnv, use = true): string | undefined {
  return use && !isCI(env) && env.MIGRAKIT_NO_CACHE !== "1" ? cacheDir(env) : undefined;
}
