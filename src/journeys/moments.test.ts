import { describe, expect, it } from 'vitest';
import { SCORE_SCALES } from '../feedback/index.js';
import { findingMembers, listFindings } from '../findings/index.js';
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

async function fixture(db: Store, copies = 1): Promise<void> {
  await addJourney(db);
  const evs: Ev[] = [];
  const people = Array.from({ length: copies }, (_, i) =>
    PEOPLE.map(([id, ...rest]) => [copies === 1 ? id : `${id}-${i}`, ...rest] as (typeof PEOPLE)[number]),
  ).flat();
  for (const [id, , outcome, retained, day] of people) {
    evs.push({ customer: id, touchpoint: 'ad', at: `${day}T09:00:00Z` });
    evs.push({ customer: id, touchpoint: 'cart', outcome, at: `${day}T10:00:00Z` });
    if (retained) evs.push({ customer: id, touchpoint: 'site', at: '2026-02-15T10:00:00Z' });
  }
  await addEvents(db, evs);
  await addCustomers(
    db,
    people.map(([id, segment]) => ({ id, segment })),
  );
  const answers: [string, string, string | null, string, number][] = [
    ['b4', '2026-01-03T10:00:00Z', 'cart', 'csat', 2],
    ['g3', '2026-01-20T10:00:00Z', 'cart', 'csat', 2],
    ['b1', '2026-03-01T10:00:00Z', null, 'nps', 3],
    ['g1', '2026-03-01T10:00:00Z', null, 'nps', 10],
  ];
  for (let i = 0; i < copies; i++) {
    for (const [who, at, touchpoint, kind, score] of answers) {
      const id = copies === 1 ? who : `${who}-${i}`;
      await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, touchpoint, kind, score)
        VALUES (${`f-${id}-${kind}`}, ${id}, ${new Date(at)}, ${touchpoint}, ${kind}, ${score})`);
    }
  }
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
      // four against four is no evidence: the stratified test does not reject, so no finding
      expect(m.effect.p).toBeGreaterThan(0.05);
      expect(r.findings).toEqual([]);
    });
  });

  it('counts a return only strictly after retentionFromDays and up to retentionToDays, stage by ties', async () => {
    await withTestDb(async (db) => {
      await addJourney(db);
      const t0 = '2026-01-01T10:00:00Z';
      const plus = (days: number, ms = 0) => new Date(Date.parse(t0) + days * 86400e3 + ms).toISOString();
      await addEvents(db, [
        // e1: back exactly 30 days later (not after 30 days) → not retained
        { customer: 'e1', touchpoint: 'cart', outcome: 'failed', at: t0 },
        { customer: 'e1', touchpoint: 'site', at: plus(30) },
        // e2: 1 ms after 30 days → retained
        { customer: 'e2', touchpoint: 'cart', outcome: 'failed', at: t0 },
        { customer: 'e2', touchpoint: 'site', at: plus(30, 1) },
        // e3: exactly 90 days later → retained (the window is closed at its end)
        { customer: 'e3', touchpoint: 'cart', outcome: 'ok', at: t0 },
        { customer: 'e3', touchpoint: 'site', at: plus(90) },
        // e4: 1 ms after 90 days → not retained
        { customer: 'e4', touchpoint: 'cart', outcome: 'ok', at: t0 },
        { customer: 'e4', touchpoint: 'site', at: plus(90, 1) },
        { customer: 'e5', touchpoint: 'cart', at: t0 },
        // x1, x2: an ad (stage a) and a cart (stage c) at the same instant: at the ad they had reached
        // stage c; x3, x4 only stage a. Two strata, bad and good in each.
        { customer: 'x1', touchpoint: 'ad', outcome: 'failed', at: t0 },
        { customer: 'x1', touchpoint: 'cart', at: t0 },
        { customer: 'x2', touchpoint: 'ad', at: t0 },
        { customer: 'x2', touchpoint: 'cart', at: t0 },
        { customer: 'x3', touchpoint: 'ad', outcome: 'failed', at: t0 },
        { customer: 'x4', touchpoint: 'ad', at: t0 },
      ]);
      const r = await getMoments(db, { asOf: '2026-12-01', badOutcomes: ['failed'] });
      const m = r.moments.find((x) => x.touchpoint === 'cart')!;
      expect([m.bad, m.eligibleBad, m.retentionBad]).toEqual([2, 2, 0.5]);
      // good: e3 (retained), e4, e5 and the carts of x1, x2 (none back)
      expect([m.good, m.eligibleGood, m.retentionGood]).toEqual([5, 5, 0.2]);
      expect(r.moments.find((x) => x.touchpoint === 'ad')?.effect.strata).toBe(2);
    });
  });

  it('writes a finding when ten times as many people show the same pattern', async () => {
    await withTestDb(async (db) => {
      await fixture(db, 10);
      const r = await getMoments(db, { asOf: '2026-06-01' });
      const m = r.moments[0]!;
      // per stratum 20 vs 20, weight 10: se = √(1.25 + 1.25) / 20 = 0.0791
      expect(m.effect).toMatchObject({ value: -0.5, low: -0.6549, high: -0.3451 });
      expect(m.effect.p).toBeLessThan(0.001);
      expect(
        r.findings.map((f) => [
          f.kind,
          f.slice,
          f.value,
          f.n,
          f.customersAffected,
          f.ownerTeam,
          f.smallSample,
        ]),
      ).toEqual([
        ['moment-of-truth', { journey: 'j', stage: 'c', touchpoint: 'cart' }, -0.5, 40, 50, 'shop', true],
      ]);
      const stored = await listFindings(db, { analysis: 'journey.moments', limit: 5 });
      expect(stored.map((f) => f.slice.touchpoint)).toEqual(['cart']);
      // the people behind it, kept with the run: b1–b5 of each copy, exactly its 50 customers affected
      const members = (await findingMembers(db, stored[0]!.runId, stored[0]!.id)) ?? [];
      expect(members.map((x) => x.customerId).sort()).toEqual(
        ['b1', 'b2', 'b3', 'b4', 'b5']
          .flatMap((b) => Array.from({ length: 10 }, (_, i) => `${b}-${i}`))
          .sort(),
      );
      const detail = (id: string) => members.find((x) => x.customerId === id)?.detail;
      expect([detail('b1-0'), detail('b2-0'), detail('b4-0'), detail('b5-0')]).toEqual([
        'first visit: failed · came back',
        'first visit: failed · did not come back',
        'a bad score given there · did not come back',
        'first visit: failed · too recent to tell whether they came back',
      ]);
      expect(members.find((x) => x.customerId === 'b1-0')?.at).toBe('2026-01-01T10:00:00Z');
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

  it('counts a low CES as the bad outcome — 7 = very easy — with the default from the one scale definition', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      // g1 found checkout very easy (7), g2 easy (5): neither is bad; g4 found it very difficult (2): bad
      const ces: [string, number][] = [
        ['g1', 7],
        ['g2', 5],
        ['g4', 2],
      ];
      for (const [who, score] of ces)
        await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, touchpoint, kind, score)
          VALUES (${`ces-${who}`}, ${who}, ${new Date('2026-01-02T10:00:00Z')}, 'cart', 'ces', ${score})`);
      const r = await getMoments(db, { asOf: '2026-06-01', write: false });
      expect(r.rule.cesAtMost).toBe(SCORE_SCALES.ces.badAtMost);
      expect(r.rule.cesAtMost).toBe(3);
      // 5 bad before (b1, b2, b3, b4, b5) + g4 = 6; g1 and g2 stay good
      expect(r.moments.find((m) => m.touchpoint === 'cart')?.bad).toBe(6);
      expect((await getMoments(db, { asOf: '2026-06-01', write: false, cesAtMost: 1 })).moments[0]?.bad).toBe(
        5,
      );
    });
  });
});
