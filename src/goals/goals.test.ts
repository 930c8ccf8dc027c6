import { describe, expect, it } from 'vitest';
import { createExperiment } from '../experiments/index.js';
import { wilson } from '../stats/index.js';
import { raw, type Store, sql, withTestDb } from '../store/index.js';
import { getGoal, listGoals, removeGoal, setGoal } from './goals.js';
import { goalsStatus } from './status.js';

/**
 * CSAT answers on the 15th of each month, 2026: at `delivery` 40 a month with 20, 22, 21, 24, 23, 25
 * satisfied (Jan…Jun); at `returns` 30 a month with 24 satisfied, May and June only.
 */
async function fixture(db: Store): Promise<void> {
  const rows: string[] = [];
  let id = 0;
  const add = (tp: string, month: number, n: number, good: number) => {
    for (let i = 0; i < n; i++)
      rows.push(
        `('a${++id}', 'u${id}', TIMESTAMP '2026-${String(month).padStart(2, '0')}-15 12:00', 'csat', ${i < good ? 5 : 2}, '${tp}')`,
      );
  };
  for (const [i, g] of [20, 22, 21, 24, 23, 25].entries()) add('delivery', i + 1, 40, g);
  add('returns', 5, 30, 24);
  add('returns', 6, 30, 24);
  await db.exec(
    sql`INSERT INTO feedback (id, customer_id, ts, kind, score, touchpoint) VALUES ${raw(rows.join(', '))}`,
  );
}

const now = new Date('2026-07-01T00:00:00Z');

