import { describe, expect, it } from 'vitest';
import { TouchpointError } from '../core/errors.js';
import { wilson } from '../stats/index.js';
import { type Store, sql, withTestDb } from '../store/index.js';
import { addCustomers, addEvents, addJourney, type Ev } from './fixtures.test-helpers.js';
import { getFunnel } from './funnel.js';

// Journey a → b → c; ad/site → a, search → b, cart/pay → c. Latest event (as-of) 2026-03-01T10:00Z.
const EVENTS: Ev[] = [
  // c1: the happy path, one day apart
  { customer: 'c1', touchpoint: 'ad', at: '2026-01-01T10:00:00Z' },
  { customer: 'c1', touchpoint: 'search', at: '2026-01-02T10:00:00Z', channel: 'app' },
  { customer: 'c1', touchpoint: 'cart', at: '2026-01-03T10:00:00Z' },
  // c2: out of order (b before a): only step 1
  { customer: 'c2', touchpoint: 'search', at: '2026-01-01T09:00:00Z' },
  { customer: 'c2', touchpoint: 'ad', at: '2026-01-01T10:00:00Z' },
  // c3: repeated step 1, step 2 five days after the first
  { customer: 'c3', touchpoint: 'ad', at: '2026-01-01T10:00:00Z' },
  { customer: 'c3', touchpoint: 'ad', at: '2026-01-05T10:00:00Z' },
  { customer: 'c3', touchpoint: 'search', at: '2026-01-06T10:00:00Z' },
  // c4: three steps at the same instant (ties count as in order)
  { customer: 'c4', touchpoint: 'cart', at: '2026-01-10T12:00:00Z' },
  { customer: 'c4', touchpoint: 'search', at: '2026-01-10T12:00:00Z' },
  { customer: 'c4', touchpoint: 'ad', at: '2026-01-10T12:00:00Z' },
  // c5: a single event
  { customer: 'c5', touchpoint: 'site', at: '2026-01-15T10:00:00Z', channel: 'app' },
  // c6: step 2 sixty days later, outside the 30-day window
  { customer: 'c6', touchpoint: 'ad', at: '2026-01-01T10:00:00Z' },
  { customer: 'c6', touchpoint: 'search', at: '2026-03-01T10:00:00Z' },
  // anonymous visitor v1
  { anon: 'v1', touchpoint: 'site', at: '2026-01-20T10:00:00Z' },
  { anon: 'v1', touchpoint: 'search', at: '2026-01-21T10:00:00Z' },
  // c8: entered 9 days before as-of: in progress
  { customer: 'c8', touchpoint: 'ad', at: '2026-02-20T10:00:00Z' },
];

async function fixture(db: Store): Promise<void> {
  await addJourney(db);
  await addEvents(db, EVENTS);
  await addCustomers(db, [
    { id: 'c1', segment: 'smb', createdAt: '2025-12-31T23:30:00Z' },
    { id: 'c2', segment: 'smb', createdAt: '2026-01-01T00:00:00Z' },
    { id: 'c3', segment: 'smb', createdAt: '2026-01-01T00:00:00Z' },
    { id: 'c4', segment: 'smb', createdAt: '2026-01-01T00:00:00Z' },
    { id: 'c5', segment: 'ent' },
    { id: 'c6', segment: 'ent' },
    { id: 'c8', segment: 'ent' },
  ]);
}

const conv = (k: number, n: number) => {
  const w = wilson(k, n);
  return expect.objectContaining({ k, n, value: +w.value.toFixed(4), low: +w.low.toFixed(4) });
};

