// The one answer to "is this a CI run?", read by every part that behaves differently there (prompts,
// result cache, the embedded server's lifetime). CI=true / CI=1 as CI providers set it; CI=false, CI=0 or
// an empty CI is a developer who switched it off, not CI.
export function isCI(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci === "true" || ci === "1";
}
