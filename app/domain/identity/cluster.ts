/**
 * Union-find that refuses unions joining the two sides of a cannot-link (a merchant rejection, or
 * two differently named people sharing a phone). Components carry the list of their cannot-link
 * partners, merged small-into-large.
 */
export class ConstrainedUnionFind {
  private parent: Int32Array;
  private rank: Uint8Array;
  private readonly cannot = new Map<number, number[]>();
  private n = 0;

  constructor(capacity = 16) {
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

  /** True when a and b are already together, or were joined now without breaking a cannot-link. */
  tryUnion(a: number, b: number): boolean {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return true;
    const ca = this.cannot.get(ra);
    const cb = this.cannot.get(rb);
    const [small, other] = (ca?.length ?? 0) <= (cb?.length ?? 0) ? [ca, rb] : [cb, ra];
    if (small) for (const x of small) if (this.find(x) === other) return false;
    if (this.rank[ra] < this.rank[rb]) [ra, rb] = [rb, ra];
    else if (this.rank[ra] === this.rank[rb]) this.rank[ra]++;
    this.parent[rb] = ra;
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
