import { describe, expect, it } from 'vitest';
import { createRng, streamFor } from './rng.js';

const draws = (r: { next(): number }, n: number) => Array.from({ length: n }, () => r.next());

describe('rng', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    expect(draws(createRng(42), 5)).toEqual(draws(createRng(42), 5));
    expect(draws(createRng(42), 5)).not.toEqual(draws(createRng(43), 5));
  });

  it('gives independent streams per index and per module', () => {
    const a = draws(streamFor(42, 7, 'journeys'), 4);
    expect(draws(streamFor(42, 7, 'journeys'), 4)).toEqual(a);
    expect(draws(streamFor(42, 8, 'journeys'), 4)).not.toEqual(a);
    expect(draws(streamFor(42, 7, 'cases'), 4)).not.toEqual(a);
  });

  it('draws uniform values in [0, 1) with the right moments', () => {
    const xs = draws(createRng(1), 100_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it.each([
    ['normal', (r: ReturnType<typeof createRng>) => r.normal(10, 2), 10, 2],
    ['exp', (r: ReturnType<typeof createRng>) => r.exp(3), 3, 3],
    ['poisson small', (r: ReturnType<typeof createRng>) => r.poisson(2.5), 2.5, Math.sqrt(2.5)],
    ['poisson large', (r: ReturnType<typeof createRng>) => r.poisson(50), 50, Math.sqrt(50)],
  ])('%s has the expected mean and sd', (_name, draw, mean, sd) => {
    const r = createRng(7);
    const xs = Array.from({ length: 50_000 }, () => draw(r));
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const s = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
    expect(Math.abs(m - mean)).toBeLessThan(0.05 * mean + 0.05);
    expect(Math.abs(s - sd)).toBeLessThan(0.05 * sd + 0.05);
  });

  it('picks by weight and ranges inclusively', () => {
    const r = createRng(3);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 30_000; i++) counts[r.weighted(['a', 'b', 'c'] as const, [1, 2, 0])]++;
    expect(counts.c).toBe(0);
    expect(counts.b / counts.a).toBeGreaterThan(1.85);
    expect(counts.b / counts.a).toBeLessThan(2.15);
    const seen = new Set(Array.from({ length: 1000 }, () => r.range(1, 3)));
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });
});
