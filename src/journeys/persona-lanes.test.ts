import { describe, expect, it } from 'vitest';
import { join, type Store, sql, withTestDb } from '../store/index.js';
import { addEvents, addJourney } from './fixtures.test-helpers.js';
import { getPersonaLanes } from './persona-lanes.js';

/** A persona run r1 as `personas discover` publishes it: p1 = {c1, c2}, p2 = {c3, c4}. */
async function personas(db: Store): Promise<void> {
  await db.exec(sql`INSERT INTO persona_runs (id, created_at, mode, seed, k, customers, thin_history, features,
      scaling, silhouette, stability_ari, params, notes)
    VALUES ('r1', TIMESTAMP '2026-03-01', 'behaviour', 42, 2, 4, 0, '[]', '[]', '[]', NULL, '{}', '[]')`);
  await db.exec(sql`INSERT INTO personas (run_id, id, name, named_by, note, status, matched_from, size, centroid,
      jaccard, stability, distinguishing) VALUES
      ('r1', 'p1', 'Web-first', 'vocabulary', NULL, 'new', NULL, 2, '[]', 0.9, 'stable', '[]'),
      ('r1', 'p2', 'Store-first', 'vocabulary', NULL, 'new', NULL, 2, '[]', 0.9, 'stable', '[]')`);
  await db.exec(
    sql`INSERT INTO customer_personas (run_id, customer_id, persona_id, distance) VALUES ${join(
      [
        ['c1', 'p1'],
        ['c2', 'p1'],
        ['c3', 'p2'],
        ['c4', 'p2'],
      ].map(([c, p]) => sql`('r1', ${c}, ${p}, 0.1)`),
    )}`,
  );
}

describe('persona lanes of the journey', () => {
  it('refuses before personas exist, naming the command', async () => {
    await withTestDb(async (db) => {
      await addJourney(db);
      await expect(getPersonaLanes(db, {})).rejects.toThrow(/personas discover/);
    });
  });

  it('reach, conversion to the next stage and NPS per persona and stage, by hand', async () => {
    await withTestDb(async (db) => {
      await addJourney(db);
      await addEvents(db, [
        // c1 (p1): a → b → c, each step within 30 days
        { customer: 'c1', touchpoint: 'ad', at: '2026-03-01T10:00:00Z' },
        { customer: 'c1', touchpoint: 'search', at: '2026-03-02T10:00:00Z' },
        { customer: 'c1', touchpoint: 'cart', at: '2026-03-03T10:00:00Z' },
        // c2 (p1): a only
        { customer: 'c2', touchpoint: 'ad', at: '2026-03-01T10:00:00Z' },
        // c3 (p2): a, then b 45 days later (not a conversion within 30 days), no c
        { customer: 'c3', touchpoint: 'site', at: '2026-03-01T10:00:00Z' },
        { customer: 'c3', touchpoint: 'search', at: '2026-04-15T10:00:00Z' },
        // c4 (p2): starts at b, then c
        { customer: 'c4', touchpoint: 'search', at: '2026-03-10T10:00:00Z' },
        { customer: 'c4', touchpoint: 'cart', at: '2026-03-11T10:00:00Z' },
      ]);
      await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, kind, score, touchpoint) VALUES
        ('f1', 'c1', TIMESTAMP '2026-03-01 11:00', 'nps', 10, 'ad'),
        ('f2', 'c3', TIMESTAMP '2026-03-01 11:00', 'nps', 0, 'site')`);
      await personas(db);
      // as of 2026-06-01 every 30-day window has elapsed: nothing is in progress
      const r = await getPersonaLanes(db, { asOf: '2026-06-01' });
      expect(r.stages).toEqual(['a', 'b', 'c']);
      expect(r.lanes.map((l) => [l.personaId, l.name, l.people])).toEqual([
        ['p1', 'Web-first', 2],
        ['p2', 'Store-first', 2],
      ]);
      const figures = r.lanes.map((l) =>
        l.stages.map((s) => [s.reached, s.reachedShare, s.conversion?.k ?? null, s.conversion?.n ?? null]),
      );
      expect(figures).toEqual([
        // p1: a 2 reached (1 of 2 converts), b 1 (1 of 1), c 1 (last stage)
        [
          [2, 1, 1, 2],
          [1, 0.5, 1, 1],
          [1, 0.5, null, null],
        ],
        // p2: a 1 (0 of 1), b 2 (c4 converts, c3 does not: 1 of 2), c 1
        [
          [1, 0.5, 0, 1],
          [2, 1, 1, 2],
          [1, 0.5, null, null],
        ],
      ]);
      expect(r.lanes[0]!.stages[0]!.conversion!.value).toBe(0.5);
      // NPS: p1 has one promoter at a (+100), p2 one detractor at a (−100); n = 1 each
      expect(r.lanes.map((l) => [l.stages[0]!.nps.value, l.stages[0]!.nps.n])).toEqual([
        [100, 1],
        [-100, 1],
      ]);
      expect(r.lanes[0]!.stages[1]!.nps.n).toBe(0);
    });
  });
});
