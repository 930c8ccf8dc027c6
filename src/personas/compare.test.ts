import { describe, expect, it } from 'vitest';
import { join, type Store, sql, withTestDb } from '../store/index.js';
import { CompareSegmentsParams, compareSegments, etaSquared } from './compare.js';
import { publishRun } from './fixtures.test-helpers.js';

/**
 * Eight customers, signed up 2026-01-01, seen as of 2026-03-02 (60 days: 2 months each).
 * Segments A = c1…c4, B = c5…c8; personas p1 = {c1, c2, c5, c6}, p2 = {c3, c4, c7, c8}.
 * Churned: c1, c2, c5. Cases: c1 2, c5 2, c3 4 (contact rate 1, 1, 2 a month; others 0).
 * NPS answers: c1 10 (+100), c2 9 and 0 (mean 0), c3 5 (−100), c7 8 (0).
 */
async function fixture(db: Store): Promise<void> {
  const ids = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'];
  await db.exec(
    sql`INSERT INTO customers (id, created_at, segment, churned_at) VALUES ${join(
      ids.map(
        (id, i) =>
          sql`(${id}, TIMESTAMP '2026-01-01', ${i < 4 ? 'A' : 'B'}, ${['c1', 'c2', 'c5'].includes(id) ? '2026-04-01' : null}::TIMESTAMP)`,
      ),
    )}`,
  );
  // churned_at after as_of would not count: mark churn by the flag instead
  await db.exec(sql`UPDATE customers SET churned = churned_at IS NOT NULL, churned_at = NULL`);
  const cases = [
    ['c1', 2],
    ['c5', 2],
    ['c3', 4],
  ] as const;
  await db.exec(
    sql`INSERT INTO cases (id, customer_id, opened_at, status) VALUES ${join(
      cases.flatMap(([c, k]) =>
        Array.from({ length: k }, (_, j) => sql`(${`${c}-${j}`}, ${c}, TIMESTAMP '2026-02-01', 'closed')`),
      ),
    )}`,
  );
  const nps = [
    ['c1', 10],
    ['c2', 9],
    ['c2', 0],
    ['c3', 5],
    ['c7', 8],
  ] as const;
  await db.exec(
    sql`INSERT INTO feedback (id, customer_id, ts, kind, score) VALUES ${join(
      nps.map(([c, s], j) => sql`(${`f${j}`}, ${c}, TIMESTAMP '2026-02-10', 'nps', ${s})`),
    )}`,
  );
  await publishRun(db, { p1: ['c1', 'c2', 'c5', 'c6'], p2: ['c3', 'c4', 'c7', 'c8'] });
}

const params = (o: Partial<CompareSegmentsParams> = {}) =>
  CompareSegmentsParams.parse({ asOf: '2026-03-02', bootstraps: 50, ...o });

