import { ConstrainedUnionFind } from "./cluster";
import { traitsOfRecord } from "./consistency";
import { getJunkVerdict, isContestedIdentifier, type JunkIdentifier } from "./junk";
import { getBlockingKeys, getDeterministicKeys } from "./keys";
import type { NormalizedIdentityRecord } from "./record";
import { compareLinks, DEFAULT_RESOLVE_OPTIONS, MIN_SUPPORT_TO_OVERRULE_CONFLICT, type IdentityLink, type ResolveOptions } from "./resolve";
import { pairConflicts, scorePair, type ScoreContext } from "./score";

export interface AttachResult {
  index: number;
  /** Index of the cluster's representative (its first record). */
  clusterRepresentative: number;
  /** True when the record joined records already in the index. */
  attached: boolean;
  /** Links from the new record, strongest first, with reasons. */
  links: IdentityLink[];
  /** Pairs with the new record scored between the review and link thresholds. */
  reviews: IdentityLink[];
}

type Edge = { a: number; b: number; score: number; kind: "link" | "cannot" | "review"; link: IdentityLink };

/**
 * In-memory incremental resolver: each added record is compared with the records sharing one of
 * its keys (what the database version looks up by indexed key), and only the link-connected
 * region it touches is re-clustered. It gives the same clusters as resolveIdentities on the same
 * records in the same order, because edges are pairwise facts and clustering is greedy per region.
 */
export class IdentityIndex {
  private readonly opt: ResolveOptions;
  private readonly records: NormalizedIdentityRecord[] = [];
  private readonly keysOf: string[][] = [];
  private readonly postings = new Map<string, number[]>();
  private readonly deadKeys = new Map<string, JunkIdentifier | null>();
  private readonly contested = new Set<string>();
  private readonly edges = new Map<string, Edge>();
  private readonly adjacency: Set<number>[] = [];
  private readonly rejected = new Set<string>();
  private readonly representative: number[] = [];
  private readonly ctx: ScoreContext;

  constructor(options: Partial<ResolveOptions> = {}) {
    this.opt = { ...DEFAULT_RESOLVE_OPTIONS, ...options, explain: true };
    this.ctx = { weights: this.opt.weights, isJunk: (k) => this.deadKeys.has(k), isContested: (k) => this.contested.has(k) };
    for (const [a, b] of this.opt.rejected) this.rejected.add(pairId(a, b));
  }

  get size(): number {
    return this.records.length;
  }

  /** Adds a record and re-clusters what it touches. */
  add(record: NormalizedIdentityRecord): AttachResult {
    const idx = this.records.length;
    this.records.push(record);
    this.adjacency.push(new Set());
    this.representative.push(idx);
    const det = getDeterministicKeys(record);
    const keys = [...det, ...getBlockingKeys(record)];
    this.keysOf.push(keys);
    const touched = new Set<number>([idx]);
    const detSet = new Set(det);

    for (const key of keys) {
      let list = this.postings.get(key);
      if (!list) this.postings.set(key, (list = []));
      list.push(idx);
      if (this.deadKeys.has(key)) continue;
      const verdict = detSet.has(key)
        ? list.length >= 2
          ? getJunkVerdict(key, list.map((i) => this.records[i]), this.opt.junk)
          : null
        : list.length > this.opt.maxBlockSize
          ? ({} as JunkIdentifier)
          : null;
      const newlyContested =
        !verdict && detSet.has(key) && !this.contested.has(key) && isContestedIdentifier(list.map((i) => this.records[i]));
      if (newlyContested) this.contested.add(key);
      if (verdict || newlyContested) {
        if (verdict) this.deadKeys.set(key, detSet.has(key) ? verdict : null);
        // A junk identifier leaves its records' cluster traits: their clusters are re-decided.
        if (verdict && detSet.has(key)) for (const i of list) touched.add(i);
        // A junk phone is no evidence one digit off either: its records' other edges change too.
        if (verdict && key.startsWith("p:")) this.reevaluateEdgesOf(new Set(list.filter((i) => i !== idx)), touched);
        // Pairs that met only through this key lose their edge.
        for (let x = 0; x < list.length; x++) {
          for (let y = x + 1; y < list.length; y++) {
            if (list[y] === idx) continue;
            this.evaluate(list[x], list[y], touched);
          }
        }
      }
    }
    const candidates = new Set<number>();
    for (const key of keys) {
      if (this.deadKeys.has(key)) continue;
      for (const other of this.postings.get(key) ?? []) if (other !== idx) candidates.add(other);
    }
    for (const c of [...candidates].sort((x, y) => x - y)) this.evaluate(c, idx, touched);
    this.recluster(touched);

    const mine = [...this.edges.values()].filter((e) => e.a === idx || e.b === idx);
    const links = mine.filter((e) => e.kind === "link").map((e) => e.link).sort(compareLinks);
    const reviews = mine.filter((e) => e.kind === "review").map((e) => e.link).sort(compareLinks);
    const rep = this.representative[idx];
    return { index: idx, clusterRepresentative: rep, attached: rep !== idx || this.clusterSize(idx) > 1, links, reviews };
  }

  /** Merchant says a and b are different people: remembered for every later re-clustering. */
  reject(a: number, b: number): void {
    this.rejected.add(pairId(a, b));
    this.recluster(new Set([a, b]));
  }

