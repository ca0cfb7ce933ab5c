import { mergeTraits, traitsConflict, type ClusterTraits } from "./consistency";

/**
 * Union-find that refuses unions joining the two sides of a cannot-link (a merchant rejection, or
 * two differently named people sharing a phone). Components carry the list of their cannot-link
 * partners, merged small-into-large. With a trait source, it also refuses unions of components
 * whose traits conflict (see traitsConflict): a component's traits are kept once it has two
 * members, a singleton's are asked of the source.
 */
export class ConstrainedUnionFind {
  private parent: Int32Array;
  private rank: Uint8Array;
  private readonly cannot = new Map<number, number[]>();
  private readonly traits = new Map<number, ClusterTraits>();
  private n = 0;

  constructor(
    capacity = 16,
    private readonly traitSource: ((i: number) => ClusterTraits) | null = null,
  ) {
    this.parent = new Int32Array(Math.max(1, capacity));
    this.rank = new Uint8Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.n;
  }

  /** Adds singletons up to index `count - 1`. */
  grow(count: number): void {
    if (count > this.parent.length) {
      let cap = this.parent.length;
      while (cap < count) cap *= 2;
      const p = new Int32Array(cap);
      p.set(this.parent);
      const r = new Uint8Array(cap);
      r.set(this.rank);
      this.parent = p;
      this.rank = r;
    }
    for (let i = this.n; i < count; i++) this.parent[i] = i;
    if (count > this.n) this.n = count;
  }

  find(x: number): number {
    const p = this.parent;
    let root = x;
    while (p[root] !== root) root = p[root];
    while (p[x] !== root) {
      const next = p[x];
      p[x] = root;
      x = next;
    }
    return root;
  }

  /** Records that a and b must never end up in one component. */
  addCannotLink(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    pushTo(this.cannot, ra, b);
    pushTo(this.cannot, rb, a);
  }

  /**
   * True when a and b are already together, or were joined now without breaking a cannot-link
   * (nor, unless `force`, joining components with conflicting traits: a merchant's approval is
   * forced).
   */
  tryUnion(a: number, b: number, force = false): boolean {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return true;
    const ca = this.cannot.get(ra);
    const cb = this.cannot.get(rb);
    const [small, other] = (ca?.length ?? 0) <= (cb?.length ?? 0) ? [ca, rb] : [cb, ra];
    if (small) for (const x of small) if (this.find(x) === other) return false;
    let merged: ClusterTraits | null = null;
    if (this.traitSource) {
      const ta = this.traits.get(ra) ?? this.traitSource(ra);
      const tb = this.traits.get(rb) ?? this.traitSource(rb);
      if (!force && traitsConflict(ta, tb)) return false;
      // Into the bigger lists: merging stays linear over a run (traits are owned here).
      merged = (ta.names?.length ?? 9) + (ta.phones?.length ?? 9) >= (tb.names?.length ?? 9) + (tb.phones?.length ?? 9) ? mergeTraits(ta, tb) : mergeTraits(tb, ta);
      this.traits.delete(ra);
      this.traits.delete(rb);
    }
    if (this.rank[ra] < this.rank[rb]) [ra, rb] = [rb, ra];
    else if (this.rank[ra] === this.rank[rb]) this.rank[ra]++;
    this.parent[rb] = ra;
    if (merged) this.traits.set(ra, merged);
    const la = this.cannot.get(ra);
    const lb = this.cannot.get(rb);
    if (lb) {
      if (la) for (const x of lb) la.push(x);
      else this.cannot.set(ra, lb);
      this.cannot.delete(rb);
    }
    return true;
  }
}

function pushTo(map: Map<number, number[]>, k: number, v: number): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}
