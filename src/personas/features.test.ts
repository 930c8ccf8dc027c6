import { describe, expect, it } from 'vitest';
import { type Store, sql, withTestDb } from '../store/index.js';
import { computeFeatures, getCustomerFeatures } from './features.js';

/**
 * A three-customer fixture whose features are computed by hand below (as of 2026-04-01T00:00Z).
 * Journey j: stages a(1) → b(2) → c(3); home → a, cart → b, pay → c.
 */
async function fixture(db: Store): Promise<void> {
  await db.exec(sql`INSERT INTO journeys (id, name, is_default) VALUES ('j', 'J', true)`);
  await db.exec(
    sql`INSERT INTO journey_stages (journey_id, position, stage) VALUES ('j', 1, 'a'), ('j', 2, 'b'), ('j', 3, 'c')`,
  );
  await db.exec(
    sql`INSERT INTO journey_touchpoints (journey_id, touchpoint, stage) VALUES ('j', 'home', 'a'), ('j', 'cart', 'b'), ('j', 'pay', 'c')`,
  );
  await db.exec(sql`INSERT INTO customers (id, created_at, monthly_value, churned_at) VALUES
    ('c1', '2026-01-01', 50, NULL), ('c2', '2026-03-01', 10, '2026-03-20'), ('c3', '2026-03-30', NULL, NULL)`);
  await db.exec(sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint, direction) VALUES
    ('e1', 'c1', '2026-01-10 10:00', 'web', 'home', 'inbound'),
    ('e2', 'c1', '2026-01-10 10:05', 'web', 'cart', 'inbound'),
    ('e3', 'c1', '2026-02-01 09:00', 'app', 'home', 'inbound'),
    ('e4', 'c1', '2026-02-01 09:10', 'phone', 'pay', 'inbound'),
    ('e5', 'c1', '2026-03-01 12:00', 'web', 'home', 'inbound'),
    ('e6', 'c1', '2026-03-02 08:00', 'email', 'newsletter', 'outbound'),
    ('e7', 'c2', '2026-03-02 10:00', 'store', 'home', 'inbound'),
    ('e8', 'c2', '2026-03-02 10:30', 'store', 'cart', 'inbound'),
    ('e9', 'c1', '2026-04-02 10:00', 'web', 'home', 'inbound')`);
  await db.exec(sql`INSERT INTO cases (id, customer_id, opened_at, reason) VALUES
    ('k1', 'c1', '2026-02-05', 'delivery'), ('k2', 'c1', '2026-03-05', 'billing')`);
  await db.exec(sql`INSERT INTO case_events (id, case_id, ts, seq, type, team) VALUES
    ('x1', 'k1', '2026-02-05 10:00', 1, 'opened', 't1'),
    ('x2', 'k1', '2026-02-05 11:00', 2, 'assigned', 't2'),
    ('x3', 'k1', '2026-02-05 12:00', 3, 'assigned', 't1'),
    ('x4', 'k2', '2026-03-05 10:00', 1, 'opened', 't1')`);
  await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, kind, score, comment) VALUES
    ('f1', 'c1', '2026-02-10', 'nps', 9, 'fast'), ('f2', 'c1', '2026-03-10', 'nps', 6, 'pricey'),
    ('f3', 'c1', '2026-03-11', 'csat', 4, NULL), ('f4', 'c1', '2026-04-05', 'csat', 1, NULL)`);
  await db.exec(sql`INSERT INTO feedback_text (feedback_id, label, score, scorer, themes, primary_theme, analyzed_at) VALUES
    ('f1', 'positive', 0.5, 'test', ['speed'], 'speed', '2026-03-12'),
    ('f2', 'negative', -0.3, 'test', ['price'], 'price', '2026-03-12')`);
}

const AS_OF = '2026-04-01T00:00:00Z';

