import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { getRisk, getScore, parseWeights } from './score.js';

describe('health score', () => {
  it('explains a customer component by component, the points summing to the score, by hand', async () => {
    await withTestDb(async (db) => {
      await db.exec(sql`INSERT INTO customers (id, created_at, churned_at) VALUES
        ('a', '2026-06-01', NULL), ('b', '2026-06-01', NULL), ('c', '2026-06-01', NULL), ('d', '2026-05-01', '2026-06-01')`);
      await db.exec(sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint) VALUES
        ('e1', 'a', '2026-06-20', 'web', 'home'), ('e2', 'a', '2026-06-25', 'web', 'cart'),
        ('e3', 'b', '2026-06-28', 'web', 'home')`);
      await db.exec(
        sql`INSERT INTO feedback (id, customer_id, ts, kind, score) VALUES ('f1', 'a', '2026-06-26', 'nps', 7)`,
      );
      await db.exec(sql`INSERT INTO cases (id, customer_id, opened_at) VALUES ('k1', 'b', '2026-06-29')`);
      // a: recency 50 (c never, b later), frequency 100, breadth 100, sentiment 70 (NPS 7), support 100
      // score = (30·50 + 25·100 + 15·100 + 20·70 + 10·100) / 100 = 79
      const r = await getRisk(db, { customer: 'a', asOf: '2026-07-01T00:00:00Z' });
      expect(r.components.map((c) => [c.component, c.value])).toEqual([
        ['recency', 50],
        ['frequency', 100],
        ['breadth', 100],
        ['sentiment', 70],
        ['support', 100],
      ]);
      expect(r.score).toBeCloseTo(79, 9);
      expect(r.band).toBe('green');
      expect(r.components.reduce((s, c) => s + c.points, 0)).toBeCloseTo(r.score, 9);
      // b: recency 100, frequency 50, breadth 50, sentiment 50 (never asked), support 0 (the one case)
      const b = await getRisk(db, { customer: 'b', asOf: '2026-07-01T00:00:00Z', weights: 'support=50' });
      expect(b.score).toBeCloseTo((30 * 100 + 25 * 50 + 15 * 50 + 20 * 50 + 50 * 0) / 140, 9);
      await expect(getRisk(db, { customer: 'd', asOf: '2026-07-01T00:00:00Z' })).rejects.toThrow(
        /not a customer here/,
      );
      // six months of history are needed for the backtest's training date
      await expect(getScore(db, { asOf: '2026-07-01T00:00:00Z' })).rejects.toThrow(/not enough history/);
    });
  });

  it.each([
    ['recency=x', /"recency=x" is not name=points/],
    ['loyalty=5', /"loyalty=5" is not name=points/],
    ['recency=0,frequency=0,breadth=0,sentiment=0,support=0', /at least one weight/],
  ])('refuses weights %j', (text, message) => {
    expect(() => parseWeights(text)).toThrow(message);
  });
});
