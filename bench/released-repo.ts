// The repo the quick-path benches read: `n` scripts of which the first `n - unreleased` were released as
// v0.<n - unreleased>.0 (that commit carries the release tag, as a release leaves it), then the unreleased ones
// committed on top. Without the tag the "released scripts never change" rule has nothing to compare with and
// the bench would time the warning's git calls instead of the rule a real repo runs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  chain,
  headOf,
  initText,
  makeSchemaRepo,
  scriptFileName,
  scriptText,
  type TempRepo,
} from "../test/helpers/schema-repo.js";

/**
 * An environment for the bench's runs of a repo just made with its own cache folder (no memo or result of the user's runs), once
 * the repo's files are older than the parse memo's racy window (src/util/file-memo.ts: a file changed in the
 * last 2 s is read again on every run, and a real repo's scripts are older than that).
 */
export async function benchEnv(): Promise<{ env: NodeJS.ProcessEnv; cleanup: () => void }> {
  await new Promise((r) => setTimeout(r, 2100));
  const cache = mkdtempSync(join(tmpdir(), "migrakit-bench-cache-"));
  return {
    env: { ...process.env, XDG_CACHE_HOME: cache },
    cleanup: () => rmSync(cache, { recursive: true, force: true }),
  };
}

export function releasedRepo(n: number, unreleased: number): TempRepo {
  const scripts = chain(n, { released: n - unreleased });
  const version = `0.${n - unreleased}.0`;
  const released = scripts.slice(0, n - unreleased);
  const repo = makeSchemaRepo({
    scripts: released,
    init: { version, migration: headOf(released) },
    commit: true,
    tag: `v${version}`,
  });
  for (const s of scripts.slice(n - unreleased))
    repo.write(`${repo.pkg}/migrations/versions/${scriptFileName(s)}`, scriptText(s));
  repo.write(`${repo.pkg}/__init__.py`, initText({ version, migration: headOf(scripts) }));
  repo.git("add", "-A");
  repo.git("commit", "-q", "-m", "feat: unreleased scripts");
  return repo;
}
