/**
 * Server load on loopback, bounded in time: the server runs as its own process (as in production),
 * autocannon drives it from this one, both on the same machine. Reports sustained ingest events/s
 * with p50/p99 request latency at batches of 500 — fresh ids, retried batches (every row found by
 * the duplicate check), and records without ids (ids derived from content) — and read latency
 * under concurrent ingest.
 */
import autocannon from 'autocannon';
import { adminSession, bearer, call, createKey, startChild, tempDir } from '../src/server/test-harness.js';
import type { BenchContext } from './run.js';

const BATCH = 500;
const SECONDS = Number(process.env.BENCH_SERVER_SECONDS ?? 10);
const CONNECTIONS = 8;
/** At most this many requests per run (1M events), whichever comes first with the time limit. */
const MAX_REQUESTS = 2000;

function batchTemplate(withIds: boolean): string {
  const rows = Array.from({ length: BATCH }, (_, i) => ({
    ...(withIds ? { id: `__B__-${i}` } : {}),
    customer_id: withIds ? `c${i % 97}` : `c__B__-${i % 97}`,
    ts: new Date(Date.UTC(2026, 5, 1, 0, 0, i)).toISOString(),
    channel: i % 3 === 0 ? 'app' : 'web',
    touchpoint: ['home', 'search', 'product', 'checkout'][i % 4],
    stage: 'purchase',
    properties: { i, campaign: 'spring' },
  }));
  return JSON.stringify(rows);
}

export default async function bench(ctx: BenchContext): Promise<void> {
  const server = await startChild({ dataDir: tempDir('tp-bench-') });
  try {
    const admin = await adminSession(server.url);
    const key = await createKey(server.url, admin, 'default', ['ingest', 'read']);
    const headers = { ...bearer(key), 'content-type': 'application/json' };
    ctx.report(
      'setup',
      `${CONNECTIONS} connections × ${SECONDS} s per run, batches of ${BATCH} events, server in its own process`,
    );

    let n = 0;
    const run = async (name: string, template: string, fresh: boolean) => {
      const fixed = template.replaceAll('__B__', 'dup');
      const r = await autocannon({
        url: `${server.url}/api/v1/ingest/events`,
        connections: CONNECTIONS,
        duration: SECONDS,
        maxOverallRequests: MAX_REQUESTS, // bounded in count as well as time
        timeout: 30,
        requests: [
          {
            method: 'POST',
            headers,
            setupRequest: (req) => ({
              ...req,
              body: fresh ? template.replaceAll('__B__', `b${n++}`) : fixed,
            }),
          },
        ],
      });
      const ok = r['2xx'];
      ctx.report(
        `${name}: events/s`,
        (ok * BATCH) / r.duration,
        'events/s',
        `${ok} batches acknowledged, ${r.non2xx} non-2xx, ${r.errors} errors`,
      );
      ctx.report(`${name}: request latency p50 / p99`, `${r.latency.p50} / ${r.latency.p99}`, 'ms');
      return r;
    };

    await run('ingest fresh ids (duplicate check finds none)', batchTemplate(true), true);
    await run('ingest retried batch (every row a duplicate)', batchTemplate(true), false);
    await run('ingest without ids (ids derived from content)', batchTemplate(false), true);

    // read latency while ingest runs
    const summary = `${server.url}/api/v1/overview/summary`;
    const reads: number[] = [];
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        const t0 = performance.now();
        const res = await call(summary, { headers: bearer(key) });
        if (res.status === 200) reads.push(performance.now() - t0);
      }
    })();
    await run('ingest during reads', batchTemplate(true), true);
    stop = true;
    await reader;
    reads.sort((a, b) => a - b);
    const q = (p: number) => reads[Math.min(reads.length - 1, Math.floor(p * reads.length))] ?? Number.NaN;
    ctx.report(
      'read overview/summary under ingest: p50 / p99',
      `${q(0.5).toFixed(1)} / ${q(0.99).toFixed(1)}`,
      'ms',
      `${reads.length} reads`,
    );
    const idle: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      await call(summary, { headers: bearer(key) });
      idle.push(performance.now() - t0);
    }
    idle.sort((a, b) => a - b);
    ctx.report('read overview/summary idle: p50', idle[15]!.toFixed(1), 'ms');
    const total = await call<{ counts: { events: number } }>(summary, { headers: bearer(key) });
    ctx.report('events stored at the end', total.body.counts.events, 'rows');
  } finally {
    await server.stop('SIGTERM');
  }
}
