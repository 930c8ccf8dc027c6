/**
 * Server load on loopback, bounded in time: the server runs as its own process (as in production),
 * autocannon drives it from this one, both on the same machine. Reports sustained ingest events/s
 * with p50/p99 request latency at batches of 500 — fresh ids, retried batches (every row found by
 * the duplicate check), and records without ids (ids derived from content) — and read latency
 * under concurrent ingest. Then a soak (below). `BENCH_SERVER_ONLY=load|soak` runs one part.
 */
import { readFileSync } from 'node:fs';
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
  if (process.env.BENCH_SERVER_ONLY !== 'soak') await load(ctx);
  if (process.env.BENCH_SERVER_ONLY !== 'load') await soak(ctx);
}

/** Resident memory of a process in MiB, from /proc (Linux); NaN elsewhere. */
function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

const pct = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

/**
 * Soak (issue 16): ingest continuously while reading, for `BENCH_SOAK_SECONDS` (default 600 = 10
 * min), on loopback only. Four senders post batches of 100 fresh events; one reader asks for the
 * overview summary. Prints events/s, p99 of both, the server's RSS at start and end, and the events
 * acknowledged against those stored (they must be equal: an acknowledged batch is committed).
 */
async function soak(ctx: BenchContext): Promise<void> {
  const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
  const server = await startChild({ dataDir: tempDir('tp-soak-') });
  try {
    if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):/.test(server.url))
      throw new Error(`soak runs on loopback only, not ${server.url}`);
    const admin = await adminSession(server.url);
    const key = await createKey(server.url, admin, 'default', ['ingest', 'read']);
    const summary = `${server.url}/api/v1/overview/summary`;
    const stored = async () =>
      (await call<{ counts: { events: number } }>(summary, { headers: bearer(key) })).body.counts.events;
    const before = await stored();
    const rssStart = rssMiB(server.proc.pid!);
    const until = Date.now() + seconds * 1000;
    const ingestMs: number[] = [];
    const readMs: number[] = [];
    let acked = 0;
    let refused = 0;
    let seq = 0;
    const sender = async () => {
      while (Date.now() < until) {
        const b = seq++;
        const rows = Array.from({ length: 100 }, (_, i) => ({
          id: `soak-${b}-${i}`,
          customer_id: `c${(b * 100 + i) % 5000}`,
          ts: new Date(Date.UTC(2026, 0, 1) + b * 1000 + i).toISOString(),
          channel: i % 2 ? 'web' : 'app',
          touchpoint: ['home', 'search', 'product', 'checkout'][i % 4],
        }));
        const t0 = performance.now();
        const r = await call(`${server.url}/api/v1/ingest/events`, { headers: bearer(key), body: rows });
        ingestMs.push(performance.now() - t0);
        if (r.status === 200) acked += rows.length;
        else refused++;
      }
    };
    const reader = async () => {
      while (Date.now() < until) {
        const t0 = performance.now();
        await call(summary, { headers: bearer(key) });
        readMs.push(performance.now() - t0);
      }
    };
    const t0 = performance.now();
    await Promise.all([sender(), sender(), sender(), sender(), reader()]);
    const elapsed = (performance.now() - t0) / 1000;
    const rssEnd = rssMiB(server.proc.pid!);
    const after = (await stored()) - before;
    ingestMs.sort((a, b) => a - b);
    readMs.sort((a, b) => a - b);
    ctx.report('soak: duration', elapsed.toFixed(0), 's', 'BENCH_SOAK_SECONDS, default 600');
    ctx.report(
      'soak: events/s',
      acked / elapsed,
      'events/s',
      `${ingestMs.length} batches of 100, ${refused} refused`,
    );
    ctx.report(
      'soak: ingest p50 / p99',
      `${pct(ingestMs, 0.5).toFixed(1)} / ${pct(ingestMs, 0.99).toFixed(1)}`,
      'ms',
    );
    ctx.report(
      'soak: read p50 / p99',
      `${pct(readMs, 0.5).toFixed(1)} / ${pct(readMs, 0.99).toFixed(1)}`,
      'ms',
      `${readMs.length} reads`,
    );
    ctx.report('soak: server RSS start / end', `${rssStart.toFixed(0)} / ${rssEnd.toFixed(0)}`, 'MiB');
    ctx.report(
      'soak: events acknowledged / stored',
      `${acked} / ${after}`,
      '',
      acked === after ? 'equal' : 'MISMATCH',
    );
    if (acked !== after) throw new Error(`soak: ${acked} events acknowledged but ${after} stored`);
  } finally {
    await server.stop('SIGTERM');
  }
}

async function load(ctx: BenchContext): Promise<void> {
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
