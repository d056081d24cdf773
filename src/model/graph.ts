// The revision graph of a package's scripts (docs/spec.md §1 wants one root, one head, a linear chain). Linear time
// in the number of scripts: revisions become integer ids once, then everything works on arrays (one
// iterative Tarjan pass for cycles, no recursion, no pairwise work).
import type { RevisionGraph, Script } from "./types.js";

/** Strongly connected components of size > 1 (or with a self-loop), each as a cycle walked parent → child. */
function findCycles(count: number, children: number[][], parents: number[][]): number[][] {
  const index = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const stack: number[] = [];
  const cycles: number[][] = [];
  let next = 0;
  for (let root = 0; root < count; root++) {
    if (index[root] !== -1) continue;
    // Explicit DFS stacks (node, position in its child list), so a 5000-long chain cannot overflow.
    const nodes = [root];
    const pos = [0];
    index[root] = low[root] = next++;
    stack.push(root);
    onStack[root] = 1;
    while (nodes.length > 0) {
      const top = nodes.length - 1;
      const v = nodes[top]!;
      const kids = children[v]!;
      if (pos[top]! < kids.length) {
        const w = kids[pos[top]!++]!;
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack.push(w);
          onStack[w] = 1;
          nodes.push(w);
          pos.push(0);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      nodes.pop();
      pos.pop();
      if (nodes.length > 0) {
        const u = nodes[nodes.length - 1]!;
        low[u] = Math.min(low[u]!, low[v]!);
      }
      if (low[v] !== index[v]) continue;
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = 0;
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || parents[v]!.includes(v)) cycles.push(walkCycle(component, children));
    }
  }
  // Report cycles in the order of their earliest script, like everything else.
  return cycles.sort((a, b) => a[0]! - b[0]!);
}

/** Order a component for display: from its earliest script (ids follow input order), following children inside it. */
function walkCycle(component: number[], children: number[][]): number[] {
  const members = new Set(component);
  const sorted = [...component].sort((a, b) => a - b);
  const out: number[] = [];
  const seen = new Set<number>();
  let cur: number | undefined = sorted[0];
  while (cur !== undefined && !seen.has(cur)) {
    seen.add(cur);
    out.push(cur);
    cur = children[cur]!.find((c) => members.has(c) && !seen.has(c));
  }
  for (const r of sorted) if (!seen.has(r)) out.push(r); // components that are not one simple ring
  return out;
}

export function buildGraph(scripts: Script[]): RevisionGraph {
  const byRevision = new Map<string, Script[]>();
  const id = new Map<string, number>();
  const order: string[] = [];
  let withRevision = 0;
  for (const s of scripts) {
    const rev = s.source.revision?.value;
    if (rev === undefined) continue;
    withRevision++;
    const list = byRevision.get(rev);
    if (list) list.push(s);
    else {
      byRevision.set(rev, [s]);
      id.set(rev, order.length);
      order.push(rev);
    }
  }
  const count = order.length;
  // A duplicate revision takes its parents from the first script defining it; the duplicate is reported apart.
  const parents: number[][] = [];
  const children: number[][] = Array.from({ length: count }, () => []);
  const parentCount = new Int32Array(count);
  const missingParents: { revision: string; parent: string }[] = [];
  for (let v = 0; v < count; v++) {
    const rev = order[v]!;
    const names = [...new Set(byRevision.get(rev)![0]!.source.downRevision?.value ?? [])];
    const ps: number[] = [];
    for (const p of names) {
      const pid = id.get(p);
      if (pid === undefined) {
        missingParents.push({ revision: rev, parent: p });
        parentCount[v]++;
      } else {
        ps.push(pid);
        children[pid]!.push(v);
        parentCount[v]++;
      }
    }
    parents.push(ps);
  }
  const pick = (keep: (v: number) => boolean) => order.filter((_, v) => keep(v));
  const roots = pick((v) => parentCount[v] === 0);
  const heads = pick((v) => children[v]!.length === 0);
  const branchPoints = pick((v) => children[v]!.length > 1);
  const merges = pick((v) => parentCount[v]! > 1);
  const cycles = findCycles(count, children, parents).map((c) => c.map((v) => order[v]!));

  // A head's own branch: down its single parents while the parent has no other child (alembic stops there too).
  const labelsOf = (v: number) => byRevision.get(order[v]!)![0]!.source.branchLabels ?? [];
  const headLabels = new Map<string, string[]>();
  for (const head of heads) {
    const labels: string[] = [];
    const seen = new Set<number>();
    for (let v = id.get(head)!; !seen.has(v); ) {
      seen.add(v);
      labels.push(...labelsOf(v));
      const p = parents[v]!;
      if (p.length !== 1 || parentCount[v] !== 1 || children[p[0]!]!.length !== 1) break;
      v = p[0]!;
    }
    headLabels.set(head, [...new Set(labels)]);
  }

  let chain: string[] | null = null;
  const linear =
    roots.length === 1 &&
    heads.length === 1 &&
    branchPoints.length === 0 &&
    merges.length === 0 &&
    cycles.length === 0 &&
    missingParents.length === 0 &&
    count === withRevision; // no duplicates
  if (linear) {
    const ids = [id.get(roots[0]!)!];
    for (let kids = children[ids[0]!]!; kids.length > 0; kids = children[kids[0]!]!) ids.push(kids[0]!);
    if (ids.length === count) chain = ids.map((v) => order[v]!);
  }
  return { byRevision, roots, heads, branchPoints, merges, cycles, missingParents, headLabels, chain };
}

/** Several heads, each with a branch label of its own (no label names two heads): alembic's multi-branch setup. */
export function labelledBranches(g: RevisionGraph): boolean {
  if (g.heads.length < 2) return false;
  const owner = new Map<string, string>();
  for (const head of g.heads) {
    const labels = g.headLabels.get(head) ?? [];
    if (labels.length === 0) return false;
    for (const l of labels) {
      if ((owner.get(l) ?? head) !== head) return false;
      owner.set(l, head);
    }
  }
  return true;
}

/** The head a branch label (or a head's revision) names, or undefined. */
export function headNamed(g: RevisionGraph, name: string): string | undefined {
  return g.heads.find((h) => h === name || (g.headLabels.get(h) ?? []).includes(name));
}
