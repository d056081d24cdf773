// The per-user cache folder of migrakit (the result cache, templates' markers, the scripts' parse memo).
import { join } from "node:path";
import { isCI } from "./ci.js";

/**
 * `$XDG_CACHE_HOME/migrakit`, else `$HOME/.cache/migrakit`; undefined when neither is set (the result cache
 * then asks node:os for the home folder: not loaded here, the quick paths do without it).
 */
export function cacheDirFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const base = env.XDG_CACHE_HOME?.trim() || (env.HOME ? join(env.HOME, ".cache") : undefined);
  return base === undefined ? undefined : join(base, "migrakit");
}

/**
 * Where the scripts' parse memo goes (src/util/file-memo.ts), or undefined for none: not in CI (a fresh clone
 * never hits it; writing it only costs), nor with MIGRAKIT_NO_CACHE=1 or --no-cache (`use` false).
 */
export function memoDir(env: NodeJS.ProcessEnv, use = true): string | undefined {
  return use && !isCI(env) && env.MIGRAKIT_NO_CACHE !== "1" ? cacheDirFromEnv(env) : undefined;
}
