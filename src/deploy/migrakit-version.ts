// migrakit's own version (recorded with each deploy) and who runs it.
import { readFile } from "node:fs/promises";
import { hostname, userInfo } from "node:os";

export async function migrakitVersion(): Promise<string> {
  const text = await readFile(new URL("../../../package.json", import.meta.url), "utf8").catch(() => "{}");
  return String((JSON.parse(text) as { version?: string }).version ?? "unknown");
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
