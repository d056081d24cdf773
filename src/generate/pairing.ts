// Pairing dropped things with added things by how well they match (pure): the assignment under
// renames.ts. Each candidate pair has a score; the best pairs are taken first, and only a true tie — two
// pairs with the same best score that want the same drop or the same add — is left to the user.
//
// The order of the input does not change the result: pairs are compared by score, then the tie is
// reported whole; nothing depends on which candidate came first.

export interface Candidate<D, A> {
  drop: D;
  add: A;
  score: number;
}

export interface Tie<D, A> {
  drops: D[];
  adds: A[];
  /** The tied pairs (each one an option the user may choose). */
  pairs: Candidate<D, A>[];
}

export interface Assignment<D, A> {
  pairs: Candidate<D, A>[];
  ties: Tie<D, A>[];
}

/** Greedy by score: take every best pair that competes with no other best pair; report ties. */
export function assign<D, A>(candidates: Candidate<D, A>[]): Assignment<D, A> {
  let left = [...candidates];
  const pairs: Candidate<D, A>[] = [];
  const ties: Tie<D, A>[] = [];
  while (left.length) {
    const best = Math.max(...left.map((c) => c.score));
    const top = left.filter((c) => c.score === best);
    const clean = top.filter((c) => !top.some((o) => o !== c && (o.drop === c.drop || o.add === c.add)));
    const settled = new Set<unknown>();
    if (clean.length) {
      for (const c of clean) {
        pairs.push(c);
        settled.add(c.drop).add(c.add);
      }
    } else {
      for (const group of components(top)) {
        ties.push({ drops: unique(group.map((c) => c.drop)), adds: unique(group.map((c) => c.add)), pairs: group });
        for (const c of group) settled.add(c.drop).add(c.add);
      }
    }
    left = left.filter((c) => !settled.has(c.drop) && !settled.has(c.add));
  }
  return { pairs, ties };
}

const unique = <T>(xs: T[]) => [...new Set(xs)];

/** Groups of pairs linked by a shared drop or add. */
function components<D, A>(pairs: Candidate<D, A>[]): Candidate<D, A>[][] {
  const groups: Candidate<D, A>[][] = [];
  for (const p of pairs) {
    const linked = groups.filter((g) => g.some((o) => o.drop === p.drop || o.add === p.add));
    const merged = [p, ...linked.flat()];
    for (const g of linked) groups.splice(groups.indexOf(g), 1);
    groups.push(merged);
  }
  return groups.map((g) => [...g].reverse());
}

/** How alike two names are, 0..1: the share of their `_`-separated words and letter pairs in common. */
export function nameSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const words = (s: string) => new Set(s.toLowerCase().split(/_+/).filter(Boolean));
  const bigrams = (s: string) => {
    const t = s.toLowerCase();
    const out = new Set<string>();
    for (let i = 0; i + 1 < t.length; i++) out.add(t.slice(i, i + 2));
    return out;
  };
  const dice = (x: Set<string>, y: Set<string>) => {
    if (!x.size || !y.size) return 0;
    let n = 0;
    for (const v of x) if (y.has(v)) n++;
    return (2 * n) / (x.size + y.size);
  };
  return Math.round(((dice(words(a), words(b)) + dice(bigrams(a), bigrams(b))) / 2) * 1000) / 1000;
}
