// Branch rebase of scripts: after main is merged into a branch, the branch's unreleased script(s) and main's
// new scripts both hang off the old head (two heads). The branch's line is re-parented on main's head and
// `_migration` follows; released scripts never move. The plan is pure; choosing which line is main's may
// ask git (which scripts main has), done by the caller.
import type { SchemaRepo, ScriptFile } from "../model/repo.js";
import { setInitValue } from "../model/init-file.js";
import { setDownRevision } from "../model/script-source.js";
import { MigrakitError } from "../errors/index.js";
import type { FileWrite } from "./generate.js";

export interface Line {
  /** From the first script after the branch point to the head. */
  scripts: ScriptFile[];
  head: string;
  released: boolean;
}

export interface RebasePlan {
  /** The line that stays (main's). */
  onto: Line;
  /** The line that moves (the branch's). */
  moved: Line;
  /** The revision the moved line hung off. */
  branchPoint: string | null;
  writes: FileWrite[];
}

const rev = (s: ScriptFile) => s.source.revision?.value ?? s.name.revision ?? "";
const parents = (s: ScriptFile) => s.source.downRevision?.value ?? [];

/** The lines that end in each head, each back to the script after the point where it branched. Pure. */
export function linesOf(repo: SchemaRepo): { lines: Line[]; branchPoint: string | null } | null {
  const g = repo.graph;
  if (g.heads.length !== 2 || g.cycles.length || g.missingParents.length || g.merges.length) return null;
  const byRev = new Map(repo.scripts.map((s) => [rev(s), s]));
  const children = new Map<string, number>();
  for (const s of repo.scripts) for (const p of parents(s)) children.set(p, (children.get(p) ?? 0) + 1);
  const roots = g.roots;
  const lines: Line[] = [];
  let branchPoint: string | null | undefined;
  for (const head of g.heads) {
    const scripts: ScriptFile[] = [];
    let at: ScriptFile | undefined = byRev.get(head);
    while (at) {
      scripts.unshift(at);
      const p = parents(at)[0];
      if (p === undefined) {
        // Two roots: each head's line starts at its own root.
        if (roots.length > 1) break;
        return null;
      }
      if ((children.get(p) ?? 0) > 1) {
        if (branchPoint !== undefined && branchPoint !== p) return null;
        branchPoint = p;
        break;
      }
      at = byRev.get(p);
    }
    lines.push({ scripts, head, released: scripts.some((s) => s.name.kind !== "unreleased") });
  }
  return { lines, branchPoint: branchPoint ?? null };
}

/**
 * Which line moves. `mainHas`: paths of scripts main (MERGE_HEAD or --onto) has, when known; `addedAt`:
 * when each script was first committed (seconds; Infinity when not committed yet). Pure.
 */
export function chooseMoving(
  lines: Line[],
  o: { mainHas?: Set<string> | null; addedAt?: Map<string, number> },
): { onto: Line; moved: Line } | { reason: string } {
  const [a, b] = lines as [Line, Line];
  if (a.released && b.released) return { reason: "both lines hold released scripts, which never change" };
  if (a.released) return { onto: a, moved: b };
  if (b.released) return { onto: b, moved: a };
  if (o.mainHas) {
    const inMain = (l: Line) => l.scripts.every((s) => o.mainHas!.has(s.path));
    if (inMain(a) && !inMain(b)) return { onto: a, moved: b };
    if (inMain(b) && !inMain(a)) return { onto: b, moved: a };
  }
  if (o.addedAt) {
    const first = (l: Line) => Math.min(...l.scripts.map((s) => o.addedAt!.get(s.path) ?? Infinity));
    const fa = first(a);
    const fb = first(b);
    if (fa < fb) return { onto: a, moved: b };
    if (fb < fa) return { onto: b, moved: a };
  }
  return { reason: "both lines are unreleased and nothing tells which one is main's" };
}

/** The writes of a rebase: the moved line's first script on the other head, `_migration` on the new head. Pure. */
export function planRebase(
  repo: SchemaRepo,
  o: { mainHas?: Set<string> | null; addedAt?: Map<string, number> },
): RebasePlan {
  const found = linesOf(repo);
  if (!found)
    throw new MigrakitError("EMIGRAKIT_REBASE_UNDECIDABLE", {
      package: repo.package,
      reason: `they are not two lines from one branch point (heads: ${repo.graph.heads.join(", ")})`,
    });
  const choice = chooseMoving(found.lines, o);
  if ("reason" in choice)
    throw new MigrakitError("EMIGRAKIT_REBASE_UNDECIDABLE", { package: repo.package, reason: choice.reason });
  const first = choice.moved.scripts[0]!;
  const writes: FileWrite[] = [
    { path: first.path, content: setDownRevision(first.text, first.source, choice.onto.head), created: false },
  ];
  const init = repo.init;
  if (init?.text != null && init.parsed?.migration?.value !== choice.moved.head) {
    const transform = (text: string) => setInitValue(text, "_migration", choice.moved.head);
    writes.push({ path: init.path, content: transform(init.text), transform, created: false });
  }
  return { ...choice, branchPoint: found.branchPoint, writes };
}
