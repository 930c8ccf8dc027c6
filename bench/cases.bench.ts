/**
 * Cases: XES reading throughput (goal ≥ 100k events/s, on a synthetic log written to bench/out) and
 * the handoff analysis on 1M cases / 10M case events generated in SQL (goal < 5 s on 2 cores).
 * CASES_BENCH_CASES and CASES_BENCH_XES_EVENTS shrink it for a quick look.
 */
import { createWriteStream, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { getHandoffs, HandoffsParams } from '../src/cases/handoffs.js';
import { importCaseEventsFile } from '../src/cases/import-case-log.js';
import { rebuildCaseMetrics } from '../src/cases/metrics-store.js';
import { getPingPong, PingPongParams } from '../src/cases/ping-pong.js';
import { readXes } from '../src/cases/xes.js';
import { importRecords, undoImport } from '../src/ingest/index.js';
import { openStore, sql } from '../src/store/index.js';
import type { BenchContext } from './run.js';

const CASES = Number(process.env.CASES_BENCH_CASES ?? 1_000_000);
const EVENTS_PER_CASE = 10;
const XES_EVENTS = Number(process.env.CASES_BENCH_XES_EVENTS ?? 500_000);
const TEAMS = ['front', 'billing', 'payments', 'logistics', 'tech'];
const ACTIVITIES = ['Open', 'Assign', 'Work', 'Send update to customer', 'Note', 'Close'];

async function writeXes(file: string, events: number): Promise<void> {
  const out = createWriteStream(file);
  out.write(
    '<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n',
  );
  let buf = '';
  const perTrace = 8;
  const t0 = Date.UTC(2026, 0, 1);
  for (let t = 0; t * perTrace < events; t++) {
    buf += `  <trace>\n    <string key="concept:name" value="case-${t}"/>\n    <string key="reason" value="reason ${t % 12}"/>\n`;
    for (let e = 0; e < perTrace; e++) {
      const ts = new Date(t0 + t * 60_000 + e * 3_600_000).toISOString().replace('Z', '+00:00');
      const team = e === 0 ? 'front' : TEAMS[(t * 7 + e * 3) % TEAMS.length];
      buf +=
        `    <event>\n      <string key="concept:name" value="${ACTIVITIES[Math.min(e, ACTIVITIES.length - 1)]}"/>\n` +
        `      <string key="org:group" value="${team}"/>\n      <string key="org:resource" value="agent-${(t + e) % 200}"/>\n` +
        `      <date key="time:timestamp" value="${ts}"/>\n` +
        `      <container key="ticket"><int key="priority" value="${e % 3}"/></container>\n    </event>\n`;
    }
    buf += '  </trace>\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(`${buf}</log>\n`);
  await new Promise<void>((r) => out.end(() => r()));
}

export default async function (ctx: BenchContext): Promise<void> {
  // 1. XES
  const xes = join(ctx.outDir, `cases-${XES_EVENTS}.xes`);
  if (!existsSync(xes)) await writeXes(xes, XES_EVENTS);
  let t = performance.now();
  const log = await readXes(xes);
  let s = (performance.now() - t) / 1000;
  ctx.report(
    'XES read (parse + case events)',
    Math.round(log.caseEvents.length / s),
    'events/s',
    `${log.caseEvents.length.toLocaleString('en-US')} events, ${log.cases.length.toLocaleString('en-US')} traces, ${s.toFixed(2)} s; goal ≥ 100,000`,
  );
  const importDb = join(ctx.outDir, 'cases-xes.duckdb');
  rmSync(importDb, { force: true });
  const idb = await openStore(importDb);
  t = performance.now();
  await importCaseEventsFile(idb, xes);
  s = (performance.now() - t) / 1000;
  ctx.report(
    'XES import (read + validate + store)',
    Math.round(log.caseEvents.length / s),
    'events/s',
    `${s.toFixed(2)} s`,
  );
  await idb.close();

  // 2. Handoff analysis on generated cases
  const file = join(ctx.outDir, `cases-${CASES}.duckdb`);
  const fresh = !existsSync(file);
  const db = await openStore(file);
  try {
    if (fresh) {
      t = performance.now();
      await db.exec(sql`INSERT INTO teams (id, name, tier) VALUES ('front', 'Front line', 1), ('billing', 'Billing', 2),
        ('payments', 'Payments', 3), ('logistics', 'Logistics', 2), ('tech', 'Tech', 2)`);
      await db.exec(sql`INSERT INTO cases (id, customer_id, opened_at, channel, reason, product, status)
        SELECT 'c' || i, 'u' || (i % 400000), TIMESTAMP '2025-01-01' + to_seconds(i * 25),
          ['phone', 'chat', 'email', 'web'][1 + i % 4], 'reason ' || (i % 12), 'p' || (i % 30), 'open'
        FROM range(${CASES}) t(i)`);
      // 10 events per case: opened at front, 6 assignments wandering between teams (with returns),
      // an update, a note, a close (every 20th case stays open, every 25th reopens instead)
      await db.exec(sql`INSERT INTO case_events (id, case_id, ts, seq, type, team, agent, transfer_reason)
        SELECT 'c' || i || '-' || j, 'c' || i, TIMESTAMP '2025-01-01' + to_seconds(i * 25 + j * 3600), j,
          CASE WHEN j = 0 THEN 'opened' WHEN j <= 6 THEN 'assigned' WHEN j = 7 THEN 'update_sent'
               WHEN j = 8 THEN 'note' WHEN i % 25 = 0 THEN 'reopened' WHEN i % 20 = 0 THEN 'note' ELSE 'closed' END,
          CASE WHEN j = 0 THEN 'front' WHEN j <= 6 THEN ['front', 'billing', 'payments', 'logistics', 'tech'][1 + (hash(i, j // 2) % 5)::BIGINT] END,
          CASE WHEN j <= 6 THEN 'a' || (hash(i, j) % 500)::BIGINT END,
          CASE WHEN j BETWEEN 1 AND 6 AND hash(i, j) % 40 = 0 THEN 'missing permission' END
        FROM range(${CASES}) t(i), range(${EVENTS_PER_CASE}) s(j)`);
      ctx.report('generate cases + case events', ((performance.now() - t) / 1000).toFixed(1), 's');
    }
    const n = await db.one<{ cases: number; events: number }>(
      sql`SELECT (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM case_events) AS events`,
    );
    ctx.report(
      'data',
      `${n!.cases.toLocaleString('en-US')} cases, ${n!.events.toLocaleString('en-US')} case events`,
    );
    // the stored per-case metrics: a full build (as after a large import), then analyses read it
    t = performance.now();
    await rebuildCaseMetrics(db, { full: true });
    ctx.report('case metrics table, full build', ((performance.now() - t) / 1000).toFixed(2), 's');
    for (const by of ['reason', 'team'] as const) {
      t = performance.now();
      const r = await getHandoffs(db, HandoffsParams.parse({ by }));
      s = (performance.now() - t) / 1000;
      ctx.report(
        `handoffs by ${by}`,
        s.toFixed(2),
        's',
        `${r.totals.teamHandoffs.toLocaleString('en-US')} team handoffs; goal < 5 s`,
      );
    }
    // a small import of case events (live ingest): only the cases it touched are redone
    const imported = await importRecords(
      db,
      'case-events',
      Array.from({ length: 1000 }, (_, i) => ({
        id: `bench-${i}`,
        case_id: `c${(i * 997) % CASES}`,
        ts: '2026-06-01T00:00:00Z',
        type: 'assigned',
        team: 'tech',
      })),
      { source: 'bench' },
    );
    t = performance.now();
    await getHandoffs(db, HandoffsParams.parse({ by: 'reason' }));
    ctx.report(
      'handoffs by reason, first call after importing 1,000 case events',
      ((performance.now() - t) / 1000).toFixed(2),
      's',
      'refresh of the touched cases included',
    );
    await undoImport(db, imported.importId);
    await rebuildCaseMetrics(db);
    // an as-of instant computes every case from its events (what each analysis did before the table)
    for (const by of ['reason', 'team'] as const) {
      t = performance.now();
      await getHandoffs(db, HandoffsParams.parse({ by, asOf: '2100-01-01' }));
      ctx.report(
        `handoffs by ${by}, as-of (computed from events)`,
        ((performance.now() - t) / 1000).toFixed(2),
        's',
      );
    }
    t = performance.now();
    await getPingPong(db, PingPongParams.parse({}));
    ctx.report('ping-pong (with findings)', ((performance.now() - t) / 1000).toFixed(2), 's');
  } finally {
    await db.close();
  }
}
