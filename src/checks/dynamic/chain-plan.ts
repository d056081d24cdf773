// Which scripts the dynamic checks replay and which they test one by one. Pure: the loaded repo in, a plan out.
import type { SchemaRepo, ScriptFile } from "../../model/repo.js";

export interface ChainPlan {
  /** Every script from root to head. */
  chain: ScriptFile[];
  /** Released (and legacy) scripts: the history a `replay` baseline applies in one go. */
  released: ScriptFile[];
  /** The `vx_x_x` scripts at the tip, each upgraded, round-tripped and named on failure. */
  unreleased: ScriptFile[];
  /** The revision the released history ends at (null when nothing is released). */
  releasedHead: string | null;
  head: string | null;
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
    return { chain: [], released: [], unreleased: [], releasedHead: null, head: null };
  }
  const g = repo.graph;
  if (!g.chain || g.cycles.length > 0 || g.heads.length > 1 || g.missingParents.length > 0) return null;
  const chain = g.chain.map((rev) => g.byRevision.get(rev)![0] as ScriptFile);
  const cut = chain.findIndex((s) => s.name.kind === "unreleased");
  const released = cut < 0 ? chain : chain.slice(0, cut);
  const unreleased = cut < 0 ? [] : chain.slice(cut);
  return {
    chain,
    released,
    unreleased,
    releasedHead: released.length ? revisionOf(released.at(-1)!) : null,
    head: chain.length ? revisionOf(chain.at(-1)!) : null,
  };
}

/** The scripts after `revision` in the chain (all of them for null): what a `release` baseline leaves to upgrade. */
export function scriptsAfter(plan: ChainPlan, revision: string | null): ScriptFile[] | null {
  if (revision === null) return plan.chain;
  const i = plan.chain.findIndex((s) => revisionOf(s) === revision);
  return i < 0 ? null : plan.chain.slice(i + 1);
}
