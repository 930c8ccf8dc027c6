import { describe, expect, it } from 'vitest';
import { type Store, sql, withTestDb } from '../store/index.js';
import { addEvents, addJourney } from './fixtures.test-helpers.js';
import { getJourneyMap } from './map.js';

async function fixture(db: Store): Promise<void> {
  await addJourney(db);
  await addEvents(db, [
    { customer: 'm1', touchpoint: 'ad', at: '2026-01-01T10:00:00Z' },
    { customer: 'm1', touchpoint: 'search', at: '2026-01-02T10:00:00Z' },
    { customer: 'm1', touchpoint: 'cart', at: '2026-01-04T10:00:00Z' },
    { customer: 'm2', touchpoint: 'ad', at: '2026-01-01T10:00:00Z' },
    { customer: 'm2', touchpoint: 'site', channel: 'app', at: '2026-01-01T11:00:00Z' },
    { customer: 'm2', touchpoint: 'search', channel: 'app', at: '2026-01-01T21:00:00Z' },
    { customer: 'm3', touchpoint: 'ad', at: '2026-01-03T10:00:00Z' },
    { customer: 'm4', touchpoint: 'ad', channel: 'app', at: '2026-01-20T10:00:00Z' },
    {
      customer: 'm4',
      touchpoint: 'promo',
      channel: 'email',
      direction: 'outbound',
      at: '2026-01-21T10:00:00Z',
    },
  ]);
  await db.exec(sql`INSERT INTO cases (id, customer_id, opened_at) VALUES ('k1', 'm3', TIMESTAMP '2026-01-05 10:00:00'),
    ('k2', 'm1', TIMESTAMP '2026-02-20 10:00:00')`);
  await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, channel, touchpoint, kind, score) VALUES
    ('f1', 'm1', TIMESTAMP '2026-01-01 12:00:00', 'web', 'ad', 'csat', 4),
    ('f2', 'm3', TIMESTAMP '2026-01-03 12:00:00', 'web', 'ad', 'csat', 2),
    ('f3', 'm3', TIMESTAMP '2026-01-03 12:00:00', 'web', 'ad', 'nps', 9)`);
  await db.exec(
    sql`INSERT INTO touchpoint_owners (touchpoint, channel, team_id) VALUES ('ad', '*', 'marketing'), ('ad', 'app', 'app-team')`,
  );
}

describe('getJourneyMap', () => {
  it('computes reach, share, conversion, times, score, contact rate and owner per cell', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getJourneyMap(db, { asOf: '2026-03-01' });
      expect(r.people).toBe(4);
      expect(
        r.cells.map((c) => [
          c.stage,
          c.touchpoint,
          c.channel,
          c.customers,
          c.shareOfStage,
          c.conversion?.k,
          c.conversion?.n,
          c.owner,
        ]),
      ).toEqual([
        ['a', 'ad', 'web', 3, 0.75, 2, 3, 'marketing'],
        ['a', 'ad', 'app', 1, 0.25, 0, 1, 'app-team'],
        ['a', 'site', 'app', 1, 0.25, 1, 1, null],
        ['b', 'search', 'app', 1, 0.5, 0, 1, null],
        ['b', 'search', 'web', 1, 0.5, 1, 1, null],
        ['c', 'cart', 'web', 1, 1, undefined, undefined, null],
      ]);
      const adWeb = r.cells[0]!;
      // m1 24 h, m2 11 h to their first search
      expect(adWeb.medianHoursToNext).toBe(17.5);
      expect(adWeb.p90HoursToNext).toBe(22.7);
      // m3's case two days after the ad; m1's case 50 days after is outside 7 days
      expect(adWeb.contactRate).toMatchObject({ k: 1, n: 3 });
      expect(adWeb.feedback).toMatchObject({ mean: 3, n: 2, smallSample: true });
      expect(r.cells[2]!.medianHoursToNext).toBe(10);
      expect(r.cells[4]!.medianHoursToNext).toBe(48);
      expect(r.outbound).toEqual([
        { stage: null, channel: 'email', contacts: 1, peopleContacted: 1, perCustomer: 0.25 },
      ]);
    });
  });

  it('keeps people whose window has not elapsed out of the conversion denominator', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getJourneyMap(db, { asOf: '2026-01-25' });
      const adWeb = r.cells.find((c) => c.touchpoint === 'ad' && c.channel === 'web')!;
      // m3 (ad on 01-03) still has until 02-02: in progress
      expect([adWeb.conversion?.k, adWeb.conversion?.n, adWeb.inProgress]).toEqual([2, 2, 1]);
      const contacts = await getJourneyMap(db, { asOf: '2026-03-01', contactDays: 1 });
      expect(contacts.cells[0]!.contactRate).toMatchObject({ k: 0, n: 3 });
    });
  });
});
