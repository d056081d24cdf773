// Where the embedded server keeps its files. Pure: the environment in, paths out.
import { join } from "node:path";

/** The files kept next to a data folder `<dir>`: `<dir>.json`, `<dir>.lock`, `<dir>.log`, `<dir>.password`. */
export interface EmbeddedPaths {
  dataDir: string;
  /** {pid, port, dataDir, version} of the running server. */
  stateFile: string;
  /** Guards initialise / start / stop / state updates across processes. */
  lockFile: string;
  /** The server's stderr, truncated at each start. */
  logFile: string;
  /** The superuser password chosen at initdb, mode 0600. */
  passwordFile: string;
}

export function sidecarPaths(dataDir: string): EmbeddedPaths {
  return {
    dataDir,
    stateFile: `${dataDir}.json`,
    lockFile: `${dataDir}.lock`,
    logFile: `${dataDir}.log`,
    passwordFile: `${dataDir}.password`,
  };
}

export interface DataDirInputs {
  env: NodeJS.ProcessEnv;
  home: string;
  major: number;
  /** Set when running as root: the user Postgres runs as instead. */
  runAsUser?: string;
}

/**
 * The per-user cached data folder: `$XDG_CACHE_HOME/migrakit/pg-<major>`, else `~/.cache/migrakit/pg-<major>`.
 * As root, Postgres runs as another user, who cannot reach root's home (mode 0700), so the cache lives in
 * `/var/tmp/migrakit-<user>/pg-<major>` instead: /var/tmp survives reboots (unlike /tmp) and every user
 * can reach it. `migrakit-<user>` belongs to root (mode 0755: the server user may pass, not write) and
 * holds root's files (state, lock, log, password); only the data folder inside belongs to the server
 * user (mode 0700). embedded.ts refuses a `migrakit-<user>` folder that someone else made.
 */
export function defaultDataDir(inputs: DataDirInputs): string {
  const leaf = `pg-${inputs.major}`;
  if (inputs.runAsUser) return join("/var/tmp", `migrakit-${inputs.runAsUser}`, leaf);
  const cache = inputs.env.XDG_CACHE_HOME?.trim() || join(inputs.home, ".cache");
  return join(cache, "migrakit", leaf);
}