describe('getFunnel', () => {
  it('counts ordered steps with out-of-order, repeated, tied, single, late and in-progress people', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getFunnel(db, {});
      expect(r.steps).toEqual(['a', 'b', 'c']);
      expect(r.asOf).toBe('2026-03-01T10:00:00.000Z');
      expect(r.overall.map((s) => [s.reached, s.inProgress, s.droppedOff])).toEqual([
        [8, 1, 3],
        [4, 0, 2],
        [2, 0, 0],
      ]);
      expect(r.overall[1]!.stepConversion).toEqual(conv(4, 7));
      expect(r.overall[1]!.absoluteConversion).toEqual(conv(4, 7));
      expect(r.overall[2]!.stepConversion).toEqual(conv(2, 4));
      expect(r.overall[2]!.absoluteConversion).toEqual(conv(2, 7));
      // c1 24 h, c3 120 h, c4 0 h, v1 24 h → 24; then c1 24 h, c4 0 h → 12
      expect(r.overall.map((s) => s.medianHoursFromPrevious)).toEqual([null, 24, 12]);
      expect(r.overall[2]!.medianHoursFromStart).toBe(24);
      expect(r.overall[0]!.absoluteConversion.smallSample).toBe(true);
    });
  });

  it('honours a per-step window measured from the previous step', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getFunnel(db, { stepWindowDays: ['2'] });
      // c3 took 5 days from a to b
      expect(r.overall.map((s) => s.reached)).toEqual([8, 3, 2]);
      expect(r.stepWindowDays).toEqual([2, null]);
    });
  });

  it('ignores events after an as-of and counts unfinished windows as in progress', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getFunnel(db, { asOf: '2026-01-10T12:00:00Z' });
      // entrants c1, c2, c3, c4, c6; c2 and c6 still inside their window at step 1, c3 at step 2
      expect(r.overall.map((s) => [s.reached, s.inProgress, s.droppedOff])).toEqual([
        [5, 2, 0],
        [3, 1, 0],
        [2, 0, 0],
      ]);
      expect(r.overall[2]!.absoluteConversion).toEqual(conv(2, 2));
    });
  });

  it.each([
    // 12:00+02:00 = 10:00Z: entries at 10:00Z are inside (from is inclusive)
    ['2026-01-01T12:00:00+02:00', [8, 4, 2]],
    // 13:00+02:00 = 11:00Z: c1, c2, c6 leave; c3 re-enters with its second ad (01-05) and still reaches b
    ['2026-01-01T13:00:00+02:00', [5, 3, 1]],
  ])('takes entries from %s on, converting the offset to UTC', async (from, reached) => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getFunnel(db, { from });
      expect(r.overall.map((s) => s.reached)).toEqual(reached);
    });
  });

  it('breaks down by segment and entry channel at once, and by UTC cohort month', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getFunnel(db, { by: ['segment:segment', 'channel'] });
      const byKey = Object.fromEntries(
        r.groups.map((g) => [`${g.key['segment:segment']}/${g.key.channel}`, g.steps.map((s) => s.reached)]),
      );
      expect(byKey).toEqual({
        'smb/web': [4, 3, 2],
        'ent/web': [2, 0, 0],
        'ent/app': [1, 0, 0],
        'null/web': [1, 1, 0],
      });
      expect(r.overall.map((s) => s.reached)).toEqual([8, 4, 2]);
      const cohorts = await getFunnel(db, { by: ['cohort'] });
      const c = Object.fromEntries(cohorts.groups.map((g) => [g.key.cohort, g.steps[0]!.reached]));
      // c1 was created 2025-12-31T23:30Z; people without created_at fall back to their entry month
      expect(c).toEqual({ '2025-12': 1, '2026-01': 6, '2026-02': 1 });
    });
  });

  it('breaks down by persona once a personas run exists', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      await db.exec(sql`INSERT INTO persona_runs VALUES ('r1', '2026-01-01', 'behaviour', 1, 2, 3, 0,
        '[]', '[]', '[]', NULL, '{}', '[]')`);
      await db.exec(sql`INSERT INTO personas VALUES
        ('r1', 'p1', 'planner', 'vocabulary', NULL, 'new', NULL, 2, '[]', NULL, 'unknown', '[]'),
        ('r1', 'p2', 'browser', 'vocabulary', NULL, 'new', NULL, 1, '[]', NULL, 'unknown', '[]')`);
      await db.exec(
        sql`INSERT INTO customer_personas VALUES ('r1', 'c1', 'p1', 0), ('r1', 'c3', 'p1', 0), ('r1', 'c4', 'p2', 0)`,
      );
      const r = await getFunnel(db, { by: ['persona'] });
      const byKey = Object.fromEntries(
        r.groups.map((g) => [String(g.key.persona), g.steps.map((s) => s.reached)]),
      );
      expect(byKey).toEqual({ planner: [2, 2, 1], browser: [1, 1, 1], null: [5, 1, 0] });
    });
  });

  it('funnels over touchpoints, with a repeated step needing a later event', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getFunnel(db, { level: 'touchpoint', steps: ['ad', 'search', 'ad'] });
      expect(r.overall.map((s) => s.reached)).toEqual([6, 3, 0]);
      const r2 = await getFunnel(db, { level: 'touchpoint', steps: ['ad', 'ad', 'search'] });
      expect(r2.overall.map((s) => s.reached)).toEqual([6, 1, 1]);
    });
  });

  it.each([
    [{ by: ['persona'] }, 'unavailable', /no personas yet/],
    [{ steps: ['a', 'zzz'] }, 'invalid_input', /zzz is not a stage/],
    [{ level: 'touchpoint' as const }, 'invalid_input', /needs --steps/],
    [{ from: 'yesterday' }, 'invalid_input', /not an ISO-8601 date or time/],
    [{ journey: 'nope' }, 'not_found', /no journey named nope/],
  ])('refuses %j', async (params, code, message) => {
    await withTestDb(async (db) => {
      await fixture(db);
      const e = await getFunnel(db, params).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TouchpointError);
      expect((e as TouchpointError).code).toBe(code);
      expect((e as TouchpointError).message).toMatch(message);
    });
  });

  it('never counts an outbound event as a step', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      // a newsletter to c5 mapped to stage b: the company moved, not the customer
      await db.exec(
        sql`INSERT INTO journey_touchpoints (journey_id, touchpoint, stage) VALUES ('j', 'newsletter', 'b')`,
      );
      await addEvents(db, [
        {
          customer: 'c5',
          touchpoint: 'newsletter',
          channel: 'email',
          direction: 'outbound',
          at: '2026-01-16T10:00:00Z',
        },
      ]);
      const r = await getFunnel(db, {});
      expect(r.overall.map((s) => s.reached)).toEqual([8, 4, 2]);
    });
  });

  it('returns zero counts on an empty journey', async () => {
    await withTestDb(async (db) => {
      await addJourney(db);
      await db.exec(sql`SELECT 1`);
      const r = await getFunnel(db, {});
      expect(r.overall.map((s) => s.reached)).toEqual([0, 0, 0]);
    });
  });
});