  /** Cluster representative of a record. */
  getClusterOf(index: number): number {
    return this.representative[index];
  }

  /** Clusters as sorted lists of record indices, ordered by first record. */
  listClusters(): number[][] {
    const byRep = new Map<number, number[]>();
    for (let i = 0; i < this.records.length; i++) {
      const rep = this.representative[i];
      const list = byRep.get(rep);
      if (list) list.push(i);
      else byRep.set(rep, [i]);
    }
    return [...byRep.values()];
  }

  /** Identifiers currently treated as junk. */
  listJunk(): JunkIdentifier[] {
    return [...this.deadKeys.values()].filter((v): v is JunkIdentifier => v !== null && v.key !== undefined);
  }

  private clusterSize(idx: number): number {
    const rep = this.representative[idx];
    return this.representative.filter((r) => r === rep).length;
  }

  /** Re-derives the edge between two records from their shared live keys and their score. */
  private evaluate(a: number, b: number, touched: Set<number>): void {
    const id = pairId(a, b);
    const before = this.edges.get(id);
    this.edges.delete(id);
    const ka = this.keysOf[a];
    const kb = new Set(this.keysOf[b]);
    const shared = ka.some((k) => kb.has(k) && !this.deadKeys.has(k));
    if (shared) {
      const s = scorePair(this.records[a], this.records[b], this.ctx, true);
      const link: IdentityLink = { a: Math.min(a, b), b: Math.max(a, b), score: s.score, deterministic: s.deterministic, reasons: s.reasons };
      let kind: Edge["kind"] | null = null;
      if (s.deterministic) kind = pairConflicts(s) ? "cannot" : "link";
      else if (s.score >= this.opt.thresholds.link) kind = "link";
      else if (s.score >= this.opt.thresholds.review) kind = "review";
      if (kind) this.edges.set(id, { a: link.a, b: link.b, score: s.score, kind, link });
    }
    const after = this.edges.get(id);
    const wasAdj = before && before.kind !== "review";
    const isAdj = after && after.kind !== "review";
    if (isAdj) {
      this.adjacency[a].add(b);
      this.adjacency[b].add(a);
    } else if (wasAdj) {
      this.adjacency[a].delete(b);
      this.adjacency[b].delete(a);
    }
    if (wasAdj || isAdj) {
      touched.add(a);
      touched.add(b);
    }
  }

  /** Re-derives every edge (link, cannot-link or review) of these records with records outside them. */
  private reevaluateEdgesOf(records: Set<number>, touched: Set<number>): void {
    const pairs: Array<[number, number]> = [];
    for (const e of this.edges.values()) {
      const inA = records.has(e.a);
      if (inA !== records.has(e.b)) pairs.push([e.a, e.b]);
    }
    for (const [a, b] of pairs) this.evaluate(a, b, touched);
  }

  /** Records linked (not merely cannot-linked) to both a and b. */
  private commonLinkNeighbors(a: number, b: number): number {
    let common = 0;
    for (const x of this.adjacency[a]) {
      if (x === b || !this.adjacency[b].has(x)) continue;
      if (this.edges.get(pairId(a, x))?.kind === "link" && this.edges.get(pairId(b, x))?.kind === "link") common++;
    }
    return common;
  }

  /** Greedy clustering, exactly as in batch, over the edge-connected region of the touched records. */
  private recluster(touched: Set<number>): void {
    const region = new Set<number>();
    const stack = [...touched];
    for (const t of touched) region.add(t);
    while (stack.length) {
      const x = stack.pop() as number;
      for (const y of this.adjacency[x]) {
        if (!region.has(y)) {
          region.add(y);
          stack.push(y);
        }
      }
    }
    const members = [...region].sort((x, y) => x - y);
    const local = new Map<number, number>();
    members.forEach((m, i) => local.set(m, i));
    const isJunkValue = (kind: "e" | "p", v: string) => this.deadKeys.has(`${kind}:${v}`);
    const uf = new ConstrainedUnionFind(members.length, (i) => traitsOfRecord(this.records[members[i]], isJunkValue));
    uf.grow(members.length);
    const links: Edge[] = [];
    for (const m of members) {
      for (const o of this.adjacency[m]) {
        if (o < m) continue;
        const e = this.edges.get(pairId(m, o)) as Edge;
        if (e.kind === "cannot") {
          if (this.commonLinkNeighbors(m, o) < MIN_SUPPORT_TO_OVERRULE_CONFLICT) uf.addCannotLink(local.get(m) as number, local.get(o) as number);
        } else links.push(e);
      }
    }
    for (const id of this.rejected) {
      const [a, b] = id.split(",").map(Number);
      if (local.has(a) && local.has(b)) uf.addCannotLink(local.get(a) as number, local.get(b) as number);
    }
    links.sort(compareLinks);
    for (const e of links) uf.tryUnion(local.get(e.a) as number, local.get(e.b) as number);
    const repOfRoot = new Map<number, number>();
    for (const m of members) {
      const root = uf.find(local.get(m) as number);
      if (!repOfRoot.has(root)) repOfRoot.set(root, m);
      this.representative[m] = repOfRoot.get(root) as number;
    }
  }
}

function pairId(a: number, b: number): string {
  return a < b ? `${a},${b}` : `${b},${a}`;
}
