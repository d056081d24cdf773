// A package as it reads once a plan's files are written (pure): the hook writes the new or refreshed script and
// `_migration` into its snapshot and checks the result; reading a thousand scripts again from disk for two
// changed files was most of what the hook's own code spent between generate and the check.
import { parseInitFile } from "../model/init-file.js";
import { buildGraph } from "../model/graph.js";
import type { SchemaRepo, ScriptFile } from "../model/repo.js";
import { parseScriptName } from "../model/script-name.js";
import { parseScriptSource } from "../model/script-source.js";
import type { FileWrite } from "./generate.js";

/**
 * `repo` with `writes` (paths relative to its root) applied as readSchemaRepo would read them: a script of its
 * versions folder replaced or added (scripts stay sorted by name), the `__init__.py` parsed again, the graph
 * rebuilt; a new script is pending where the repo tells pending scripts apart (convention alembic).
 */
export function withWrites(repo: SchemaRepo, writes: FileWrite[]): SchemaRepo {
  const scripts = new Map(repo.scripts.map((s) => [s.path, s]));
  let init = repo.init;
  const pending = repo.pending ? new Set(repo.pending) : undefined;
  for (const w of writes) {
    if (init && w.path === init.path) {
      init = { ...init, text: w.content, parsed: parseInitFile(w.content) };
      continue;
    }
    const name = w.path.slice(repo.versionsDir.length + 1);
    if (!w.path.startsWith(`${repo.versionsDir}/`) || name.includes("/"))
      throw new Error(`internal: ${w.path} is neither a script nor the __init__.py of ${repo.package}`);
    const script: ScriptFile = {
      path: w.path,
      name: parseScriptName(name),
      source: parseScriptSource(w.content),
      text: w.content,
    };
    scripts.set(w.path, script);
    if (w.created) pending?.add(w.path);
  }
  const sorted = [...scripts.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    ...repo,
    init,
    scripts: sorted,
    graph: buildGraph(sorted),
    ...(pending ? { pending } : {}),
  };
}
