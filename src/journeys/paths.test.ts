import { describe, expect, it } from 'vitest';
import { type Store, withTestDb } from '../store/index.js';
import { addEvents, type Ev } from './fixtures.test-helpers.js';
import { getPaths } from './paths.js';

const EVENTS: Ev[] = [
  { customer: 'p1', touchpoint: 'ad', at: '2026-01-01T10:00:00Z' },
  {
    customer: 'p1',
    touchpoint: 'email',
    channel: 'email',
    direction: 'outbound',
    at: '2026-01-01T11:00:00Z',
  },
  { customer: 'p1', touchpoint: 'search', at: '2026-01-01T12:00:00Z' },
  { customer: 'p1', touchpoint: 'call', channel: 'phone', at: '2026-01-01T20:00:00Z' },
  { customer: 'p1', touchpoint: 'cart', at: '2026-01-03T10:00:00Z' },
  { customer: 'p2', touchpoint: 'ad', at: '2026-01-01T10:00:00Z' },
  { customer: 'p2', touchpoint: 'search', at: '2026-01-01T14:00:00Z' },
  { customer: 'p2', touchpoint: 'cart', at: '2026-01-02T14:00:00Z' },
  // p3: inserted out of order, ad and search tie (ties order by touchpoint name)
  { anon: 'p3', touchpoint: 'cart', at: '2026-01-02T16:00:00Z' },
  { anon: 'p3', touchpoint: 'search', at: '2026-01-02T10:00:00Z' },
  { anon: 'p3', touchpoint: 'ad', at: '2026-01-02T10:00:00Z' },
  { customer: 'p4', touchpoint: 'ad', channel: 'app', at: '2026-01-05T10:00:00Z' },
];

const fixture = (db: Store) => addEvents(db, EVENTS);

describe('getPaths', () => {
  it('builds the directly-follows graph with median transition times', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getPaths(db, { top: 2 });
      expect(r.graph.links).toEqual([
        { source: 'ad', target: 'search', transitions: 3, medianHours: 2 },
        { source: 'search', target: 'cart', transitions: 2, medianHours: 15 },
        { source: 'call', target: 'cart', transitions: 1, medianHours: 38 },
        { source: 'search', target: 'call', transitions: 1, medianHours: 8 },
      ]);
      expect(r.graph.nodes).toEqual([
        { name: 'ad', events: 4 },
        { name: 'cart', events: 3 },
        { name: 'search', events: 3 },
        { name: 'call', events: 1 },
      ]);
    });
  });

  it('lists the top variants with coverage and tail', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getPaths(db, { top: 2 });
      expect(r.people).toBe(4);
      expect(r.variants).toEqual({
        top: [
          { path: ['ad', 'search', 'cart'], people: 2, share: 0.5 },
          { path: ['ad'], people: 1, share: 0.25 },
        ],
        distinct: 3,
        coveredShare: 0.75,
        tailPeople: 1,
        tailVariants: 1,
      });
    });
  });

  it('finds cross-channel switches within a day, and outbound events only on request', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getPaths(db, {});
      // six transitions leave web within 24 h (the 24 h one included); one goes to phone
      expect(r.switches).toEqual([
        {
          fromChannel: 'web',
          toChannel: 'phone',
          switches: 1,
          share: 0.1667,
          medianHours: 8,
          topFrom: 'search',
          topTo: 'call',
        },
      ]);
      const withOut = await getPaths(db, { includeOutbound: true });
      expect(withOut.switches.map((s) => [s.fromChannel, s.toChannel, s.switches])).toEqual([
        ['email', 'web', 1],
        ['web', 'email', 1],
        ['web', 'phone', 1],
      ]);
    });
  });

  it('shows paths before and after a touchpoint as Sankey nodes and links', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getPaths(db, { around: 'search', depth: 2 });
      expect(r.around?.people).toBe(3);
      expect(r.around?.before.links).toEqual([{ source: '-1:ad', target: '0:search', value: 3 }]);
      expect(r.around?.after.links).toEqual([
        { source: '0:search', target: '1:cart', value: 2 },
        { source: '0:search', target: '1:call', value: 1 },
        { source: '1:cart', target: '2:(end)', value: 2 },
        { source: '1:call', target: '2:cart', value: 1 },
      ]);
      expect(r.around?.after.nodes.map((n) => n.name)).toEqual([
        '0:search',
        '1:call',
        '1:cart',
        '2:(end)',
        '2:cart',
      ]);
    });
  });

  it('follows people who dropped out before the next step', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      // p2 reaches cart exactly 24 h later (inside), p3 after 6 h; p1 only after 46 h
      const r = await getPaths(db, { around: 'search', droppedBefore: 'cart', windowDays: 1, depth: 2 });
      expect(r.around?.people).toBe(1);
      expect(r.around?.after.links).toEqual([
        { source: '0:search', target: '1:call', value: 1 },
        { source: '1:call', target: '2:cart', value: 1 },
      ]);
    });
  });

  it('merges consecutive repeats in variants on request, inside a period too', async () => {
    await withTestDb(async (db) => {
      await addEvents(db, [
        { customer: 'r1', touchpoint: 'site', at: '2026-02-01T10:00:00Z' },
        { customer: 'r1', touchpoint: 'site', at: '2026-02-01T11:00:00Z' },
        { customer: 'r1', touchpoint: 'cart', at: '2026-02-01T12:00:00Z' },
        { customer: 'r1', touchpoint: 'cart', at: '2026-02-01T13:00:00Z' },
        { customer: 'r2', touchpoint: 'site', at: '2026-02-02T10:00:00Z' },
        { customer: 'r2', touchpoint: 'cart', at: '2026-02-02T11:00:00Z' },
        // r3: cart, then site twice inside the period (its earlier site is outside it)
        { customer: 'r3', touchpoint: 'site', at: '2026-01-20T10:00:00Z' },
        { customer: 'r3', touchpoint: 'cart', at: '2026-02-03T10:00:00Z' },
        { customer: 'r3', touchpoint: 'site', at: '2026-02-03T11:00:00Z' },
        { customer: 'r3', touchpoint: 'site', at: '2026-02-03T12:00:00Z' },
      ]);
      const plain = await getPaths(db, {});
      expect(plain.variants.distinct).toBe(3);
      const merged = await getPaths(db, { collapseRepeats: true });
      expect(merged.variants.top.map((v) => [v.path, v.people])).toEqual([
        [['site', 'cart'], 2],
        [['site', 'cart', 'site'], 1],
      ]);
      const inFeb = await getPaths(db, { collapseRepeats: true, from: '2026-02-01' });
      expect(inFeb.variants.top.map((v) => [v.path, v.people])).toEqual([
        [['site', 'cart'], 2],
        [['cart', 'site'], 1],
      ]);
    });
  });

  it('keeps only events inside from/to', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getPaths(db, { from: '2026-01-02', to: '2026-01-03' });
      expect(r.variants.top.map((v) => [v.path, v.people])).toEqual([
        [['ad', 'search', 'cart'], 1],
        [['cart'], 1],
      ]);
    });
  });
});
