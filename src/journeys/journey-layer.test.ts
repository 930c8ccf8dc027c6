import { describe, expect, it } from 'vitest';
import { openDemoCopy } from '../demo/test-fixture.js';
import { type Store, sql, withTestDb } from '../store/index.js';
import { addEvents, addJourney } from './fixtures.test-helpers.js';
import { loadJourney } from './journey.js';
import { refreshJourneyLayer } from './journey-layer.js';
import { getJourneyMap } from './map.js';
import { getMoments } from './moments.js';

const layerRows = (db: Store) =>
  db.all(sql`SELECT * EXCLUDE (pk) FROM journey_layer ORDER BY customer_id, rn_in`);

describe('journey layer', () => {
  it('gives the same map and moments from its flags as from grouping every event (demo company)', async () => {
    const db = await openDemoCopy();
    try {
      // a period from long before the data: every figure is grouped from the events in it, not read
      // from the layer's first-event flags; both must agree to the last person
      const strip = <T extends { from: string | null }>(r: T) => ({ ...r, from: null });
      expect(strip(await getJourneyMap(db, { from: '2000-01-01' }))).toEqual(await getJourneyMap(db, {}));
      const grouped = await getMoments(db, { from: '2000-01-01', write: false });
      const flagged = await getMoments(db, { write: false });
      expect(grouped.moments).toEqual(flagged.moments);
    } finally {
      await db.close();
    }
  });

  it('redoes only the people whose events changed, and everyone when the journey is redrawn', async () => {
    await withTestDb(async (db) => {
      await addJourney(db);
      const people = Array.from({ length: 20 }, (_, i) => `c${i}`);
      await addEvents(
        db,
        people.flatMap((c) => [
          { customer: c, touchpoint: 'ad', at: '2026-01-01T10:00:00Z' },
          { customer: c, touchpoint: 'search', at: '2026-01-01T11:00:00Z' },
        ]),
      );
      const j = await loadJourney(db);
      expect(await refreshJourneyLayer(db, j)).toMatchObject({ full: true, people: 20 });
      await addEvents(db, [
        { customer: 'c1', touchpoint: 'cart', at: '2026-01-02T10:00:00Z' },
        { customer: 'new', touchpoint: 'ad', at: '2026-01-03T10:00:00Z' },
      ]);
      // the index and then the layer redo c1 and the new person only
      expect(await refreshJourneyLayer(db, j)).toMatchObject({ full: false, people: 2 });
      const map = await getJourneyMap(db, { asOf: '2026-02-01', windowDays: 7 });
      const search = map.cells.find((c) => c.touchpoint === 'search');
      expect(search?.conversion).toMatchObject({ k: 1, n: 20 });
      expect(await refreshJourneyLayer(db, j)).toMatchObject({ full: false, people: 0 });
      const incremental = await layerRows(db);
      await refreshJourneyLayer(db, j, { full: true });
      expect(await layerRows(db)).toEqual(incremental);
      // redrawn: search now belongs to stage c; the map rebuilds the whole layer for the new drawing
      await db.exec(sql`UPDATE journey_touchpoints SET stage = 'c' WHERE touchpoint = 'search'`);
      const redrawn = await getJourneyMap(db, { asOf: '2026-02-01', windowDays: 7 });
      expect(redrawn.cells.find((c) => c.touchpoint === 'search')?.stage).toBe('c');
      expect(await refreshJourneyLayer(db, await loadJourney(db))).toMatchObject({ full: false, people: 0 });
    });
  });
});