describe('behavioural features', () => {
  it('match the hand computation on the fixture', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const t = await computeFeatures(db, { asOf: AS_OF });
      // inbound events before as_of: web 3, store 2, app 1, phone 1 (ties by name)
      expect(t.channels).toEqual(['web', 'store', 'app', 'phone']);
      expect(t.stages).toBe(3);
      const [c1, c2, c3] = t.rows;
      expect(c1).toEqual({
        customer_id: 'c1',
        events: 5, // e6 is outbound, e9 after as_of
        active_days: 3, // Jan 10, Feb 1, Mar 1
        frequency: 1, // 3 active days / (90 days / 30)
        tenure_days: 90, // Jan 1 → Apr 1
        recency_days: 30.5, // Mar 1 12:00 → Apr 1 00:00
        value: 50,
        breadth: 3, // home, cart, pay
        stage_reached: 3, // pay → c
        stage_share: 1,
        // over channel-days (web Jan 10, app Feb 1, phone Feb 1, web Mar 1): phone is assisted, 3 of 4
        self_service_share: 0.75,
        switch_rate: 1, // channel-days web app phone web: 3 changes in 3 pairs
        cases: 2,
        contact_rate: 2 / 3, // 2 cases / 3 months
        top_reason: 'billing', // 1 each: alphabetical first
        handoffs: 2, // k1: t1 → t2 → t1
        handoffs_per_case: 1,
        nps: 7.5, // (9 + 6) / 2
        csat: 4, // f4 after as_of
        ces: null,
        sentiment: 0.1, // (0.5 − 0.3) / 2
        top_theme: 'price', // 1 each: alphabetical first
        churned: false,
        thin: false,
        mix: [0.5, 0, 0.25, 0.25], // web 2 channel-days of 4 (e1 and e2 are one day), app 1, phone 1
      });
      expect(c2).toMatchObject({
        events: 2,
        active_days: 1,
        frequency: 1, // life Mar 1 → Mar 20 is under 30 days: 1 / (30 / 30)
        tenure_days: 31,
        recency_days: 29.5625, // Mar 2 10:30 → Apr 1
        stage_reached: 2,
        stage_share: 2 / 3,
        self_service_share: 0,
        switch_rate: null, // one channel-day: no pair
        cases: 0,
        contact_rate: 0,
        top_reason: null,
        handoffs_per_case: null,
        churned: true,
        thin: true, // 2 events, 1 active day
        mix: [0, 1, 0, 0], // two store events on one day: one channel-day
      });
      // no events at all: kept, marked thin, nothing invented
      expect(c3).toMatchObject({
        customer_id: 'c3',
        events: 0,
        tenure_days: 2,
        recency_days: null,
        value: null,
        stage_reached: null,
        self_service_share: null,
        switch_rate: null,
        thin: true,
        mix: [0, 0, 0, 0],
      });
    });
  });

  it('one customer: named channel mix; an unknown id is a not_found error', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const f = await getCustomerFeatures(db, { customer: 'c1', asOf: AS_OF });
      expect(f.channel_mix).toEqual({ web: 0.5, store: 0, app: 0.25, phone: 0.25 });
      expect(f.as_of).toBe('2026-04-01T00:00:00.000Z');
      await expect(getCustomerFeatures(db, { customer: 'nobody', asOf: AS_OF })).rejects.toThrow(
        'no customer nobody',
      );
    });
  });

  it("a pinned run's channels give the share columns, in its order", async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const t = await computeFeatures(db, { asOf: AS_OF, channels: ['phone', 'chat', 'web'] });
      expect(t.channels).toEqual(['phone', 'chat', 'web']);
      // c1's channel-days: web 2, app 1, phone 1 of 4
      expect(t.rows[0]!.mix).toEqual([0.25, 0, 0.5]);
    });
  });

  it('lean: the same activity, mix, cases, value and tenure; no stage, scores or themes', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const full = await computeFeatures(db, { asOf: AS_OF });
      const lean = await computeFeatures(db, { asOf: AS_OF, lean: true });
      const blank = { stage_reached: null, stage_share: null, nps: null, csat: null, ces: null };
      for (let i = 0; i < full.rows.length; i++)
        expect(lean.rows[i]).toEqual({ ...full.rows[i], ...blank, sentiment: null, top_theme: null });
    });
  });

  it('as of defaults to the day after the last event', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const t = await computeFeatures(db);
      expect(t.asOf).toBe('2026-04-03T00:00:00.000Z');
    });
  });
});