describe('goals', () => {
  it('forecasts each goal to its due date and applies the status rule', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const set = (id: string, target: number, extra: object = {}) =>
        setGoal(
          db,
          {
            id,
            metric: 'csat',
            touchpoint: 'delivery',
            target,
            due: '2026-12-31',
            owner: 'Delivery ops',
            ...extra,
          },
          { now },
        );
      const g = await set('reach-75', 0.75);
      // defaults: starts at the end of the data (the last answer, 2026-06-15 12:00), baseline = the 90 days
      // before it: April–June, 72 of 120 satisfied
      expect([g.start, g.baseline, g.name]).toEqual(['2026-06-15T12:00:00Z', 0.6, 'CSAT at delivery']);
      await set('reach-85', 0.85);
      await set('reach-95', 0.95);
      const r = await goalsStatus(db, { now });
      expect(r.asOf).toBe('2026-06-15T12:00:00.000Z');
      const by = Object.fromEntries(r.goals.map((x) => [x.id, x]));
      // trend: the six monthly shares; line through (k + 0.5, share) for k = 0…5, predicted at 2026-12-31
      // (x = 11 + 30/31): 0.761071 with a 95 % prediction interval 0.599285 … 0.922858 (numpy.polyfit,
      // scipy.stats.t.ppf(0.975, 4))
      const a = by['reach-75']!;
      expect(a.trend.map((t) => [t.month, t.value, t.n])).toEqual([
        ['2026-01', 0.5, 40],
        ['2026-02', 0.55, 40],
        ['2026-03', 0.525, 40],
        ['2026-04', 0.6, 40],
        ['2026-05', 0.575, 40],
        ['2026-06', 0.625, 40],
      ]);
      expect(a.forecast!.value).toBeCloseTo(0.7610714285714282, 9);
      expect(a.forecast!.lo).toBeCloseTo(0.5992846173549133, 9);
      expect(a.forecast!.hi).toBeCloseTo(0.922858239787943, 9);
      const w = wilson(72, 120);
      expect(a.current).toEqual({ value: 0.6, lo: w.low, hi: w.high, n: 120 });
      // forecast 0.761 ≥ 0.75 → on track; 0.85 only within the interval → at risk; 0.95 beyond it → off track
      expect([a.status, by['reach-85']!.status, by['reach-95']!.status]).toEqual([
        'on-track',
        'at-risk',
        'off-track',
      ]);
      expect(by['reach-95']!.reason).toMatch(/trend of 6 months forecasts 76\.1 %/);
      // an experiment on the goal's metric is linked to it
      await createExperiment(db, {
        id: 'sms',
        name: 'SMS',
        hypothesis: 'an SMS raises CSAT',
        variants: ['control', 'sms'],
        start: '2026-06-01',
        primary: 'csat',
        owner: 'Delivery ops',
      });
      const linked = await goalsStatus(db, { now, id: 'reach-75' });
      expect(linked.goals[0]!.links).toEqual({ experiments: ['sms'], findings: [] });
    });
  });

  it('holds the current value against the path from baseline to target when there is no trend', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      // returns: two months only (no forecast); current = May + June = 48/60 = 0.8, Wilson hi 0.8818.
      // start 2026-05-01, due 2026-11-01: at 2026-06-15 12:00, 45.5 of 184 days have passed
      const base = {
        metric: 'csat',
        touchpoint: 'returns',
        start: '2026-05-01',
        due: '2026-11-01',
        owner: 'Returns',
      };
      await setGoal(db, { ...base, id: 'easy', baseline: 0.7, target: 0.9 }, { now }); // path 0.7495
      await setGoal(db, { ...base, id: 'close', baseline: 0.85, target: 0.95 }, { now }); // path 0.8747
      await setGoal(db, { ...base, id: 'far', baseline: 0.9, target: 0.99 }, { now }); // path 0.9223
      // due date passed: judged on the current value
      await setGoal(
        db,
        { ...base, id: 'past', start: '2026-01-01', due: '2026-06-01', target: 0.85 },
        { now },
      );
      // nothing measured in the last 90 days at a touchpoint without answers
      await setGoal(db, { ...base, id: 'empty', touchpoint: 'store', baseline: 0.5, target: 0.6 }, { now });
      const r = await goalsStatus(db, { now });
      const by = Object.fromEntries(r.goals.map((x) => [x.id, x]));
      expect(by.easy!.forecast).toBeNull();
      expect(by.easy!.current!.value).toBe(0.8);
      expect(['easy', 'close', 'far', 'past', 'empty'].map((id) => by[id]!.status)).toEqual([
        'on-track',
        'at-risk',
        'off-track',
        'off-track',
        'at-risk',
      ]);
      expect(by.close!.reason).toMatch(/current 80\.0 % against 87\.5 % expected by now/);
      expect(by.empty!.reason).toBe('no data in the last 90 days');
      expect(by.easy!.progress).toBeCloseTo(0.5, 12);
    });
  });

  it('lists, updates, removes and refuses bad goals with the field named', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      await setGoal(
        db,
        { metric: 'handoffs_per_case', target: 1.2, due: '2027-01-01', owner: 'Support' },
        { now },
      );
      await setGoal(
        db,
        { metric: 'handoffs_per_case', target: 1.1, due: '2027-01-01', owner: 'Support lead' },
        { now },
      );
      expect((await listGoals(db)).map((g) => [g.id, g.target, g.owner])).toEqual([
        ['handoffs-per-case', 1.1, 'Support lead'],
      ]);
      expect((await getGoal(db, 'handoffs-per-case')).baseline).toBeNull();
      await expect(
        setGoal(db, { metric: 'csat', target: 90, due: '2027-01-01', owner: 'x' }),
      ).rejects.toThrow(/^target: csat is a share between 0 and 1/);
      await expect(setGoal(db, { metric: 'nope', target: 1, due: '2027-01-01', owner: 'x' })).rejects.toThrow(
        /^metric: no metric "nope"/,
      );
      await expect(
        setGoal(db, { metric: 'csat', target: 0.9, due: '2026-01-01', owner: 'x' }, { now }),
      ).rejects.toThrow(/^due: must be after the start \(2026-06-15\)/);
      await expect(
        setGoal(
          db,
          { metric: 'fcr', touchpoint: 'checkout', target: 0.9, due: '2027-01-01', owner: 'x' },
          { now },
        ),
      ).rejects.toThrow(/cases have no touchpoint/);
      expect(await removeGoal(db, 'handoffs-per-case')).toEqual({ removed: 'handoffs-per-case' });
      await expect(removeGoal(db, 'handoffs-per-case')).rejects.toThrow(/no goal "handoffs-per-case"/);
    });
  });
});
