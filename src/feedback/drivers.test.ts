import { describe, expect, it } from 'vitest';
import { listFindings } from '../findings/index.js';
import { withTestDb } from '../store/index.js';
import { getDrivers } from './drivers.js';
import { insertFeedback } from './fixtures.js';
import { saveTaxonomy } from './taxonomy.js';

const taxonomy = {
  version: 1 as const,
  themes: [
    {
      id: 'policy.return-fee',
      p: 'policy' as const,
      name: 'Return fee',
      status: 'accepted' as const,
      keywords: ['return fee'],
    },
    {
      id: 'product.colour',
      p: 'product' as const,
      name: 'Colour',
      status: 'accepted' as const,
      keywords: ['colour'],
    },
  ],
};

describe('getDrivers', () => {
  it('recovers the effect of a theme in NPS points with its interval (hand-computed)', async () => {
    await withTestDb(async (db) => {
      await saveTaxonomy(db, taxonomy);
      // with the fee: 30 detractors, 10 promoters (mean −50); without: 30 promoters, 10 detractors (mean 50)
      const rows = [
        ...Array.from({ length: 40 }, (_, i) => ({
          id: `a${i}`,
          score: i < 30 ? 2 : 10,
          comment: 'they charged a return fee',
        })),
        ...Array.from({ length: 40 }, (_, i) => ({
          id: `b${i}`,
          score: i < 30 ? 10 : 2,
          comment: 'delivered on time',
        })),
      ];
      await insertFeedback(db, rows);
      const r = await getDrivers(db, { kind: 'nps', minMentions: 10 });
      expect(r.n).toBe(80);
      const d = r.drivers.find((x) => x.theme === 'policy.return-fee')!;
      expect(d.effect).toBeCloseTo(-100, 8);
      // σ² = 600000 / (80 − 2); var(β) = σ² (1/40 + 1/40)
      const se = Math.sqrt((600000 / 78) * 0.05);
      expect(d.high - d.effect).toBeCloseTo(1.959963984540054 * se, 6);
      expect(d.impact).toBeCloseTo(-50, 8);
      // ±38 points: wider than ±20, so flagged (DESIGN.md §6)
      expect(d.smallSample).toBe(true);
      const f = await listFindings(db, { analysis: 'feedback.drivers', limit: 10 });
      expect(f.map((x) => [x.kind, x.slice.theme, x.rank])).toEqual([['driver', 'policy.return-fee', 1]]);
    });
  });

  it('controls for touchpoint: a neutral theme raised where scores are low gets no effect', async () => {
    await withTestDb(async (db) => {
      await saveTaxonomy(db, taxonomy);
      const rows: { id: string; score: number; comment: string; touchpoint: string }[] = [];
      // returns: NPS −50 with or without colour; checkout: +50 with or without (colour rarely raised there)
      for (let i = 0; i < 80; i++)
        rows.push({
          id: `r${i}`,
          touchpoint: 'returns',
          score: i % 4 === 0 ? 10 : 2,
          comment: i < 40 ? 'the colour is blue' : 'fine',
        });
      for (let i = 0; i < 80; i++)
        rows.push({
          id: `c${i}`,
          touchpoint: 'checkout',
          score: i % 4 === 0 ? 2 : 10,
          comment: i < 8 ? 'the colour is blue' : 'fine',
        });
      await insertFeedback(db, rows);
      const r = await getDrivers(db, { kind: 'nps', minMentions: 10 });
      const colour = r.drivers.find((x) => x.theme === 'product.colour')!;
      expect(colour.mentions).toBe(48);
      expect(Math.abs(colour.effect)).toBeLessThan(1e-6);
      expect(r.touchpoints).toEqual([expect.objectContaining({ touchpoint: 'returns', n: 80 })]);
      expect(r.touchpoints[0]!.effect).toBeCloseTo(-100, 6);
    });
  });

  it('returns no drivers without enough answers', async () => {
    await withTestDb(async (db) => {
      await saveTaxonomy(db, taxonomy);
      await insertFeedback(db, [{ score: 3, comment: 'return fee' }]);
      expect((await getDrivers(db, { kind: 'nps', minMentions: 10 })).drivers).toEqual([]);
    });
  });
});
