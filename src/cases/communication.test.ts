import { describe, expect, it } from 'vitest';
import { type Store, sql, withTestDb } from '../store/index.js';
import { CommunicationParams, getCommunication } from './communication.js';
import { getOverdueUpdates, OverdueUpdatesParams } from './overdue-updates.js';
import { type FixtureCase, h, loadCases } from './test-fixtures.js';

const open = (at: number) => ({ at: h(at), type: 'opened' as const, team: 'A', agent: 'a1' });
const upd = (at: number, promised?: number) => ({
  at: h(at),
  type: 'update_sent' as const,
  ...(promised === undefined ? {} : { promised: h(promised) }),
});
const close = (at: number) => ({ at: h(at), type: 'closed' as const });

const CASES: FixtureCase[] = [
  { id: 'c1', opened: h(0), events: [open(0), upd(10), upd(40), close(50)] }, // gaps 10 30 10: late
  { id: 'c2', opened: h(0), events: [open(0), upd(5), close(20)] }, // gaps 5 15
  { id: 'c3', opened: h(0), events: [open(0), upd(2, 30)] }, // open, promised 30h, never kept
  { id: 'c4', opened: h(30), events: [open(30)] }, // open for 10 h at as-of 40h
  { id: 'c5', opened: h(0), events: [open(0), upd(1, 10), upd(8), close(9)] }, // promise kept at 8h
];

async function csat(db: Store, rows: [string, string | null, number, number][]): Promise<void> {
  for (const [customer, caseId, at, score] of rows) {
    await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, kind, score, case_id)
      VALUES (${`f-${customer}-${at}`}, ${customer}, ${h(at)}::TIMESTAMP, 'csat', ${score}, ${caseId})`);
  }
}

describe('cases communication', () => {
  it('measures gaps, promises and CSAT by cadence as computed by hand', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, CASES, { A: 1 });
      await csat(db, [
        ['cust-c1', 'c1', 55, 2],
        ['cust-c2', 'c2', 25, 5],
        ['cust-c5', 'c5', 12, 4],
      ]);
      const r = await getCommunication(db, CommunicationParams.parse({ asOf: h(50) }));
      // gaps 1 1 2 5 7 10 10 15 30: median 7, one over 24 h
      expect(r.gaps).toMatchObject({ n: 9, medianHours: 7 });
      expect(r.gaps.overPromise).toMatchObject({ k: 1, n: 9 });
      expect([r.openCases, r.openPastPromise]).toEqual([2, 1]); // at 50 h c3 waited 48 h, c4 20 h
      expect(r.promises).toMatchObject({ made: 2, pending: 0 });
      expect(r.promises.kept).toMatchObject({ k: 1, n: 2 });
      expect(r.csat.source).toBe('case_id');
      expect(r.csat.overdue).toMatchObject({ cases: 1, mean: 2 });
      expect(r.csat.onTime).toMatchObject({ cases: 2, mean: 4.5 });
      expect(r.csat.difference).toMatchObject({ value: -1, strata: 1 });
    });
  });

  it('falls back to the same customer within N days after close only when no answer has a case id', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, CASES, { A: 1 });
      // c1 closed at 50 h: 60 h is inside 7 days; c2 closed at 20 h: the answer at 10 h is before close
      await csat(db, [
        ['cust-c1', null, 60, 1],
        ['cust-c2', null, 10, 5],
        ['cust-c5', null, 9 + 24 * 8, 5],
      ]);
      const r = await getCommunication(db, CommunicationParams.parse({ asOf: h(40 + 24 * 10) }));
      expect(r.csat.source).toBe('customer-window');
      expect(r.csat.linkedCases).toBe(1);
      expect(r.csat.overdue).toMatchObject({ cases: 1, mean: 1 });
    });
  });
});

describe('cases overdue-updates', () => {
  it('lists the open cases past the promise, most overdue first', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, CASES, { A: 1 });
      const r = await getOverdueUpdates(db, OverdueUpdatesParams.parse({ asOf: h(40) }));
      // c3: last update at 2 h → due 26 h (before the 30 h promise) → 14 h overdue at 40 h
      expect(r.total).toBe(1);
      expect(r.cases).toEqual([
        {
          caseId: 'c3',
          customerId: 'cust-c3',
          reason: 'billing',
          channel: 'phone',
          team: 'A',
          agent: 'a1',
          openedAt: '2026-01-01T00:00:00.000Z',
          lastUpdateAt: '2026-01-01T02:00:00.000Z',
          dueAt: '2026-01-02T02:00:00.000Z',
          hoursOverdue: 14,
          brokenPromiseAt: '2026-01-02T06:00:00.000Z',
        },
      ]);
    });
  });

  it.each([
    [h(20), 0], // c3 due at 26 h
    [h(60), 2], // c3 and c4 (opened 30 h, due 54 h)
  ])('as of %s: %s overdue', async (asOf, n) => {
    await withTestDb(async (db) => {
      await loadCases(db, CASES, { A: 1 });
      const r = await getOverdueUpdates(db, OverdueUpdatesParams.parse({ asOf }));
      expect(r.total).toBe(n);
    });
  });

  it('defaults the as-of to the latest event when the data ends before now', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, CASES, { A: 1 });
      const r = await getOverdueUpdates(db, OverdueUpdatesParams.parse({}));
      expect(r.asOf).toBe('2026-01-03T02:00:00.000Z'); // c1 closed at 50 h, the latest event
    });
  });
});
