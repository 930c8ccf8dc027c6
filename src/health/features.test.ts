import { describe, expect, it } from 'vitest';
import { fitEncoder, type RawValue } from './features.js';

const rec = (o: Record<string, RawValue>) => new Map(Object.entries(o));

describe('fitEncoder', () => {
  const train = [
    ...Array.from({ length: 6 }, (_, i) => rec({ plan: 'basic', age: 10 + i })),
    ...Array.from({ length: 5 }, () => rec({ plan: 'pro', age: null })),
    rec({ plan: 'rare', age: 40 }),
  ];
  const specs = [
    { name: 'plan', kind: 'categorical' as const },
    { name: 'age', kind: 'numeric' as const },
  ];

  it('reference = most frequent level, rare levels unseen as columns, mean imputation + missing indicator', () => {
    const enc = fitEncoder(specs, train);
    // 'rare' (1 row < 5) has no column and would pool into (other), which has too few rows to keep
    expect(enc.columns.map((c) => c.label)).toEqual(['plan=pro', 'age', 'age (missing)']);
    const mean = (10 + 11 + 12 + 13 + 14 + 15 + 40) / 7;
    expect([...enc.encode(rec({ plan: 'pro', age: null }))]).toEqual([1, mean, 1]);
    expect([...enc.encode(rec({ plan: 'never seen', age: 3 }))]).toEqual([0, 3, 0]);
  });

  it('quantile bins (lowest the reference) and interaction columns as products', () => {
    const enc = fitEncoder(specs, train, { bins: 2, interactions: [['plan', 'age']] });
    // 7 present ages sorted 10…15, 40: the median edge is the 4th value, 13
    expect(enc.columns.map((c) => c.label)).toEqual([
      'plan=pro',
      'age ≥ 13',
      'age (missing)',
      'plan=pro × age ≥ 13',
      'plan=pro × age (missing)',
    ]);
    expect([...enc.encode(rec({ plan: 'pro', age: null }))]).toEqual([1, 0, 1, 0, 1]);
    expect([...enc.encode(rec({ plan: 'basic', age: 20 }))]).toEqual([0, 1, 0, 0, 0]);
    expect(enc.columns[3]?.feature).toBe('plan × age');
  });
});
