import { ConstrainedUnionFind } from "./cluster";
import { traitsOfRecord } from "./consistency";
import { DEFAULT_JUNK_OPTIONS, getJunkVerdict, isContestedIdentifier, type JunkIdentifier, type JunkOptions } from "./junk";
import { visitBlockingKeys } from "./keys";
import { isUnusableRecord, type NormalizedIdentityRecord } from "./record";
import {
  DEFAULT_MATCH_WEIGHTS,
  DEFAULT_THRESHOLDS,
  pairConflicts,
  scorePair,
  type MatchReason,
  type MatchThresholds,
  type MatchWeights,
  type ScoreContext,
} from "./score";

export interface ResolveOptions {
  thresholds: MatchThresholds;
  weights: MatchWeights;
  junk: JunkOptions;
  /** Blocks with more records than this are too common to tell people apart and are skipped. */
  maxBlockSize: number;
  /** Pairs of record indices a merchant rejected ("not the same person"). */
  rejected: ReadonlyArray<readonly [number, number]>;
  /** Keep every link and review pair with its reasons (for small datasets and the UI). */
  explain: boolean;
}

export const DEFAULT_RESOLVE_OPTIONS: ResolveOptions = {
  thresholds: DEFAULT_THRESHOLDS,
  weights: DEFAULT_MATCH_WEIGHTS,
  junk: DEFAULT_JUNK_OPTIONS,
  maxBlockSize: 40,
  rejected: [],
  explain: false,
};

/** A scored pair of records (indices into the input). */
export interface IdentityLink {
  a: number;
  b: number;
  score: number;
  deterministic: boolean;
  reasons: MatchReason[] | null;
}

export interface ResolveResult {
  /** Cluster ordinal of each record, numbered 0.. in order of first appearance. */
  clusterOf: Int32Array;
  clusterCount: number;
  /** Records with nothing usable; each is its own cluster. */
  unusableCount: number;
  junk: JunkIdentifier[];
  /** Links used or refused by clustering; filled only with `explain`. */
  links: IdentityLink[];
  /** Pairs between review and link thresholds; filled only with `explain`. */
  reviews: IdentityLink[];
  stats: {
    candidatePairs: number;
    links: number;
    reviewPairs: number;
    cannotLinks: number;
    refusedLinks: number;
    skippedBlocks: number;
  };
}

/** Rank of a score in clustering order (0 = strongest); scores are compared in steps of 0.5. */
export function toLinkRank(score: number): number {
  return Math.min(400, Math.max(0, 200 - Math.round(score * 2)));
}

/** Orders links strongest first; ties by record indices, so batch and incremental agree. */
export function compareLinks(x: { a: number; b: number; score: number }, y: { a: number; b: number; score: number }): number {
  return toLinkRank(x.score) - toLinkRank(y.score) || x.a - y.a || x.b - y.b;
}

// FNV-1a over the characters of a key given in parts, then a final mix (fnvFinish).
const FNV_OFFSET = 0x811c9dc5;

