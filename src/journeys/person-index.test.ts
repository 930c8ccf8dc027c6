import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importRecords, undoImport } from '../ingest/index.js';
import { openStore, readVersion, type Store, sql, withTestDb } from '../store/index.js';
import { addEvents } from './fixtures.test-helpers.js';
import { getPaths } from './paths.js';
import { personIndex, refreshPersonIndex } from './person-index.js';

interface IndexRow {
  touchpoint: string;
  inbound: boolean;
  rn: number;
  rn_in: number | null;
  next_touchpoint: string | null;
  in_next_touchpoint: string | null;
  in_next_ts: string | null;
}

const timeline = (db: Store, customer: string) =>
  db.all<IndexRow>(sql`SELECT touchpoint, inbound, rn, rn_in, next_touchpoint, in_next_touchpoint, in_next_ts
    FROM journey_index WHERE customer_id = ${customer} ORDER BY rn`);

describe('person index', () => {
  it('orders each timeline by time, ties by touchpoint, with next events in both directions', async () => {
    await withTestDb(async (db) => {
      await addEvents(db, [
        { customer: 'c1', touchpoint: 'search', at: '2026-01-01T10:00:00Z' },
        { customer: 'c1', touchpoint: 'ad', at: '2026-01-01T10:00:00Z' }, // tie: ad before search
        {
          customer: 'c1',
          touchpoint: 'mail',
          direction: 'outbound',
          channel: 'email',
          at: '2026-01-01T11:00:00Z',
        },
        { customer: 'c1', touchpoint: 'cart', at: '2026-01-02T09:00:00Z' },
        {
          customer: 'c2',
          touchpoint: 'mail',
          direction: 'outbound',
          channel: 'email',
          at: '2026-01-01T08:00:00Z',
        },
        { customer: 'c2', touchpoint: 'ad', at: '2026-01-01T09:00:00Z' },
      ]);
      await personIndex(db);
      expect(await timeline(db, 'c1')).toEqual([
        {
          touchpoint: 'ad',
          inbound: true,
          rn: 1,
          rn_in: 1,
          next_touchpoint: 'search',
          in_next_touchpoint: 'search',
          in_next_ts: '2026-01-01T10:00:00.000Z',
        },
        {
          touchpoint: 'search',
          inbound: true,
          rn: 2,
          rn_in: 2,
          next_touchpoint: 'mail',
          in_next_touchpoint: 'cart',
          in_next_ts: '2026-01-02T09:00:00.000Z',
        },
        {
          touchpoint: 'mail',
          inbound: false,
          rn: 3,
          rn_in: null,
          next_touchpoint: 'cart',
          in_next_touchpoint: null,
          in_next_ts: null,
        },
        {
          touchpoint: 'cart',
          inbound: true,
          rn: 4,
          rn_in: 3,
          next_touchpoint: null,
          in_next_touchpoint: null,
          in_next_ts: null,
        },
      ]);
      expect(await timeline(db, 'c2')).toEqual([
        {
          touchpoint: 'mail',
          inbound: false,
          rn: 1,
          rn_in: null,
          next_touchpoint: 'ad',
          in_next_touchpoint: null,
          in_next_ts: null,
        },
        {
          touchpoint: 'ad',
          inbound: true,
          rn: 2,
          rn_in: 1,
          next_touchpoint: null,
          in_next_touchpoint: null,
          in_next_ts: null,
        },
      ]);
    });
  });

  it('is rebuilt after an import, an identity stitch and an undo, never read stale', async () => {
    await withTestDb(async (db) => {
      const ev = (id: string, who: Record<string, string>, touchpoint: string, ts: string) => ({
        id,
        ...who,
        touchpoint,
        channel: 'web',
        ts,
      });
      const first = await importRecords(
        db,
        'events',
        [
          ev('e1', { customer_id: 'c1' }, 'ad', '2026-01-01T10:00:00Z'),
          ev('e2', { anonymous_id: 'a1' }, 'search', '2026-01-01T11:00:00Z'),
        ],
        { source: 'test' },
      );
      const v1 = await readVersion(db, 'events');
      expect(v1).toBeGreaterThan(0);
      // two people, one event each: no directly-follows link yet
      expect((await getPaths(db, {})).graph.links).toEqual([]);
      // a later event carrying both ids stitches a1 to c1: one person, ad → search → cart
      const second = await importRecords(
        db,
        'events',
        [ev('e3', { customer_id: 'c1', anonymous_id: 'a1' }, 'cart', '2026-01-01T12:00:00Z')],
        { source: 'test' },
      );
      expect(await readVersion(db, 'events')).toBeGreaterThan(v1);
      const stitched = await getPaths(db, {});
      expect(stitched.people).toBe(1);
      expect(stitched.variants.top[0]?.path).toEqual(['ad', 'search', 'cart']);
      // undo takes the stitch back: two people again
      await undoImport(db, second.importId);
      const undone = await getPaths(db, {});
      expect(undone.people).toBe(2);
      expect(undone.graph.links).toEqual([]);
      await undoImport(db, first.importId);
      expect((await getPaths(db, {})).people).toBe(0);
    });
  });

  it('serves a read-only store inline with the same figures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-index-'));
    try {
      const file = join(dir, 'w.duckdb');
      const rw = await openStore(file);
      await addEvents(rw, [
        { customer: 'c1', touchpoint: 'ad', at: '2026-01-01T10:00:00Z' },
        { customer: 'c1', touchpoint: 'cart', at: '2026-01-01T12:00:00Z' },
        { anon: 'a9', touchpoint: 'ad', at: '2026-01-03T10:00:00Z' },
      ]);
      const expected = await getPaths(rw, { includeOutbound: true });
      // the index is stale now: a read-only store cannot rebuild it and must not read it
      await addEvents(rw, [{ anon: 'a9', touchpoint: 'cart', at: '2026-01-03T11:00:00Z' }]);
      const after = await getPaths(rw, {});
      await rw.close();
      const ro = await openStore(file, { readOnly: true });
      try {
        expect(await getPaths(ro, {})).toEqual(after);
        expect(after.graph.links).toEqual([
          { source: 'ad', target: 'cart', transitions: 2, medianHours: 1.5 },
        ]);
        expect(expected.graph.links[0]?.transitions).toBe(1);
      } finally {
        await ro.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('redoes only the people whose events changed, whoever wrote them, and matches a full rebuild', async () => {
    await withTestDb(async (db) => {
      const people = Array.from({ length: 20 }, (_, i) => `c${i}`);
      await addEvents(
        db,
        people.flatMap((c, i) => [
          { customer: c, touchpoint: 'ad', at: `2026-01-${String(1 + (i % 9)).padStart(2, '0')}T10:00:00Z` },
          {
            customer: c,
            touchpoint: 'cart',
            at: `2026-01-${String(1 + (i % 9)).padStart(2, '0')}T12:00:00Z`,
          },
        ]),
      );
      expect(await refreshPersonIndex(db)).toMatchObject({ rows: 40, people: 20, full: true });
      // a write that bypasses every writer's bookkeeping: c3's cart moves before its ad
      await db.exec(
        sql`UPDATE events SET ts = TIMESTAMP '2026-01-04 09:00:00' WHERE customer_id = 'c3' AND touchpoint = 'cart'`,
      );
      await addEvents(db, [{ customer: 'c7', touchpoint: 'pay', at: '2026-01-08T13:00:00Z' }]);
      expect(await refreshPersonIndex(db)).toMatchObject({ rows: 41, people: 2, full: false });
      const snapshot = () => db.all(sql`SELECT * EXCLUDE (pk) FROM journey_index ORDER BY customer_id, rn`);
      const incremental = await snapshot();
      expect(await timeline(db, 'c3')).toMatchObject([
        { touchpoint: 'cart', rn: 1, next_touchpoint: 'ad' },
        { touchpoint: 'ad', rn: 2, next_touchpoint: null },
      ]);
      await refreshPersonIndex(db, { full: true });
      expect(await snapshot()).toEqual(incremental);
      // nothing changed: nobody is redone
      expect(await refreshPersonIndex(db)).toMatchObject({ people: 0, full: false });
    });
  });

  it('builds once for concurrent callers and reports its size', async () => {
    await withTestDb(async (db) => {
      await addEvents(db, [{ customer: 'c1', touchpoint: 'ad', at: '2026-01-01T10:00:00Z' }]);
      await Promise.all([personIndex(db), personIndex(db), getPaths(db, {})]);
      const built = await db.one<{ v: string }>(
        sql`SELECT value::VARCHAR AS v FROM meta WHERE key = 'journey_index'`,
      );
      expect(JSON.parse(built!.v)).toEqual({ version: await readVersion(db, 'events'), events: 1, gen: 1 });
      expect(await refreshPersonIndex(db, { full: true })).toMatchObject({ rows: 1, people: 1, full: true });
    });
  });
});