describe('personas vs segments', () => {
  it('η² by hand: one-way between / total sums of squares', () => {
    // y = 1 1 0 0 | 1 0 0 0 in groups 0 0 1 1 0 0 1 1: total 15/8, between 9/8 → 0.6
    expect(etaSquared([1, 1, 0, 0, 1, 0, 0, 0], [0, 0, 1, 1, 0, 0, 1, 1], 2)).toBeCloseTo(0.6, 12);
    expect(etaSquared([3, 3, 3], [0, 1, 1], 2)).toBe(0);
    expect(etaSquared([1, 2, 3, 4], [0, 1, 2, 3], 4)).toBeCloseTo(1, 12);
  });

  it('spreads each persona across the segments and states the variation each explains', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await compareSegments(db, params());
      expect(r.runId).toBe('r1');
      expect(r.customers).toBe(8);
      expect(r.segments).toEqual(['A', 'B']);
      expect(r.spread).toEqual([
        {
          personaId: 'p1',
          name: 'Persona p1',
          n: 4,
          segments: [
            { segment: 'A', n: 2, share: 0.5 },
            { segment: 'B', n: 2, share: 0.5 },
          ],
        },
        {
          personaId: 'p2',
          name: 'Persona p2',
          n: 4,
          segments: [
            { segment: 'A', n: 2, share: 0.5 },
            { segment: 'B', n: 2, share: 0.5 },
          ],
        },
      ]);
      const by = Object.fromEntries(r.explained.map((e) => [e.outcome, e]));
      // churn y = c1..c8: 1 1 0 0 1 0 0 0; SS_total = 3 − 9/8 = 15/8
      // personas (3 of 4 | 0 of 4): between = 9/4 − 9/8 = 9/8 → 0.6; segments (2 | 1): 5/4 − 9/8 = 1/8 → 1/15
      expect(by.churn!.n).toBe(8);
      expect(by.churn!.personas.value).toBeCloseTo(0.6, 12);
      expect(by.churn!.segments.value).toBeCloseTo(1 / 15, 12);
      expect(by.churn!.difference.value).toBeCloseTo(0.6 - 1 / 15, 12);
      expect(by.churn!.personas.groups).toBe(2);
      expect(by.churn!.personas.floor).toBeCloseTo(1 / 7, 12);
      expect(by.churn!.means.personas).toEqual([
        { id: 'p1', n: 4, mean: 0.75 },
        { id: 'p2', n: 4, mean: 0 },
      ]);
      // contact rate y = 1 0 2 0 1 0 0 0 (cases / 2 months); SS_total = 6 − 2 = 4
      // personas: sums 2 | 2 → between 0; segments: sums 3 | 1 → 9/4 + 1/4 − 2 = 1/2 → 0.125
      expect(by.contact_rate!.n).toBe(8);
      expect(by.contact_rate!.personas.value).toBeCloseTo(0, 12);
      expect(by.contact_rate!.segments.value).toBeCloseTo(0.125, 12);
      // NPS per answering customer: c1 +100, c2 0, c3 −100, c7 0; SS_total 20,000
      // personas: p1 {c1, c2} sum 100, p2 {c3, c7} sum −100 → between 10,000 → 0.5; segments A {c1,c2,c3} 0, B {c7} 0 → 0
      expect(by.nps!.n).toBe(4);
      expect(by.nps!.personas.value).toBeCloseTo(0.5, 12);
      expect(by.nps!.segments.value).toBeCloseTo(0, 12);
      // intervals exist, are ordered and the run is the same given the seed
      for (const e of r.explained) {
        expect(e.personas.lo).toBeLessThanOrEqual(e.personas.hi);
        expect(e.personas.lo).toBeGreaterThanOrEqual(0);
        expect(e.personas.hi).toBeLessThanOrEqual(1);
      }
      expect(await compareSegments(db, params())).toEqual(r);
      expect(r.notes.some((n) => n.startsWith('nps: only 4 customers'))).toBe(true);
      const none = await compareSegments(db, params({ bootstraps: 0 }));
      expect(Number.isNaN(none.explained[0]!.personas.lo)).toBe(true);
    });
  });

  it('groups customers without a segment under (none), and says when segments cannot explain anything', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await compareSegments(db, params({ by: 'plan' }));
      expect(r.segments).toEqual(['(none)']);
      expect(r.spread[0]!.segments).toEqual([{ segment: '(none)', n: 4, share: 1 }]);
      expect(r.explained.every((e) => e.segments.value === 0)).toBe(true);
      expect(r.notes).toContain('no customer has a plan: plans cannot explain anything here');
    });
  });

  it('the difference interval excludes 0 when personas carry churn that segments do not', async () => {
    await withTestDb(async (db) => {
      // 400 customers: persona q1 churns 3 in 4, q2 1 in 10; segments alternate, independent of persona
      const ids = Array.from({ length: 400 }, (_, i) => `c${String(i).padStart(3, '0')}`);
      await db.exec(
        sql`INSERT INTO customers (id, created_at, segment, churned) VALUES ${join(
          ids.map(
            (id, i) =>
              sql`(${id}, TIMESTAMP '2026-01-01', ${i % 2 === 0 ? 'smb' : 'consumer'}, ${i < 200 ? i % 4 !== 0 : i % 10 === 0})`,
          ),
        )}`,
      );
      await publishRun(db, { q1: ids.slice(0, 200), q2: ids.slice(200) });
      const r = await compareSegments(db, params({ bootstraps: 200 }));
      const churn = r.explained.find((e) => e.outcome === 'churn')!;
      expect(churn.difference.lo).toBeGreaterThan(0);
      expect(churn.personas.lo).toBeGreaterThan(churn.segments.hi);
      expect(r.notes.some((n) => n.startsWith('churn: personas explain more'))).toBe(true);
    });
  });
});
