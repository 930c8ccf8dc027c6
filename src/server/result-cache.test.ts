import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AnyOperation, defineOperation } from '../core/operation.js';
import { operations as allOperations } from '../operations.js';
import { sql } from '../store/index.js';
import { type RunningServer, startServer } from './app.js';
import { ResultCache } from './result-cache.js';
import { ADMIN_PASSWORD, adminSession, bearer, call, createKey, tempDir } from './test-harness.js';

const op = (cache?: { maxAgeSeconds?: number }): AnyOperation =>
  defineOperation({
    area: 't',
    verb: 'v',
    summary: 'test',
    params: z.object({}),
    mode: 'read',
    ...(cache ? { cache } : {}),
    run: async () => ({}),
  });

describe('ResultCache', () => {
  it('computes a call once per generation, shares a call in flight, keys on the parsed parameters', async () => {
    const c = new ResultCache();
    const o = op({});
    let runs = 0;
    const compute = async () => ++runs;
    const [a, b] = await Promise.all([
      c.get('w', 0, { op: o, params: { k: 'csat', x: undefined } }, compute),
      c.get('w', 0, { op: o, params: { k: 'csat' } }, compute),
    ]);
    expect([a, b, runs]).toEqual([1, 1, 1]);
    expect(await c.get('w', 0, { op: o, params: { k: 'nps' } }, compute)).toBe(2);
    // the data moved on: computed again, and the older generation's entries are gone
    expect(await c.get('w', 1, { op: o, params: { k: 'csat' } }, compute)).toBe(3);
    expect(c.has('w', 1, { op: o, params: { k: 'nps' } })).toBe(false);
    // another workspace is another cache
    expect(await c.get('x', 1, { op: o, params: { k: 'csat' } }, compute)).toBe(4);
    expect([c.hits, c.misses]).toEqual([1, 4]);
    // the calls asked for are remembered across generations (what the warmer recomputes)
    expect(c.calls('w').map((x) => x.params.k)).toEqual(['nps', 'csat']);
  });

  it('does not keep a failure, and keeps a clock-reading result at most maxAgeSeconds', async () => {
    let now = 0;
    const c = new ResultCache(300, () => now);
    const o = op({ maxAgeSeconds: 60 });
    let runs = 0;
    await expect(
      c.get('w', 0, { op: o, params: {} }, async () => {
        runs++;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await c.get('w', 0, { op: o, params: {} }, async () => ++runs)).toBe(2);
    now = 60_000;
    expect(await c.get('w', 0, { op: o, params: {} }, async () => ++runs)).toBe(2);
    now = 60_001;
    expect(await c.get('w', 0, { op: o, params: {} }, async () => ++runs)).toBe(3);
  });

  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const c = new ResultCache(2);
    const o = op({});
    const get = (k: string) => c.get('w', 0, { op: o, params: { k } }, async () => k);
    await get('a');
    await get('b');
    await get('a'); // a is now the most recent
    await get('c');
    expect(['a', 'b', 'c'].map((k) => c.has('w', 0, { op: o, params: { k } }))).toEqual([true, false, true]);
  });
});

/**
 * A real server (in process, loopback) with a cached operation that counts its runs: answered from
 * memory until a write, computed again after an import, and recomputed in the background when warm.
 */
describe('the server keeps cached reads until the next write', () => {
  let runs = 0;
  const counting = defineOperation({
    area: 'test',
    verb: 'events',
    summary: 'test: events stored (cached, counts its runs)',
    params: z.object({ touchpoint: z.string().default('checkout') }),
    mode: 'read',
    cache: {},
    run: async (db, p) => {
      runs++;
      const r = await db.one<{ n: number }>(
        sql`SELECT count(*)::INTEGER AS n FROM events WHERE touchpoint = ${p.touchpoint}`,
      );
      return { n: r?.n ?? 0, runs };
    },
  });
  let srv: RunningServer;
  let key: string;
  const dataDir = tempDir();
  const ingest = (prefix: string, n: number) =>
    call(`${srv.url}/api/v1/ingest/events`, {
      headers: bearer(key),
      body: Array.from({ length: n }, (_, i) => ({
        id: `${prefix}-${i}`,
        customer_id: `c${i}`,
        ts: '2026-01-01T00:00:00Z',
        channel: 'web',
        touchpoint: 'checkout',
      })),
    });
  const read = async (q = '') => {
    const r = await call<{ n: number; runs: number }>(`${srv.url}/api/v1/test/events${q}`, {
      headers: bearer(key),
    });
    expect(r.status).toBe(200);
    return r.body;
  };

  beforeAll(async () => {
    process.env.TOUCHPOINT_ADMIN_PASSWORD = ADMIN_PASSWORD;
    const ops = [...allOperations.filter((o) => o.area === 'ingest'), counting as AnyOperation];
    srv = await startServer({
      port: 0,
      dataDir,
      logLevel: 'warn',
      print: () => {},
      operations: ops,
      warm: true,
    });
    key = await createKey(srv.url, await adminSession(srv.url), 'default', ['admin']);
    await srv.warmed();
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('computes ahead at start, answers from memory, and again after an import (in the background)', async () => {
    // the start-up pass computed the defaults once, before anyone asked
    expect(runs).toBe(1);
    expect(await read()).toEqual({ n: 0, runs: 1 });
    expect(await read('?touchpoint=checkout')).toEqual({ n: 0, runs: 1 }); // the default, spelled out
    expect(runs).toBe(1);
    expect((await ingest('a', 3)).status).toBe(200);
    // answered after COMMIT: the next read sees the 3 events, whether the warmer got there first or not
    expect((await read()).n).toBe(3);
    await srv.warmed();
    expect(runs).toBe(2);
    expect(await read()).toEqual({ n: 3, runs: 2 });
    // another parameter is another entry; after the next write both are recomputed without a request
    expect((await read('?touchpoint=home')).n).toBe(0);
    expect(runs).toBe(3);
    expect((await ingest('b', 2)).status).toBe(200);
    await srv.warmed();
    expect(runs).toBe(5);
    expect(await read()).toEqual({ n: 5, runs: expect.any(Number) });
    expect(runs).toBe(5);
  });

  it('after a restart, computes ahead what was asked for before the shutdown', async () => {
    await srv.close();
    const before = runs;
    const ops = [...allOperations.filter((o) => o.area === 'ingest'), counting as AnyOperation];
    srv = await startServer({
      port: 0,
      dataDir,
      logLevel: 'warn',
      print: () => {},
      operations: ops,
      warm: true,
    });
    await srv.warmed();
    // the default and ?touchpoint=home, both computed at start
    expect(runs).toBe(before + 2);
    expect((await read('?touchpoint=home')).n).toBe(0);
    expect((await read()).n).toBe(5);
    expect(runs).toBe(before + 2);
  });
});
