/**
 * Small, fast, seedable PRNG for the demo data generator (mulberry32 core plus 32-bit hash mixing).
 * Never use Math.random in the generator: the same seed must give byte-identical output on every
 * machine and Node version, and integer-only mixing guarantees that.
 */

/** Mixes 32-bit words into one well-spread 32-bit seed (murmur3 fmix on a running hash). */
export function hashSeed(...parts: readonly number[]): number {
  let h = 0x811c9dc5 | 0;
  for (const part of parts) {
    // Split into low and high 32 bits so seeds above 2^32 (and negative seeds) still count fully.
    const lo = part | 0;
    const hi = Math.floor(part / 4294967296) | 0;
    h = mix(h ^ lo);
    h = mix(h ^ hi ^ 0x9e3779b9);
  }
  return mix(h) >>> 0;
}

/** FNV-1a over UTF-16 code units, for string seeds such as a shop domain. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix(h) >>> 0;
}

function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
}

export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  /** Uniform unsigned 32-bit integer (mulberry32). */
  u32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  /** Geometric number of extra successes: 0 with probability 1 - p, 1 with p(1 - p), ... capped. */
  geometric(p: number, cap: number): number {
    let n = 0;
    while (n < cap && this.float() < p) n++;
    return n;
  }

  /** Pareto-distributed value >= min with tail index alpha. */
  pareto(min: number, alpha: number): number {
    return min / Math.pow(1 - this.float(), 1 / alpha);
  }
}

/** Precomputed cumulative weights for O(log n) weighted picks. */
export class WeightedTable<T> {
  readonly items: readonly T[];
  private readonly cumulative: Float64Array;
  readonly total: number;

  constructor(items: readonly T[], weights: readonly number[]) {
    if (items.length === 0 || items.length !== weights.length) {
      throw new Error("WeightedTable needs one weight per item and at least one item");
    }
    this.items = items;
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    for (let i = 0; i < weights.length; i++) {
      sum += Math.max(0, weights[i]);
      this.cumulative[i] = sum;
    }
    this.total = sum;
  }

  pick(rng: Prng): T {
    return this.items[this.pickIndex(rng)];
  }

  pickIndex(rng: Prng): number {
    return searchCumulative(this.cumulative, rng.float() * this.total);
  }
}

/** First index whose cumulative value exceeds target. */
export function searchCumulative(cumulative: Float64Array, target: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
