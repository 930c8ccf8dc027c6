import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { addEvents, addJourney, type Ev } from './fixtures.test-helpers.js';
import { getStageTrend } from './stage-trend.js';

// journey a (ad, site) → b (search) → c (cart, pay). The data starts inside January (left out) and
// ends inside April (running, left out): February and March are the complete months.
const EVENTS: Ev[] = [
  { customer: 'p0', touchpoint: 'ad', at: '2026-01-15T10:00:00Z' },
  // February, stage a: p1 goes on 2 days later, p2 only 38 days later (past the 30), p3 never → 1 / 3
  ...['p1', 'p2', 'p3'].map((c) => ({ customer: c, touchpoint: 'ad', at: '2026-02-10T10:00:00Z' })),
  { customer: 'p1', touchpoint: 'search', at: '2026-02-12T10:00:00Z' },
  { customer: 'p2', touchpoint: 'search', at: '2026-03-20T10:00:00Z' },
  // March, stage a: p5 goes on the next day; p4's 30 days run past as-of (in progress) → 1 / 1
  { customer: 'p5', touchpoint: 'ad', at: '2026-03-01T10:00:00Z' },
  { customer: 'p5', touchpoint: 'search', at: '2026-03-02T10:00:00Z' },
  { customer: 'p5', touchpoint: 'cart', at: '2026-03-03T10:00:00Z' },
  { customer: 'p4', touchpoint: 'ad', at: '2026-03-25T10:00:00Z' },
  // as-of: the latest event
  { customer: 'p6', touchpoint: 'ad', at: '2026-04-10T10:00:00Z' },
];

describe('getStageTrend', () => {
  it('conversion and sentiment per stage and complete month, with the dated changes in the span', async () => {
    await withTestDb(async (db) => {
      await addJourney(db);
      await addEvents(db, EVENTS);
      // March at the cart: 2 positive and 1 negative comment → net (2 − 1) / 3 = +33.3; one in
      // January (left out with its month)
      const comments: [string, string, string, string][] = [
        ['f1', 'p5', '2026-03-03T12:00:00Z', 'positive'],
        ['f2', 'p5', '2026-03-04T12:00:00Z', 'positive'],
        ['f3', 'p5', '2026-03-05T12:00:00Z', 'negative'],
        ['f4', 'p0', '2026-01-20T12:00:00Z', 'negative'],
      ];
      for (const [id, who, at, label] of comments) {
        await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, touchpoint, kind, comment)
          VALUES (${id}, ${who}, ${new Date(at)}, 'cart', 'text', 'a comment long enough')`);
        await db.exec(sql`INSERT INTO feedback_text (feedback_id, label, score, scorer, themes, primary_theme, analyzed_at)
          VALUES (${id}, ${label}, 0, 'test', [], NULL, now())`);
      }
      await db.exec(sql`INSERT INTO policies (id, name, effective_at, touchpoints, updated_at) VALUES
        ('fee', 'Return fee', '2026-03-01', ['cart'], now()),
        ('old', 'Before the span', '2026-01-01', [], now())`);

      const r = await getStageTrend(db, {});
      expect(r.asOf).toBe('2026-04-10T10:00:00.000Z');
      expect(r.months).toEqual(['2026-02-01', '2026-03-01']);
      const fig = (stage: string) =>
        r.stages
          .find((s) => s.stage === stage)!
          .points.map((x) => [
            x.month,
            x.people,
            x.conversion?.value ?? null,
            x.conversion?.n ?? null,
            x.inProgress,
          ]);
      expect(fig('a')).toEqual([
        ['2026-02-01', 3, 0.3333, 3, 0],
        ['2026-03-01', 2, 1, 1, 1],
      ]);
      // b in February: p1, no cart after; in March: p5 goes on, p2's window is still open
      expect(fig('b')).toEqual([
        ['2026-02-01', 1, 0, 1, 0],
        ['2026-03-01', 2, 1, 1, 1],
      ]);
      // the last stage converts to nothing
      expect(fig('c')).toEqual([
        ['2026-02-01', 0, null, null, 0],
        ['2026-03-01', 1, null, null, 0],
      ]);
      // Wilson 95 % for 1 / 3: 0.0615 – 0.7923
      const feb = r.stages[0]!.points[0]!.conversion!;
      expect([feb.low, feb.high]).toEqual([0.0615, 0.7923]);
      const c = r.stages[2]!.points.map((x) => [x.sentiment.value, x.sentiment.n]);
      expect(c[0]).toEqual([null, 0]);
      expect(c[1]![0]).toBeCloseTo(33.33, 1);
      expect(c[1]![1]).toBe(3);
      expect(r.events).toEqual([
        {
          at: '2026-03-01T00:00:00.000Z',
          kind: 'policy',
          id: 'fee',
          name: 'Return fee',
          touchpoints: ['cart'],
        },
      ]);
    });
  });

  it('has no month before a complete one exists', async () => {
    await withTestDb(async (db) => {
      await addJourney(db);
      await addEvents(db, [
        { customer: 'x', touchpoint: 'ad', at: '2026-03-05T10:00:00Z' },
        { customer: 'y', touchpoint: 'ad', at: '2026-04-02T10:00:00Z' },
      ]);
      const r = await getStageTrend(db, {});
      expect(r.months).toEqual([]);
      expect(r.stages).toEqual([]);
    });
  });
});
