import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, sql } from '../store/index.js';
import { adminSession, bearer, call, defaultKey, startChild, tempDir } from './test-harness.js';

const BATCH = 500;
const batch = (b: number) =>
  Array.from({ length: BATCH }, (_, i) => ({
    id: `b${b}-${i}`,
    customer_id: `c${i % 50}`,
    ts: new Date(Date.UTC(2026, 4, 1, 0, 0, i)).toISOString(),
    channel: 'web',
    touchpoint: 'checkout',
    properties: { i, batch: b },
  }));

/** Rows per batch in the workspace file, read directly once the server is gone. */
async function rowsPerBatch(file: string): Promise<Map<number, number>> {
  const db = await openStore(file);
  try {
    const rows = await db.all<{ b: number; n: number }>(
      sql`SELECT CAST(substr(split_part(id, '-', 1), 2) AS INTEGER) AS b, count(*) AS n FROM events GROUP BY 1`,
    );
    return new Map(rows.map((r) => [r.b, r.n]));
  } finally {
    await db.close();
  }
}

/**
 * Acknowledge only what is committed: a stream of 500-event batches from four concurrent senders,
 * the server SIGKILLed at several points; after each kill every acknowledged batch is complete and
 * no batch is half-written. The server then restarts on the same files and the stream goes on.
 */
describe('SIGKILL in the middle of a stream of ingest batches', () => {
  it('loses no acknowledged batch and half-writes none, at several kill points', async () => {
    const dataDir = tempDir('tp-crash-');
    const file = join(dataDir, 'workspaces', 'default.duckdb');
    let key: string | undefined;
    const acked = new Set<number>();
    const sent = new Set<number>();
    let next = 0;
    const inFlightAtKill: number[] = [];
    for (const killAfter of [3, 9, 20]) {
      const server = await startChild({ dataDir });
      if (!key) key = await defaultKey(server.url, ['ingest']);
      const target = acked.size + killAfter;
      let stop = false;
      const sender = async () => {
        while (!stop) {
          const b = next++;
          sent.add(b);
          try {
            const r = await call(`${server.url}/api/v1/ingest/events`, {
              headers: bearer(key!),
              body: batch(b),
            });
            if (r.status === 200) acked.add(b);
            else stop = true;
          } catch {
            stop = true; // connection reset by the kill
          }
        }
      };
      const senders = Array.from({ length: 4 }, sender);
      while (acked.size < target) await new Promise((r) => setTimeout(r, 5));
      // kill with batches in flight (a few ms later, so some are mid-transaction)
      await new Promise((r) => setTimeout(r, 3 + killAfter));
      await server.stop('SIGKILL');
      stop = true;
      await Promise.all(senders);

      const counts = await rowsPerBatch(file);
      const lost = [...acked].filter((b) => counts.get(b) !== BATCH);
      const half = [...counts].filter(([, n]) => n !== BATCH);
      expect(lost, `acknowledged batches missing rows after kill at ${killAfter}`).toEqual([]);
      expect(half, 'half-written batches').toEqual([]);
      expect([...counts.keys()].every((b) => sent.has(b))).toBe(true);
      inFlightAtKill.push(sent.size - acked.size);
    }
    // the kills did land with batches in flight (sent, not acknowledged)
    expect(inFlightAtKill.some((n) => n > 0)).toBe(true);
    expect(acked.size).toBeGreaterThanOrEqual(32);
    // one last restart: the server comes back on the crashed files and reports the same rows
    const server = await startChild({ dataDir });
    const admin = await adminSession(server.url);
    const s = await call<{ counts: { events: number } }>(`${server.url}/api/v1/overview/summary`, {
      headers: admin,
    });
    const counts = await (async () => {
      await server.stop('SIGTERM');
      return rowsPerBatch(file);
    })();
    expect(s.body.counts.events).toBe([...counts.values()].reduce((a, b) => a + b, 0));
    expect(s.body.counts.events).toBeGreaterThanOrEqual(acked.size * BATCH);
  });
});

describe('SIGTERM in the middle of a stream of ingest batches', () => {
  it('finishes the batches in flight, refuses new ones, exits 0, and every acknowledged batch is stored', async () => {
    const dataDir = tempDir('tp-term-');
    const file = join(dataDir, 'workspaces', 'default.duckdb');
    const server = await startChild({ dataDir });
    const key = await defaultKey(server.url, ['ingest']);
    const acked = new Set<number>();
    const statuses: number[] = [];
    let next = 0;
    let stop = false;
    const sender = async () => {
      while (!stop) {
        const b = next++;
        try {
          const r = await call(`${server.url}/api/v1/ingest/events`, {
            headers: bearer(key),
            body: batch(b),
          });
          statuses.push(r.status);
          if (r.status === 200) acked.add(b);
          else stop = true;
        } catch {
          stop = true; // the listener is closed: connection refused
        }
      }
    };
    const senders = Array.from({ length: 4 }, sender);
    while (acked.size < 6) await new Promise((r) => setTimeout(r, 5));
    const code = await server.stop('SIGTERM');
    stop = true;
    await Promise.all(senders);
    expect(code).toBe(0);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    const counts = await rowsPerBatch(file);
    expect([...acked].filter((b) => counts.get(b) !== BATCH)).toEqual([]);
    expect([...counts].filter(([, n]) => n !== BATCH)).toEqual([]);
  });
});
