import { describe, expect, it } from 'vitest';
import { type Store, sql, withTestDb } from '../store/index.js';
import { getScore, snapshotComponents } from './score.js';
import { scoreHistory, takeSnapshot } from './snapshots.js';

/**
 * Four customers (the fixture of score.test.ts): a, b, c here on 1 July, d churned in June.
 * a: recency 50, frequency 100, breadth 100, sentiment 70, support 100 → 79 with the default weights
 * (30·50 + 25·100 + 15·100 + 20·70 + 10·100)/100; b: 100, 50, 50, 50, 0 → (3000 + 1250 + 750 + 1000)/100 = 60; c (never active):
 * recency 0, frequency 0, breadth 0, sentiment 50 (never asked), support 100 → (1000 + 1000)/100 = 20.
 */
async function fixture(db: Store): Promise<void> {
  await db.exec(sql`INSERT INTO customers (id, created_at, churned_at) VALUES
    ('a', '2026-06-01', NULL), ('b', '2026-06-01', NULL), ('c', '2026-06-01', NULL), ('d', '2026-05-01', '2026-06-01')`);
  await db.exec(sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint) VALUES
    ('e1', 'a', '2026-06-20', 'web', 'home'), ('e2', 'a', '2026-06-25', 'web', 'cart'),
    ('e3', 'b', '2026-06-28', 'web', 'home')`);
  await db.exec(
    sql`INSERT INTO feedback (id, customer_id, ts, kind, score) VALUES ('f1', 'a', '2026-06-26', 'nps', 7)`,
  );
  await db.exec(sql`INSERT INTO cases (id, customer_id, opened_at) VALUES ('k1', 'b', '2026-06-29')`);
}

describe('stored health-score snapshots', () => {
  it('stores the score and components as of a date, replaces a retaken date, and gives the history', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const t = '2026-07-01T00:00:00Z';
      const s = await takeSnapshot(db, { asOf: t });
      expect(s.customers).toBe(3);
      expect(s.bands).toEqual({ red: 1, yellow: 1, green: 1 }); // 79 green, 60 yellow, 20 red
      const rows = await db.all<{ customer_id: string; score: number }>(
        sql`SELECT customer_id, score FROM health_score_snapshots ORDER BY customer_id`,
      );
      expect(rows.map((r) => [r.customer_id, r.score])).toEqual([
        ['a', 79],
        ['b', 60],
        ['c', 20],
      ]);
      expect((await takeSnapshot(db, { asOf: t })).replaced).toBe(3);

      // late-arriving data: c's visit of 30 June lands after the snapshot. The stored snapshot keeps
      // what was known on 1 July; a recomputation would not.
      await db.exec(
        sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint) VALUES ('late', 'c', '2026-06-30', 'web', 'home')`,
      );
      const stored = await snapshotComponents(db, new Date(t), 90);
      expect(stored!.find((r) => r.id === 'c')!.recency).toBe(0);
      await takeSnapshot(db, { asOf: '2026-07-02T00:00:00Z' });
      const h = await scoreHistory(db);
      expect(h.points.map((p) => p.asOf.slice(0, 10))).toEqual(['2026-07-01', '2026-07-02']);
      // mean of 79, 60, 20 = 53; sd = 30.1164, t(2) = 4.302653 → ± 74.813
      expect(h.points[0]!.score).toBeCloseTo(53, 9);
      expect(h.points[0]!.high! - h.points[0]!.score).toBeCloseTo(74.8134, 3);
      // on 2 July c's late visit counts: the most recent (recency 100), one active day and one
      // touchpoint like b (frequency and breadth rank 0, tied below a) → (3000 + 1000 + 1000)/100 = 50
      const c = await scoreHistory(db, { customer: 'c' });
      expect(c.points.map((p) => p.score)).toEqual([20, 50]);
      expect(c.points[0]!.low).toBeNull();
    });
  });

  it('the backtest reads the stored snapshot of its date when one exists', async () => {
    await withTestDb(async (db) => {
      // 40 customers since January; every 8th closes its account in May, every other 4th in August
      for (let i = 0; i < 40; i++) {
        const churned = i % 8 === 0 ? '2026-05-15' : i % 4 === 0 ? '2026-08-15' : null;
        await db.exec(sql`INSERT INTO customers (id, created_at, churned_at)
          VALUES (${`c${i}`}, '2026-01-01'::TIMESTAMP, ${churned}::TIMESTAMP)`);
        await db.exec(sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint)
          VALUES (${`e${i}`}, ${`c${i}`}, ${`2026-0${1 + (i % 5)}-10`}::TIMESTAMP, 'web', ${i % 2 ? 'home' : 'cart'})`);
      }
      const asOf = '2026-10-01T00:00:00Z';
      const before = await getScore(db, { asOf });
      expect(before.backtest.source).toEqual({ test: 'recomputed', train: 'recomputed' });
      await takeSnapshot(db, { asOf: before.backtest.at });
      const after = await getScore(db, { asOf });
      expect(after.backtest.source).toEqual({ test: 'snapshot', train: 'recomputed' });
      // nothing changed in between: the snapshot gives the same backtest
      expect(after.backtest.auc.value).toBeCloseTo(before.backtest.auc.value, 12);
      expect(after.backtest.customers).toBe(before.backtest.customers);
    });
  });
});
