// The Python interpreters tests run the bridge with: the venvs scripts/python-envs.sh builds from
// python/requirements/{current,legacy}.txt (`npm test` runs it first, via pretest).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root (this file is dist/test/helpers/python.js once compiled). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export type StackName = "current" | "legacy";

export function testPythons(): { name: StackName; python: string }[] {
  const stacks: StackName[] = ["current", "legacy"];
  return stacks.map((name) => {
    const python = join(REPO_ROOT, ".venvs", name, "bin", "python");
    if (!existsSync(python)) {
      throw new Error(
        `${python} is missing: run \`bash scripts/python-envs.sh\` (npm test does it first) to build the test Pythons.`,
      );
    }
    return { name, python };
  });
}
