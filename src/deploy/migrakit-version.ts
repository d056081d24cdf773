// migrakit's own version (recorded with each deploy) and who runs it.
import { hostname, userInfo } from "node:os";
import { migrakitVersion as installedVersion } from "../util/package-root.js";

export async function migrakitVersion(): Promise<string> {
  return installedVersion();
}

/** `user@host` of the operator; MIGRAKIT_DEPLOYED_BY overrides it (a CI job can name the person or pipeline). */
export function deployedBy(env: NodeJS.ProcessEnv): string {
  if (env.MIGRAKIT_DEPLOYED_BY) return env.MIGRAKIT_DEPLOYED_BY;
  let user = env.USER ?? env.USERNAME ?? "";
  try {
    user ||= userInfo().username;
  } catch {
    user ||= "unknown";
  }
  return `${user}@${hostname()}`;
}
