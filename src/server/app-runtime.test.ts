import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, sql } from '../store/index.js';
import { startServer } from './app.js';
import { key, s, useAppServer } from './app.test-helpers.js';
import { bearer, call, defaultKey, tempDir } from './test-harness.js';

/** In-process server with test operations: per-workspace memory limit, graceful shutdown and CORS. */
useAppServer();

describe('memory', () => {
  it("each workspace's DuckDB gets the configured memory_limit (issue 16 item 10)", async () => {
    const r = await call<{ v: string }>(`${s.url}/api/v1/test/memory`, { headers: bearer(key) });
    expect(r.status).toBe(200);
    // DuckDB reports 300MB (decimal) in binary units: 300e6 / 2^20 = 286.1 MiB
    expect(r.body.v).toBe('286.1 MiB');
  });

  it('by default, 80% of RAM shared among the workspaces expected open at once, at least 256 MB', async () => {
    const { fairMemoryShare } = await import('./limits.js');
    expect(fairMemoryShare(8, 16 * 2 ** 30)).toBe('1638MB'); // 0.8 × 16384 MiB / 8
    expect(fairMemoryShare(100, 8 * 2 ** 30)).toBe('256MB');
  });
});

describe('graceful shutdown', () => {
  it('finishes ingest in flight, then refuses new work; every acknowledged batch is stored', async () => {
    const dataDir = tempDir();
    const srv = await startServer({ port: 0, dataDir, logLevel: 'warn', print: () => {} });
    const k = await defaultKey(srv.url, ['ingest']);
    const batch = (b: number) =>
      Array.from({ length: 500 }, (_, i) => ({
        id: `g${b}-${i}`,
        customer_id: 'c',
        ts: '2026-01-01T00:00:00Z',
        channel: 'web',
        touchpoint: 't',
      }));
    const sends = Array.from({ length: 12 }, (_, b) =>
      call(`${srv.url}/api/v1/ingest/events`, { headers: bearer(k), body: batch(b) }).then(
        (r) => r.status,
        () => 0,
      ),
    );
    await new Promise((r) => setTimeout(r, 30));
    const closing = srv.close();
    const late = await call(`${srv.url}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
    const statuses = await Promise.all(sends);
    await closing;
    expect([0, 503]).toContain(late);
    const ok = statuses.filter((c) => c === 200).length;
    expect(statuses.every((c) => c === 200 || c === 503 || c === 0)).toBe(true);
    const db = await openStore(join(dataDir, 'workspaces', 'default.duckdb'));
    const n = (await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM events`))!.n;
    await db.close();
    expect(n).toBeGreaterThanOrEqual(ok * 500);
    expect(n % 500).toBe(0);
  });
});

describe('CORS', () => {
  it('is off by default and, when configured, allows only the given origins', async () => {
    const noCors = await fetch(`${s.url}/healthz`, { headers: { origin: 'https://app.example' } });
    expect(noCors.headers.get('access-control-allow-origin')).toBeNull();
    const srv = await startServer({
      port: 0,
      dataDir: tempDir(),
      logLevel: 'warn',
      corsOrigins: ['https://app.example'],
      print: () => {},
    });
    try {
      const pre = (origin: string) =>
        fetch(`${srv.url}/api/v1/ingest/events`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      expect((await pre('https://app.example')).headers.get('access-control-allow-origin')).toBe(
        'https://app.example',
      );
      expect((await pre('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await srv.close();
    }
  });
});
