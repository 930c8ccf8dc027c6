import { describe, expect, it } from 'vitest';
import { getHandoffs, HandoffsParams } from '../cases/index.js';
import { type Store, sql, withTestDb } from '../store/index.js';
import { getSummary } from './summary.js';

async function fixture(db: Store): Promise<void> {
  await db.exec(sql`INSERT INTO customers (id) VALUES ('c1'), ('c2')`);
  await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, channel, kind, score) VALUES
    ('f1', 'c1', '2026-01-01', 'web', 'nps', 10), ('f2', 'c1', '2026-01-02', 'web', 'nps', 9),
    ('f3', 'c2', '2026-01-03', 'web', 'nps', 8), ('f4', 'c2', '2026-01-04', 'web', 'nps', 3),
    ('f5', 'c2', '2026-01-05', 'app', 'nps', 0),
    ('f6', 'c1', '2026-01-01', 'web', 'csat', 5), ('f7', 'c1', '2026-01-01', 'web', 'csat', 4),
    ('f8', 'c2', '2026-01-01', 'web', 'csat', 2),
    ('f9', 'c1', '2026-01-01', 'phone', 'ces', 2), ('f10', 'c2', '2026-01-01', 'phone', 'ces', 4)`);
  await db.exec(sql`INSERT INTO cases (id, customer_id, opened_at, reason) VALUES
    ('k1', 'c1', '2026-01-01', 'billing'), ('k2', 'c2', '2026-01-01', 'billing'), ('k3', 'c2', '2026-01-02', 'delivery')`);
  // k1: A → B → A (2 team handoffs); k2: A, then A again by another agent (0); k3: no assignment (0)
  await db.exec(sql`INSERT INTO case_events (id, case_id, ts, type, team, agent) VALUES
    ('e1', 'k1', '2026-01-01 10:00', 'assigned', 'A', 'a1'), ('e2', 'k1', '2026-01-01 11:00', 'assigned', 'B', 'b1'),
    ('e3', 'k1', '2026-01-01 12:00', 'assigned', 'A', 'a2'), ('e4', 'k2', '2026-01-01 10:00', 'assigned', 'A', 'a1'),
    ('e5', 'k2', '2026-01-01 10:30', 'assigned', 'A', 'a2'), ('e6', 'k2', '2026-01-01 11:00', 'update_sent', NULL, 'a2')`);
}

describe('summary', () => {
  it('matches hand-computed figures on a small fixture', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const s = await getSummary(db, { top: 5 });
      expect(s.counts).toMatchObject({ customers: 2, feedback: 10, cases: 3, case_events: 6, events: 0 });
      // NPS: all = 2 promoters, 1 passive, 2 detractors of 5 → 0; web = (2 − 1)/4 → 25; app = −100
      expect(s.nps.map((x) => [x.channel, x.value, x.n])).toEqual([
        ['all', 0, 5],
        ['web', 25, 4],
        ['app', -100, 1],
      ]);
      expect(s.nps.every((x) => x.smallSample)).toBe(true);
      // CSAT web: 2 of 3 answered 4–5
      expect(s.csat[0]!.channel).toBe('all');
      expect(s.csat[0]!.value).toBeCloseTo(200 / 3, 10);
      // CES: mean of 2 and 4
      expect(s.ces[0]!.value).toBe(3);
      expect(s.topReasons).toEqual([
        { reason: 'billing', cases: 2, share: 2 / 3 },
        { reason: 'delivery', cases: 1, share: 1 / 3 },
      ]);
      expect(s.handoffsPerCase).toBeCloseTo(2 / 3, 10);
    });
  });

  it('counts team handoffs as cases handoffs does: the team that opened the case is the first team held', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      // k3 opened by team C, then assigned to A: one team handoff (the summary used to see only
      // assignments, so it counted none); k3's assignment without a team keeps A
      await db.exec(sql`INSERT INTO case_events (id, case_id, ts, type, team, agent) VALUES
        ('e7', 'k3', '2026-01-02 09:00', 'opened', 'C', 'c1'), ('e8', 'k3', '2026-01-02 10:00', 'assigned', 'A', 'a1'),
        ('e9', 'k3', '2026-01-02 11:00', 'assigned', NULL, 'a3')`);
      const s = await getSummary(db, { top: 5 });
      const h = await getHandoffs(db, HandoffsParams.parse({}));
      expect(s.handoffsPerCase).toBeCloseTo(3 / 3, 10);
      expect(h.totals.teamHandoffs).toBe(3);
      expect(s.cases).toBe(h.totals.cases);
      expect(s.handoffsPerCase).toBeCloseTo(h.totals.teamHandoffs / h.totals.cases, 10);
    });
  });

  it('an empty workspace gives zeros and no scores, not errors', async () => {
    await withTestDb(async (db) => {
      const s = await getSummary(db, { top: 5 });
      expect(s.nps).toEqual([]);
      expect(s.handoffsPerCase).toBeNull();
      expect(s.cases).toBe(0);
    });
  });
});
