// Which scripts the dynamic checks replay and which they test one by one. Pure: the loaded repo in, a plan out.
import type { SchemaRepo, ScriptFile } from "../../model/repo.js";
import { labelledBranches } from "../../model/graph.js";

export interface ChainPlan {
  /** Every script from root to head. */
  chain: ScriptFile[];
  /** Released (and legacy) scripts: the history a `replay` baseline applies in one go. */
  released: ScriptFile[];
  /**
   * The `vx_x_x` scripts at the tip (under the `alembic` convention: the scripts not committed yet, see
   * SchemaRepo.pending), each upgraded, round-tripped and named on failure.
   */
  unreleased: ScriptFile[];
  /** The revision the released history ends at (null when nothing is released). */
  releasedHead: string | null;
  /**
   * Where the released history ends on each branch (labelled branches: the released scripts no released
   * script builds on; else just releasedHead): what the replay upgrades to.
   */
  releasedHeads: string[];
  /** The last script of `chain`; with labelled branches one of `heads`, the one after every other script. */
  head: string | null;
  /** Every head (one but for labelled branches): what `alembic upgrade heads` ends at. */
  heads: string[];
}

/** The revision a script's downgrade goes back to: its parent, or alembic's "base" for the root. */
export const parentOf = (s: ScriptFile): string => s.source.downRevision?.value[0] ?? "base";

export const revisionOf = (s: ScriptFile): string => s.source.revision?.value ?? s.name.revision ?? "";

/**
 * The chain split at its first unreleased script, or null when there is no single linear chain (the static
 * rules already report why, and alembic could not run it either).
 */
export function planChain(repo: SchemaRepo): ChainPlan | null {
  // A new package has no scripts yet: a chain of length 0, on which generate writes the first script and the
  // check compares the ORM with an empty database (instead of finding nothing to check).
  if (repo.scripts.length === 0 && repo.undecodable.length === 0 && repo.notFiles.length === 0) {
    return { chain: [], released: [], unreleased: [], releasedHead: null, releasedHeads: [], head: null, heads: [] };
  }
  const g = repo.graph;
  // Several heads are one history only as alembic's labelled branches (convention alembic): applied together.
  const branches = repo.convention === "alembic" && labelledBranches(g);
  if (g.cycles.length > 0 || (g.heads.length > 1 && !branches) || g.missingParents.length > 0) return null;
  // An app's history may branch and merge again (convention alembic): parents before children is the order
  // `alembic upgrade` applies it in, and one head means every script is on the way to it.
  // Scripts not committed yet go as late as their parents allow, so that the committed history of every branch
  // is the replayed part and only the uncommitted scripts are stepped through.
  const late = new Set(
    [...(repo.pending ?? [])].map((path) => repo.scripts.find((s) => s.path === path)?.source.revision?.value),
  );
  const order = g.chain ?? (repo.convention === "alembic" ? topologicalOrder(repo, late) : null);
  if (!order) return null;
  const chain = order.map((rev) => g.byRevision.get(rev)![0] as ScriptFile);
  // An app's repo (convention alembic) names nothing `vx_x_x` as a rule: what is not committed yet is still its
  // to change. A `vx_x_x` script (a lamin repo set to alembic) stays unreleased, as it was before.
  const pending = repo.convention === "alembic" ? repo.pending : undefined;
  const cut = chain.findIndex((s) => s.name.kind === "unreleased" || pending?.has(s.path) === true);
  const released = cut < 0 ? chain : chain.slice(0, cut);
  const unreleased = cut < 0 ? [] : chain.slice(cut);
  const builtOn = new Set(released.flatMap((s) => s.source.downRevision?.value ?? []));
  const releasedHeads = released.map(revisionOf).filter((r) => !builtOn.has(r));
  return {
    chain,
    released,
    unreleased,
    releasedHead: released.length ? revisionOf(released.at(-1)!) : null,
    releasedHeads: branches ? releasedHeads : released.length ? [revisionOf(released.at(-1)!)] : [],
    head: chain.length ? revisionOf(chain.at(-1)!) : null,
    heads: g.heads,
  };
}

/** The scripts after `revision` in the chain (all of them for null): what a `release` baseline leaves to upgrade. */
export function scriptsAfter(plan: ChainPlan, revision: string | null): ScriptFile[] | null {
  if (revision === null) return plan.chain;
  const i = plan.chain.findIndex((s) => revisionOf(s) === revision);
  return i < 0 ? null : plan.chain.slice(i + 1);
}

/**
 * Revisions with every parent (and `depends_on`) before its children (Kahn's algorithm, ties by revision so the
 * order is stable; revisions in `late` after the others when the graph allows), or null when a revision is
 * defined twice.
 */
export function topologicalOrder(repo: SchemaRepo, late: ReadonlySet<string | undefined> = new Set()): string[] | null {
  const parents = orderingParents(repo);
  if (!parents) return null;
  const children = new Map<string, string[]>();
  const waiting = new Map<string, number>();
  for (const [rev, ps] of parents) {
    waiting.set(rev, ps.length);
    for (const p of ps) children.set(p, [...(children.get(p) ?? []), rev]);
  }
  const byPriority = (a: string, b: string) =>
    Number(late.has(a)) - Number(late.has(b)) || (a < b ? -1 : a > b ? 1 : 0);
  const ready = [...parents.keys()].filter((r) => waiting.get(r) === 0).sort(byPriority);
  const out: string[] = [];
  while (ready.length) {
    const rev = ready.shift()!;
    out.push(rev);
    for (const c of children.get(rev) ?? []) {
      const left = waiting.get(c)! - 1;
      waiting.set(c, left);
      if (left === 0) {
        ready.push(c);
        ready.sort(byPriority);
      }
    }
  }
  return out.length === parents.size ? out : null;
}

/**
 * Each revision's parents as alembic orders them: its down revisions and what its `depends_on` names (a
 * revision or a branch label's script: alembic applies it first, and counts it applied below the revision).
 * Null when a revision is defined twice.
 */
export function orderingParents(repo: SchemaRepo): Map<string, string[]> | null {
  const g = repo.graph;
  const parents = new Map<string, string[]>();
  for (const [rev, scripts] of g.byRevision) {
    if (scripts.length !== 1) return null;
    parents.set(rev, scripts[0]!.source.downRevision?.value ?? []);
  }
  const labelled = new Map<string, string>();
  for (const [rev, scripts] of g.byRevision)
    for (const l of scripts[0]!.source.branchLabels ?? []) labelled.set(l, rev);
  for (const [rev, scripts] of g.byRevision) {
    const deps = (scripts[0]!.source.dependsOn ?? []).map((d) => (parents.has(d) ? d : labelled.get(d)));
    const extra = deps.filter((d): d is string => d !== undefined && d !== rev && !parents.get(rev)!.includes(d));
    if (extra.length) parents.set(rev, [...parents.get(rev)!, ...extra]);
  }
  return parents;
}
