import { describe, expect, it } from 'vitest';
import { listFindings } from '../findings/index.js';
import { type Store, sql, withTestDb } from '../store/index.js';
import { addCustomers, addEvents, addJourney, type Ev } from './fixtures.test-helpers.js';
import { getMoments } from './moments.js';

// person, segment, cart outcome, retained (an event 45 days later), exposure day
const PEOPLE: [string, string, string, boolean, string][] = [
  ['b1', 'smb', 'Failed', true, '2026-01-01'],
  ['b2', 'smb', 'failed', false, '2026-01-01'],
  ['g1', 'smb', 'ok', true, '2026-01-01'],
  ['g2', 'smb', 'ok', true, '2026-01-01'],
  ['b3', 'ent', 'failed', false, '2026-01-01'],
  ['g3', 'ent', 'ok', false, '2026-01-01'],
  ['g4', 'ent', 'ok', true, '2026-01-01'],
  ['b4', 'ent', 'ok', false, '2026-01-01'], // bad by its CSAT of 2
  ['b5', 'smb', 'failed', false, '2026-04-01'], // its 90 days have not passed at as-of
];

async function fixture(db: Store): Promise<void> {
  await addJourney(db);
  const evs: Ev[] = [];
  for (const [id, , outcome, retained, day] of PEOPLE) {
    evs.push({ customer: id, touchpoint: 'ad', at: `${day}T09:00:00Z` });
    evs.push({ customer: id, touchpoint: 'cart', outcome, at: `${day}T10:00:00Z` });
    if (retained) evs.push({ customer: id, touchpoint: 'site', at: '2026-02-15T10:00:00Z' });
  }
  await addEvents(db, evs);
  await addCustomers(
    db,
    PEOPLE.map(([id, segment]) => ({ id, segment })),
  );
  await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, touchpoint, kind, score) VALUES
    ('f1', 'b4', TIMESTAMP '2026-01-03 10:00:00', 'cart', 'csat', 2),
    ('f2', 'g3', TIMESTAMP '2026-01-20 10:00:00', 'cart', 'csat', 2),
    ('f3', 'b1', TIMESTAMP '2026-03-01 10:00:00', NULL, 'nps', 3),
    ('f4', 'g1', TIMESTAMP '2026-03-01 10:00:00', NULL, 'nps', 10)`);
  await db.exec(
    sql`INSERT INTO touchpoint_owners (touchpoint, channel, team_id) VALUES ('cart', '*', 'shop')`,
  );
}

describe('getMoments', () => {
  it('compares retention after bad and good outcomes within segment × stage strata', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getMoments(db, { asOf: '2026-06-01' });
      expect(r.moments).toHaveLength(1);
      const m = r.moments[0]!;
      // g3's CSAT of 2 came 19 days after, outside the 14-day rule: g3 stays good
      expect([m.touchpoint, m.bad, m.good, m.eligibleBad, m.eligibleGood]).toEqual(['cart', 5, 4, 4, 4]);
      expect([m.retentionBad, m.retentionGood]).toEqual([0.25, 0.75]);
      // smb: 1/2 vs 2/2, ent: 0/2 vs 1/2 → both −0.5, weights 1 and 1, se = √(0.125 + 0.125) / 2 = 0.25
      expect(m.effect).toEqual({ value: -0.5, low: -0.99, high: -0.01, p: expect.any(Number), strata: 2 });
      expect(m.nps).toMatchObject({ difference: -200, nBad: 1, nGood: 1 });
      expect(m.smallSample).toBe(true);
      expect(r.findings.map((f) => [f.kind, f.slice, f.value, f.n, f.ownerTeam])).toEqual([
        ['moment-of-truth', { journey: 'j', stage: 'c', touchpoint: 'cart' }, -0.5, 4, 'shop'],
      ]);
      const stored = await listFindings(db, { analysis: 'journey.moments', limit: 5 });
      expect(stored).toHaveLength(1);
    });
  });

  it.each([
    // a per-touchpoint rule replaces the defaults: only 'cart:ok' is bad now (b4, g1–g4)
    [{ badOutcomes: ['cart:ok'] }, 5],
    // a stricter CSAT rule: a 2 is no longer bad, so b4 turns good
    [{ csatAtMost: 1 }, 4],
    // g3's late CSAT counts with a 30-day feedback window
    [{ feedbackDays: 30 }, 6],
  ])('applies the outcome rule %j', async (params, bad) => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getMoments(db, { ...params, asOf: '2026-06-01', write: false });
      expect(r.moments.find((m) => m.touchpoint === 'cart')?.bad).toBe(bad);
    });
  });
});
