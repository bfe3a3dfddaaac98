import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** FNV-1a over a string: folds a seed and a stream name into 32 bits. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** splitmix32 steps: spread a 32-bit hash over xoroshiro's 128-bit state (its own seeding leaks the seed into the first outputs). */
function expandState(hash: number): number[] {
  let x = hash | 0;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    words.push((z ^ (z >>> 16)) | 0);
  }
  if (!words.some((w) => w !== 0)) words[0] = 1; // the all-zero state never leaves zero
  return words;
}

/**
 * A seeded, deterministic source of random numbers (pure-rand's xoroshiro128+),
 * with the distributions the simulator draws from. Streams are named: each part
 * of the simulation derives its own (`derive('customers')`), so that changing how
 * much one part draws leaves the others' numbers as they were.
 */
export class Random {
  private readonly gen: RandomGenerator;

  private constructor(
    readonly seed: number,
    readonly path: string
  ) {
    this.gen = xoroshiro128plusFromState(expandState(fnv1a(`${seed}/${path}`)));
  }

  static fromSeed(seed: number): Random {
    if (!Number.isSafeInteger(seed)) throw new Error(`a seed is a whole number, not ${seed}`);
    return new Random(seed, '');
  }

  /** An independent stream, fixed by this stream's seed and path plus the label (not by what was drawn so far). */
  derive(label: string): Random {
    return new Random(this.seed, `${this.path}/${label}`);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.gen);
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return uniformInt(this.gen, min, max);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  /** An index drawn with probability proportional to its weight. */
  weightedIndex(weights: readonly number[]): number {
    return weightedSampler(weights)(this);
  }

  weightedPick<T>(items: readonly T[], weights: readonly number[]): T {
    if (items.length !== weights.length) throw new Error('items and weights differ in length');
    return items[this.weightedIndex(weights)]!;
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** k distinct items, uniformly. */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle(items).slice(0, Math.max(0, k));
  }

  /**
   * k distinct indexes, each drawn with probability proportional to its weight
   * (Efraimidis-Spirakis: key log(u)/w, the k largest keys win; a size-k min-heap
   * keeps it O(n log k)), heaviest key first.
   */
  weightedSample(weights: readonly number[], k: number): number[] {
    const heap: { i: number; key: number }[] = [];
    const less = (a: { i: number; key: number }, b: { i: number; key: number }) => a.key < b.key || (a.key === b.key && a.i > b.i);
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i]!;
      const u = this.float(); // drawn for every item, so that draws do not depend on earlier keys
      if (!(w > 0) || k <= 0) continue;
      const entry = { i, key: Math.log(1 - u) / w };
      if (heap.length < k) {
        heap.push(entry);
        for (let c = heap.length - 1; c > 0; ) {
          const p = (c - 1) >> 1;
          if (!less(heap[c]!, heap[p]!)) break;
          [heap[c], heap[p]] = [heap[p]!, heap[c]!];
          c = p;
        }
      } else if (less(heap[0]!, entry)) {
        heap[0] = entry;
        for (let p = 0; ; ) {
          const l = 2 * p + 1;
          const r = l + 1;
          let m = p;
          if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
          if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
          if (m === p) break;
          [heap[m], heap[p]] = [heap[p]!, heap[m]!];
          p = m;
        }
      }
    }
    return heap.sort((a, b) => (less(a, b) ? 1 : less(b, a) ? -1 : 0)).map((e) => e.i);
  }

  /** Normal (Box-Muller; one draw of the pair is dropped, so a draw never depends on an earlier call). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.float(); // (0, 1]: log stays finite
    const v = this.float();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Lognormal with the given median and log-space spread (sigma). */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Exponential with the given rate (mean 1/rate): gaps between Poisson arrivals. */
  exponential(rate: number): number {
    return -Math.log(1 - this.float()) / rate;
  }

  /** Poisson counts: Knuth's product method for small means, Hörmann's PTRS rejection above. */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean < 30) {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = this.float();
      while (p > limit) {
        k++;
        p *= this.float();
      }
      return k;
    }
    return this.poissonPtrs(mean);
  }

  private poissonPtrs(mean: number): number {
    const logMean = Math.log(mean);
    const b = 0.931 + 2.53 * Math.sqrt(mean);
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.float() - 0.5;
      const v = this.float();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * logMean - logFactorial(k)) return k;
    }
  }

  /** Pareto (type I): minimum xm, tail index alpha; heavy-tailed sizes. */
  pareto(xm: number, alpha: number): number {
    return xm / Math.pow(1 - this.float(), 1 / alpha);
  }
}

function logFactorial(k: number): number {
  if (k < 2) return 0;
  // Stirling's series: exact enough for k >= 10, which PTRS needs (mean >= 30).
  if (k >= 10) return (k + 0.5) * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * k) - 1 / (360 * k ** 3);
  let sum = 0;
  for (let i = 2; i <= k; i++) sum += Math.log(i);
  return sum;
}

/** A reusable weighted draw: cumulative weights, binary search (many draws over one table). */
export function weightedSampler(weights: readonly number[]): (rng: Random) => number {
  const cumulative: number[] = [];
  let total = 0;
  for (const w of weights) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`a weight must be finite and not negative, not ${w}`);
    total += w;
    cumulative.push(total);
  }
  if (!(total > 0)) throw new Error('weights must not all be zero');
  return (rng) => {
    const target = rng.float() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/**
 * Zipf(-Mandelbrot) weights by rank (rank 1 heaviest), normalised to sum 1:
 * w(r) ∝ (r + offset)^-s. An offset flattens the head, so that the top item does
 * not take a tenth of everything.
 */
export function zipfWeights(n: number, exponent: number, offset = 0): number[] {
  const raw = Array.from({ length: n }, (_, i) => Math.pow(i + 1 + offset, -exponent));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / total);
}

/**
 * The Zipf exponent that gives the top `topFraction` of n items `share` of the
 * weight (the Pareto rule: 20 % of products, 80 % of demand). Bisection: the
 * top share grows with the exponent.
 */
export function paretoExponent(n: number, topFraction = 0.2, share = 0.8, offset = 0): number {
  const top = Math.max(1, Math.round(n * topFraction));
  if (top >= n) return 0;
  const topShare = (s: number) => {
    let head = 0;
    let all = 0;
    for (let r = 1; r <= n; r++) {
      const w = Math.pow(r + offset, -s);
      all += w;
      if (r <= top) head += w;
    }
    return head / all;
  };
  let lo = 0;
  let hi = 16;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (topShare(mid) < share) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