function fnvAdd(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

function fnvFinish(h: number): number {
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

const FNV_EMAIL = fnvAdd(FNV_OFFSET, "e:");
const FNV_PHONE = fnvAdd(FNV_OFFSET, "p:");
const FNV_EXTERNAL = fnvAdd(FNV_OFFSET, "x:");

/**
 * Growable list of (key hash, record index) entries, hash below 2^32. sortByHash orders them by
 * hash with a stable radix sort, so a record's entries stay in the order they were pushed and
 * records in index order: the order a sort of hash * 2^bits + index gave, at a fraction of the cost.
 */
class KeyList {
  hashes: Uint32Array;
  recs: Int32Array;
  length = 0;
  constructor(cap: number) {
    this.hashes = new Uint32Array(Math.max(16, cap));
    this.recs = new Int32Array(Math.max(16, cap));
  }
  push(hash: number, rec: number): void {
    if (this.length === this.hashes.length) {
      const h = new Uint32Array(this.length * 2);
      h.set(this.hashes);
      this.hashes = h;
      const r = new Int32Array(this.length * 2);
      r.set(this.recs);
      this.recs = r;
    }
    this.hashes[this.length] = hash;
    this.recs[this.length++] = rec;
  }
  sortByHash(): void {
    const m = this.length;
    let h: Uint32Array = this.hashes;
    let r: Int32Array = this.recs;
    let h2: Uint32Array = new Uint32Array(m);
    let r2: Int32Array = new Int32Array(m);
    const count = new Int32Array(1 << 16);
    for (let shift = 0; shift < 32; shift += 16) {
      count.fill(0);
      for (let i = 0; i < m; i++) count[(h[i] >>> shift) & 0xffff]++;
      let sum = 0;
      for (let d = 0; d < count.length; d++) {
        const c = count[d];
        count[d] = sum;
        sum += c;
      }
      for (let i = 0; i < m; i++) {
        const to = count[(h[i] >>> shift) & 0xffff]++;
        h2[to] = h[i];
        r2[to] = r[i];
      }
      [h, h2] = [h2, h];
      [r, r2] = [r2, r];
    }
    this.hashes = h;
    this.recs = r;
  }
}

/** Growable array of doubles: keys packed as hash * 2^bits + record index. */
class F64List {
  data: Float64Array;
  length = 0;
  constructor(cap: number) {
    this.data = new Float64Array(Math.max(16, cap));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  sorted(): Float64Array {
    return this.data.subarray(0, this.length).sort();
  }
}

/**
 * Batch resolution: blocking, scoring, junk detection, then greedy clustering (strongest link
 * first, skipping unions that would join a rejected pair or clusters whose phones, emails,
 * postcodes and birth dates disagree: see traitsConflict). Memory stays flat: keys are hashed
 * into typed arrays and radix-sorted instead of being held in maps.
 */
export function resolveIdentities(
  records: readonly NormalizedIdentityRecord[],
  options: Partial<ResolveOptions> = {},
): ResolveResult {
  const opt = { ...DEFAULT_RESOLVE_OPTIONS, ...options };
  const n = records.length;
  // Hashes stay below 2^(53 - bits of n), as when hash and record index shared one double:
  // blocks are runs of equal hashes, so their collisions (and the clusters) stay as they were.
  const recBits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  const hashScale = 2 ** Math.min(32, 53 - recBits);
  // Keys are hashed from their parts (see visitBlockingKeys): building millions of key strings
  // to hash them once cost more than the hashing.
  const hashOf = (h: number) => (hashScale >= 2 ** 32 ? fnvFinish(h) : fnvFinish(h) % hashScale);
  const det = new KeyList(n * 2);
  // Per record, the hashes of its email, phone and external id (NaN when absent), so runs and
  // blocks can tell records apart without reading their strings (scattered over the heap, each
  // read a cache miss); strings are compared only where hashes agree.
  const idHash = new Float64Array(3 * n);
  // Email and phone hashes for the blocks' "already paired" test: NaN exactly when the value is null.
  const emailHash = new Float64Array(n);
  const phoneHash = new Float64Array(n);
  const sameAsNull = (v: string | null | undefined, seed: number) => (v === null ? Number.NaN : v === undefined ? -1 : hashOf(seed));
  const blocks = new KeyList(n * 8);
  let unusableCount = 0;
  let at = 0;
  const pushBlock = (tag: string, x: string, sep: string, y: string) => {
    blocks.push(hashOf(fnvAdd(fnvAdd(fnvAdd(fnvAdd(FNV_OFFSET, tag), x), sep), y)), at);
  };
  for (let i = 0; i < n; i++) {
    const r = records[i];
    if (isUnusableRecord(r)) unusableCount++;
    // The keys of getDeterministicKeys, in its order.
    const he = r.email ? hashOf(fnvAdd(FNV_EMAIL, r.email)) : Number.NaN;
    const hp = r.phone ? hashOf(fnvAdd(FNV_PHONE, r.phone)) : Number.NaN;
    const hx = r.externalId ? hashOf(fnvAdd(FNV_EXTERNAL, r.externalId)) : Number.NaN;
    if (r.email) det.push(he, i);
    if (r.phone) det.push(hp, i);
    if (r.externalId) det.push(hx, i);
    idHash[3 * i] = he;
    idHash[3 * i + 1] = hp;
    idHash[3 * i + 2] = hx;
    emailHash[i] = r.email ? he : sameAsNull(r.email, FNV_EMAIL);
    phoneHash[i] = r.phone ? hp : sameAsNull(r.phone, FNV_PHONE);
    at = i;
    visitBlockingKeys(r, pushBlock);
  }

  const pairs = new F64List(n * 4);
  const pushPair = (a: number, b: number) => pairs.push(a < b ? a * n + b : b * n + a);
  const junk: JunkIdentifier[] = [];
  const junkKeys = new Set<string>();
  const contestedKeys = new Set<string>();

  // Deterministic groups: same hash, then split by the actual identifier value. Every identifier
  // of the members is grouped (not only the one hashed here), in order of first appearance.
  const KINDS = ["e", "p", "x"] as const;
  const valueOf = (r: NormalizedIdentityRecord, k: number) => (k === 0 ? r.email : k === 1 ? r.phone : r.externalId) as string;
  /** Judges one identifier shared by `list` (ascending record indices): junk, contested, pairs. */
  const judge = (kind: "e" | "p" | "x", value: string, list: number[]) => {
    const key = `${kind}:${value}`;
    const sharing = list.map((i) => records[i]);
    const verdict = getJunkVerdict(key, sharing, opt.junk);
    if (verdict) {
      if (!junkKeys.has(key)) junk.push(verdict);
      junkKeys.add(key);
      return;
    }
    if (isContestedIdentifier(sharing)) contestedKeys.add(key);
    for (let x = 0; x < list.length; x++) for (let y = x + 1; y < list.length; y++) pushPair(list[x], list[y]);
  };
  const found: { kind: "e" | "p" | "x"; value: string; list: number[] }[] = [];
  /**
   * A run of a few records, grouped by identifier hash: only groups of two or more read their
   * strings. Groups come in order of first appearance (member, then e, p, x), as in the general
   * path. False (and nothing done) when one hash stands for two values there: the general path.
   */
  const groupSmallRun = (members: number[]): boolean => {
    found.length = 0;
    const m = members.length;
    for (let x = 0; x < m; x++) {
      for (let k = 0; k < 3; k++) {
        const h = idHash[3 * members[x] + k];
        if (Number.isNaN(h)) continue;
        let earlier = false;
        for (let y = 0; y < x && !earlier; y++) earlier = idHash[3 * members[y] + k] === h;
        if (earlier) continue;
        let list: number[] | null = null;
        for (let y = x + 1; y < m; y++) {
          if (idHash[3 * members[y] + k] === h) (list ??= [members[x]]).push(members[y]);
        }
        if (!list) continue;
        const value = valueOf(records[list[0]], k);
        for (let j = 1; j < list.length; j++) if (valueOf(records[list[j]], k) !== value) return false;
        found.push({ kind: KINDS[k], value, list });
      }
    }
    for (const { kind, value, list } of found) judge(kind, value, list);
    return true;
  };
  const byValue = { e: new Map<string, number[]>(), p: new Map<string, number[]>(), x: new Map<string, number[]>() };
  const group = (kind: "e" | "p" | "x", value: string, i: number) => {
    const list = byValue[kind].get(value);
    if (list) list.push(i);
    else {
      const fresh = [i];
      byValue[kind].set(value, fresh);
      found.push({ kind, value, list: fresh });
    }
  };
  det.sortByHash();
  forEachRun(det, (members) => {
    if (members.length <= 8 && groupSmallRun(members)) return;
    found.length = 0;
    for (const i of members) {
      const r = records[i];
      if (r.email) group("e", r.email, i);
      if (r.phone) group("p", r.phone, i);
      if (r.externalId) group("x", r.externalId, i);
    }
    byValue.e.clear();
    byValue.p.clear();
    byValue.x.clear();
    for (const { kind, value, list } of found) if (list.length >= 2) judge(kind, value, list);
  });
  const junkPhones = new Set<string>();
  const junkEmails = new Set<string>();
  for (const k of junkKeys) {
    if (k.startsWith("p:")) junkPhones.add(k.slice(2));
    else if (k.startsWith("e:")) junkEmails.add(k.slice(2));
  }
  let skippedBlocks = 0;
  blocks.sortByHash();
  forEachRun(blocks, (members) => {
    if (members.length > opt.maxBlockSize) {
      skippedBlocks++;
      return;
    }
    for (let x = 0; x < members.length; x++) {
      const mx = members[x];
      for (let y = x + 1; y < members.length; y++) {
        // Pairs sharing a live phone or email were queued by their deterministic group already.
        const my = members[y];
        if (phoneHash[mx] === phoneHash[my]) {
          const rx = records[mx];
          const ry = records[my];
          if (rx.phone !== null && rx.phone === ry.phone && !junkPhones.has(rx.phone)) continue;
        }
        if (emailHash[mx] === emailHash[my]) {
          const rx = records[mx];
          const ry = records[my];
          if (rx.email !== null && rx.email === ry.email && !junkEmails.has(rx.email)) continue;
        }
        pushPair(mx, my);
      }
    }
  });

  // Values without their "e:"/"p:"/"x:" prefix: records' own strings hash once, keys would not.
  const byKind = (keys: Set<string>) => {
    const m = { e: new Set<string>(), p: new Set<string>(), x: new Set<string>() };
    for (const k of keys) m[k[0] as "e" | "p" | "x"].add(k.slice(2));
    return m;
  };
  const junkValues = byKind(junkKeys);
  const contestedValues = byKind(contestedKeys);
  const ctx: ScoreContext = {
    weights: opt.weights,
    isJunk: (k) => junkKeys.has(k),
    isContested: (k) => contestedKeys.has(k),
    isJunkValue: (kind, v) => junkValues[kind].has(v),
    isContestedValue: (kind, v) => contestedValues[kind].has(v),
  };
  const sortedPairs = pairs.sorted();
  const linkKeys = new F64List(1024);
  const cannotKeys = new F64List(1024);
  const linkScores = new F64List(1024);
  const isJunkTrait = (kind: "e" | "p", v: string) => junkValues[kind].has(v);
  const uf = new ConstrainedUnionFind(n, (i) => traitsOfRecord(records[i], isJunkTrait));
  uf.grow(n);
  const links: IdentityLink[] = [];
  const reviews: IdentityLink[] = [];
  let candidatePairs = 0;
  let reviewPairs = 0;
  let cannotLinks = 0;
  let prev = -1;
  for (let p = 0; p < sortedPairs.length; p++) {
    const key = sortedPairs[p];
    if (key === prev) continue;
    prev = key;
    candidatePairs++;
    const a = Math.floor(key / n);
    const b = key - a * n;
    const s = scorePair(records[a], records[b], ctx, opt.explain);
    if (s.deterministic) {
      if (pairConflicts(s)) {
        cannotKeys.push(key);
        continue;
      }
    } else if (s.score < opt.thresholds.link) {
      if (s.score >= opt.thresholds.review) {
        reviewPairs++;
        if (opt.explain) reviews.push({ a, b, score: s.score, deterministic: false, reasons: s.reasons });
      }
      continue;
    }
    linkKeys.push(key);
    linkScores.push(s.score);
    if (opt.explain) links.push({ a, b, score: s.score, deterministic: s.deterministic, reasons: s.reasons });
  }
  // A name conflict on a shared identifier is overruled when two other records link to both
  // sides (a cross-script typo: Aalnoud / العنود with the same phone and the same email as the
  // rest of her records); a household's members have no such common neighbours.
  const support = countCommonLinkNeighbors(linkKeys, cannotKeys, n);
  for (let i = 0; i < cannotKeys.length; i++) {
    if (support[i] >= MIN_SUPPORT_TO_OVERRULE_CONFLICT) continue;
    const a = Math.floor(cannotKeys.data[i] / n);
    uf.addCannotLink(a, cannotKeys.data[i] - a * n);
    cannotLinks++;
  }
  for (const [a, b] of opt.rejected) {
    uf.addCannotLink(a, b);
  }

  const order = sortLinks(linkKeys, linkScores, n);
  let refusedLinks = 0;
  for (let i = 0; i < order.length; i++) {
    const pairKey = order[i];
    const a = Math.floor(pairKey / n);
    if (!uf.tryUnion(a, pairKey - a * n)) refusedLinks++;
  }

  const clusterOf = new Int32Array(n);
  const ordinalOfRoot = new Int32Array(n).fill(-1);
  let clusterCount = 0;
  for (let i = 0; i < n; i++) {
    const root = uf.find(i);
    if (ordinalOfRoot[root] < 0) ordinalOfRoot[root] = clusterCount++;
    clusterOf[i] = ordinalOfRoot[root];
  }
  if (opt.explain) {
    links.sort(compareLinks);
    reviews.sort(compareLinks);
  }
  return {
    clusterOf,
    clusterCount,
    unusableCount,
    junk,
    links,
    reviews,
    stats: { candidatePairs, links: order.length, reviewPairs, cannotLinks, refusedLinks, skippedBlocks },
  };
}

/**
 * Pair keys (a * n + b) ordered strongest score first, then by pair. Weights are multiples of 0.5,
 * so score rank and pair pack exactly into one double when n is below about 4.7 million.
 */
function sortLinks(keys: F64List, scores: F64List, n: number): Float64Array {
  const m = keys.length;
  const nn = n * n;
  if (401 * nn < 2 ** 53) {
    const packed = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      packed[i] = toLinkRank(scores.data[i]) * nn + keys.data[i];
    }
    packed.sort();
    for (let i = 0; i < m; i++) packed[i] %= nn;
    return packed;
  }
  const idx = Array.from({ length: m }, (_, i) => i);
  idx.sort((x, y) => toLinkRank(scores.data[x]) - toLinkRank(scores.data[y]) || keys.data[x] - keys.data[y]);
  return Float64Array.from(idx, (i) => keys.data[i]);
}

/** Common neighbours in the link graph that overrule a name conflict (see resolveIdentities). */
export const MIN_SUPPORT_TO_OVERRULE_CONFLICT = 2;

/** For each cannot pair (a * n + b), how many records are linked to both a and b. */
function countCommonLinkNeighbors(links: F64List, cannot: F64List, n: number): Int32Array {
  const out = new Int32Array(cannot.length);
  if (cannot.length === 0 || links.length === 0) return out;
  const start = new Int32Array(n + 1);
  for (let i = 0; i < links.length; i++) {
    const a = Math.floor(links.data[i] / n);
    start[a + 1]++;
    start[links.data[i] - a * n + 1]++;
  }
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const nb = new Int32Array(start[n]);
  for (let i = 0; i < links.length; i++) {
    const a = Math.floor(links.data[i] / n);
    const b = links.data[i] - a * n;
    nb[fill[a]++] = b;
    nb[fill[b]++] = a;
  }
  const stamp = new Int32Array(n).fill(-1);
  for (let i = 0; i < cannot.length; i++) {
    const a = Math.floor(cannot.data[i] / n);
    const b = cannot.data[i] - a * n;
    for (let k = start[a]; k < start[a + 1]; k++) stamp[nb[k]] = i;
    let common = 0;
    for (let k = start[b]; k < start[b + 1]; k++) if (stamp[nb[k]] === i) common++;
    out[i] = common;
  }
  return out;
}

/** Calls fn with the distinct records of each run of equal hashes (runs of one record skipped). */
function forEachRun(list: KeyList, fn: (members: number[]) => void): void {
  const { hashes, recs, length } = list;
  let i = 0;
  const members: number[] = [];
  while (i < length) {
    const h = hashes[i];
    members.length = 0;
    let j = i;
    while (j < length && hashes[j] === h) {
      const rec = recs[j];
      if (members.length === 0 || members[members.length - 1] !== rec) members.push(rec);
      j++;
    }
    if (members.length > 1) fn(members);
    i = j;
  }
}
