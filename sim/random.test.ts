import { describe, expect, it } from 'vitest';
import { paretoExponent, Random, weightedSampler, zipfWeights } from './random';

const draws = (n: number, draw: () => number) => Array.from({ length: n }, draw);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
};

describe('Random', () => {
  it('repeats its sequence for a seed and differs for another', () => {
    const a = Random.fromSeed(42);
    const b = Random.fromSeed(42);
    const c = Random.fromSeed(43);
    const seq = (r: Random) => draws(20, () => r.int(0, 1_000_000));
    const first = seq(a);
    expect(seq(b)).toEqual(first);
    expect(seq(c)).not.toEqual(first);
    expect(() => Random.fromSeed(0.5)).toThrow(/seed/);
  });

  it('derives named streams that do not depend on what was drawn before', () => {
    const fresh = Random.fromSeed(9).derive('orders');
    const used = Random.fromSeed(9);
    draws(100, () => used.float());
    const later = used.derive('orders');
    expect(draws(10, () => later.float())).toEqual(draws(10, () => fresh.float()));
    expect(draws(10, () => Random.fromSeed(9).derive('receipts').float())).not.toEqual(draws(10, () => Random.fromSeed(9).derive('orders').float()));
    expect(Random.fromSeed(9).derive('a').derive('b').path).toBe('/a/b');
  });

  it('draws uniform numbers within their bounds', () => {
    const r = Random.fromSeed(1);
    const ints = draws(5000, () => r.int(3, 7));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5, 6, 7]));
    const floats = draws(5000, () => r.float());
    expect(Math.min(...floats)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...floats)).toBeLessThan(1);
    expect(mean(floats)).toBeCloseTo(0.5, 1);
    expect(r.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(() => r.pick([])).toThrow();
  });

  it('draws normal, lognormal, exponential and Pareto numbers with the right moments', () => {
    const r = Random.fromSeed(2);
    const normal = draws(20_000, () => r.normal(10, 2));
    expect(mean(normal)).toBeCloseTo(10, 1);
    expect(Math.sqrt(variance(normal))).toBeCloseTo(2, 1);
    const logn = draws(20_000, () => r.lognormal(5, 0.5)).sort((a, b) => a - b);
    expect(logn[10_000]! / 5).toBeCloseTo(1, 1);
    expect(mean(draws(20_000, () => r.exponential(4)))).toBeCloseTo(0.25, 2);
    const pareto = draws(20_000, () => r.pareto(1, 2)).sort((a, b) => a - b);
    expect(pareto[0]).toBeGreaterThanOrEqual(1);
    expect(pareto[10_000]!).toBeCloseTo(Math.SQRT2, 1); // median xm * 2^(1/alpha)
  });

  it('draws Poisson counts whose mean and variance equal the rate, small and large', () => {
    const r = Random.fromSeed(3);
    for (const rate of [0.3, 4, 45, 800]) {
      const counts = draws(20_000, () => r.poisson(rate));
      expect(counts.every((k) => Number.isInteger(k) && k >= 0)).toBe(true);
      expect(mean(counts) / rate).toBeCloseTo(1, 1);
      expect(variance(counts) / rate).toBeCloseTo(1, 1);
    }
    expect(r.poisson(0)).toBe(0);
  });

  it('picks by weight, and samples distinct items by weight', () => {
    const r = Random.fromSeed(4);
    const picks = draws(20_000, () => r.weightedIndex([1, 0, 3]));
    expect(picks.includes(1)).toBe(false);
    expect(picks.filter((i) => i === 2).length / picks.length).toBeCloseTo(0.75, 1);
    const sampler = weightedSampler([5, 5]);
    expect(mean(draws(10_000, () => sampler(r)))).toBeCloseTo(0.5, 1);
    expect(() => weightedSampler([0, 0])).toThrow();

    const weights = [8, 1, 1, 0, 1, 1];
    const sample = r.weightedSample(weights, 4);
    expect(new Set(sample).size).toBe(4);
    expect(sample.includes(3)).toBe(false);
    expect(r.weightedSample(weights, 10)).toHaveLength(5); // only the five with weight
    const firsts = draws(5000, () => r.weightedSample(weights, 2)[0]!);
    expect(firsts.filter((i) => i === 0).length / firsts.length).toBeCloseTo(8 / 12, 1);
  });
});

describe('Pareto weights', () => {
  it('finds the Zipf exponent that gives the top 20 % of items 80 % of the weight', () => {
    for (const [n, offset] of [
      [50, 0],
      [5000, 0],
      [5000, 20]
    ] as const) {
      const weights = zipfWeights(n, paretoExponent(n, 0.2, 0.8, offset), offset);
      expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(weights.slice(0, n / 5).reduce((a, b) => a + b, 0)).toBeCloseTo(0.8, 6);
    }
    // The offset flattens the head: the best seller no longer takes a tenth of everything.
    expect(zipfWeights(5000, paretoExponent(5000), 0)[0]).toBeGreaterThan(0.05);
    expect(zipfWeights(5000, paretoExponent(5000, 0.2, 0.8, 20), 20)[0]).toBeLessThan(0.02);
  });
});
