// The repo the quick-path benches read: `n` scripts of which the first `n - unreleased` were released as
// v0.<n - unreleased>.0 (that commit carries the release tag, as a release leaves it), then the unreleased ones
// committed on top. Without the tag the "released scripts never change" rule has nothing to compare with and
// the bench would time the warning's git calls instead of the rule a real repo runs.
import {
  chain,
  headOf,
  initText,
  makeSchemaRepo,
  scriptFileName,
  scriptText,
  type TempRepo,
} from "../test/helpers/schema-repo.js";

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
