import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { getEngagement } from './engagement.js';

describe('health engagement and success', () => {
  it('ranks frequency, recency and breadth, and censors time to first value, by hand', async () => {
    await withTestDb(async (db) => {
      await db.exec(sql`INSERT INTO customers (id, created_at, segment, churned_at) VALUES
        ('a', '2026-06-01', 'S', NULL), ('b', '2026-06-01', 'S', NULL), ('c', '2026-06-01', 'T', NULL),
        ('d', '2026-05-01', 'T', '2026-06-01')`);
      await db.exec(sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint) VALUES
        ('e1', 'a', '2026-06-20', 'web', 'home'), ('e2', 'a', '2026-06-25', 'web', 'cart'),
        ('e3', 'b', '2026-06-28', 'web', 'home'), ('e4', 'd', '2026-05-20', 'web', 'cart')`);
      const r = await getEngagement(db, {
        asOf: '2026-07-01T00:00:00Z',
        days: 30,
        successTouchpoint: 'cart',
        at: [7, 30],
      });
      // here: a, b, c (d churned). f: a 2, b 1, c 0; r: a 6 d, b 3 d, c none; b: a 2, b 1, c 0
      // percent ranks: f a 1, b ½, c 0; recency (recent high) b 1, a ½, c 0; breadth a 1, b ½, c 0
      // a = 100 (1 + ½ + 1)/3 = 83.33, b = 100 (½ + 1 + ½)/3 = 66.67, c = 0
      expect(r.customers).toBe(3);
      expect(r.engagement.value).toBeCloseTo(50, 9);
      expect(r.quartiles![0]).toBeCloseTo(100 / 3, 9);
      expect(r.quartiles![1]).toBeCloseTo(200 / 3, 9);
      expect(r.quartiles![2]).toBeCloseTo(75, 9);
      expect(
        r.bySegment.map((s) => [s.segment, s.engagement.n, Math.round(s.engagement.value * 100) / 100]),
      ).toEqual([
        ['S', 2, 75],
        ['T', 1, 0],
      ]);
      // success = first cart: a at 24 days; b, c censored at 30 (as of); d reached it on 05-20 (19 days)
      // KM of "not yet": 19 d: 1 of 4 → 0.75; 24 d: 1 of 3 → 0.5; then 2 censored at 30
      expect(r.success!.reached).toBe(2);
      expect(r.success!.reachedBy.map((x) => [x.days, x.share])).toEqual([
        [7, 0],
        [30, 0.5],
      ]);
      expect(r.success!.medianDays.value).toBe(24);
    });
  });
});
