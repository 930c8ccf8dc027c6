import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { CustomerTimelineParams, getCustomerTimeline } from './timeline.js';

/**
 * One customer across channels: two web/app events, a case handed from team A to B and closed, a
 * CSAT answer with a comment about that case: the case opens 2026-01-03 00:00, moves to B at 01:00
 * and closes at 04:00.
 */
async function fixture(db: Parameters<typeof getCustomerTimeline>[0]) {
  await db.exec(sql`INSERT INTO customers (id, created_at, segment, plan, monthly_value, attributes)
    VALUES ('c1', '2026-01-01', 'consumer', 'standard', 40.5, '{"churn_risk": 0.3, "age_band": "35-44"}')`);
  await db.exec(sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint, stage, name, outcome) VALUES
    ('e1', 'c1', '2026-01-01 10:00', 'web', 'product page', 'discovery', 'view', NULL),
    ('e2', 'c1', '2026-01-02 09:00', 'app', 'checkout', 'purchase', 'pay', 'failed'),
    ('e9', 'c2', '2026-01-02 09:00', 'app', 'checkout', 'purchase', 'pay', NULL)`);
  await db.exec(sql`INSERT INTO teams (id, name, tier) VALUES ('A', 'Team A', 1), ('B', 'Team B', 2)`);
  await db.exec(sql`INSERT INTO cases (id, customer_id, opened_at, closed_at, channel, reason, status)
    VALUES ('k1', 'c1', '2026-01-03 00:00', '2026-01-03 04:00', 'phone', 'billing dispute', 'closed')`);
  await db.exec(sql`INSERT INTO case_events (id, case_id, ts, seq, type, team, agent) VALUES
    ('k1-1', 'k1', '2026-01-03 00:00', 1, 'opened', 'A', 'a1'),
    ('k1-2', 'k1', '2026-01-03 01:00', 2, 'assigned', 'B', 'b1'),
    ('k1-3', 'k1', '2026-01-03 04:00', 3, 'closed', NULL, NULL)`);
  await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, channel, kind, score, comment, case_id) VALUES
    ('f1', 'c1', '2026-01-04 08:00', 'email', 'csat', 2, 'passed from team to team', 'k1')`);
  await db.exec(sql`INSERT INTO feedback_text (feedback_id, label, score, scorer, themes, primary_theme, analyzed_at)
    VALUES ('f1', 'negative', -0.8, 'test', ['process.contact'], 'process.contact', now())`);
}

describe('customers timeline', () => {
  it('puts events, the case with its transfer and the answer with its comment in time order', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const t = await getCustomerTimeline(db, CustomerTimelineParams.parse({ customer: 'c1' }));
      expect(t.items.map((i) => [i.ts, i.kind, i.title])).toEqual([
        ['2026-01-01T10:00:00.000Z', 'event', 'view at product page'],
        ['2026-01-02T09:00:00.000Z', 'event', 'pay at checkout'],
        ['2026-01-03T00:00:00.000Z', 'case-opened', 'Case k1 opened: billing dispute'],
        ['2026-01-03T01:00:00.000Z', 'handoff', 'Case k1 transferred Team A → Team B'],
        ['2026-01-03T04:00:00.000Z', 'case-closed', 'Case k1 closed'],
        ['2026-01-04T08:00:00.000Z', 'answer', 'CSAT answer 2'],
      ]);
      expect(t.items[1]).toMatchObject({ channel: 'app', touchpoint: 'checkout', outcome: 'failed' });
      expect(t.items[5]!.answer).toEqual({
        kind: 'csat',
        score: 2,
        comment: 'passed from team to team',
        sentiment: 'negative',
        theme: 'process.contact',
      });
      expect(t.cases).toEqual([
        {
          id: 'k1',
          reason: 'billing dispute',
          channel: 'phone',
          status: 'closed',
          openedAt: '2026-01-03T00:00:00.000Z',
          closedAt: '2026-01-03T04:00:00.000Z',
          teams: ['Team A', 'Team B'],
          teamHandoffs: 1,
          returns: 0,
          reopens: 0,
          csat: 2,
        },
      ]);
      expect(t.customer).toMatchObject({
        segment: 'consumer',
        monthlyValue: 40.5,
        persona: null,
        churnRisk: { value: 0.3, source: 'attribute churn_risk' },
      });
      expect(t.summary).toEqual({
        events: 2,
        answers: 1,
        cases: 1,
        firstSeen: '2026-01-01T10:00:00.000Z',
        lastSeen: '2026-01-04T08:00:00.000Z',
        channels: ['app', 'email', 'phone', 'web'],
      });
      expect(t.truncated).toBe(0);
    });
  });

  it('as of an instant: later records do not exist; the limit keeps the newest items', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const before = await getCustomerTimeline(
        db,
        CustomerTimelineParams.parse({ customer: 'c1', asOf: '2026-01-03T02:00:00Z' }),
      );
      expect(before.items.map((i) => i.kind)).toEqual(['event', 'event', 'case-opened', 'handoff']);
      expect(before.cases[0]).toMatchObject({ status: 'open', closedAt: null, csat: null });
      const last3 = await getCustomerTimeline(db, CustomerTimelineParams.parse({ customer: 'c1', limit: 3 }));
      // the 3 newest stored items (opened, closed, answer) and the transfer between them
      expect(last3.items.map((i) => i.kind)).toEqual(['case-opened', 'handoff', 'case-closed', 'answer']);
      expect(last3.truncated).toBe(2);
    });
  });

  it('shows the persona of the newest run once personas exist', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      for (const run of ['r1', 'r2'])
        await db.exec(
          sql`INSERT INTO persona_runs VALUES (${run}, now(), 'behaviour', 1, 2, 2, 0, '[]', '{}', '{}', NULL, '{}', '[]')`,
        );
      await db.exec(sql`INSERT INTO personas VALUES
        ('r1', 'p1', 'Old name', 'vocabulary', NULL, 'new', NULL, 1, '[]', NULL, 'stable', '[]'),
        ('r2', 'p2', 'Careful planner', 'vocabulary', NULL, 'new', NULL, 1, '[]', NULL, 'stable', '[]')`);
      await db.exec(
        sql`INSERT INTO customer_personas VALUES ('r1', 'c1', 'p1', 0.1), ('r2', 'c1', 'p2', 0.2)`,
      );
      const t = await getCustomerTimeline(db, CustomerTimelineParams.parse({ customer: 'c1' }));
      expect(t.customer.persona).toEqual({ id: 'p2', name: 'Careful planner' });
    });
  });

  it('an unknown customer is not_found, naming the field', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      await expect(
        getCustomerTimeline(db, CustomerTimelineParams.parse({ customer: 'nobody' })),
      ).rejects.toMatchObject({ code: 'not_found', details: [{ field: 'customer' }] });
    });
  });
});
