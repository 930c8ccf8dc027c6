/**
 * Monitors (docs/monitors.md): the default monitors (each journey touchpoint's volume, each team's
 * CSAT and contacts, each contact reason's volume) over the demo company's year. Two figures: a run
 * that judges every day of the year after the warm-up (what `monitors simulate` costs for all of
 * them), and the **daily run** a scheduler or cron makes — each monitor judges one new day over its
 * 26-week lookback (goal: under 10 s at 1M customers). MONITORS_BENCH_CUSTOMERS overrides the size
 * (default 1,000,000 customers ≈ 15M events).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateDemo } from '../src/demo/index.js';
import { acceptProposals, runMonitors } from '../src/monitors/index.js';
import { openStore, sql } from '../src/store/index.js';
import type { BenchContext } from './run.js';

export default async function bench(ctx: BenchContext): Promise<void> {
  const customers = Number(process.env.MONITORS_BENCH_CUSTOMERS ?? 1_000_000);
  const path = join(ctx.outDir, `monitors-bench-${customers}.duckdb`);
  for (const f of [path, `${path}.wal`]) if (existsSync(f)) rmSync(f);
  const db = await openStore(path);
  try {
    const t0 = performance.now();
    const g = await generateDemo(db, { seed: 42, customers });
    const counts = await db.one<{
      e: number;
      k: number;
      f: number;
    }>(sql`SELECT (SELECT count(*) FROM events) AS e,
      (SELECT count(*) FROM cases) AS k, (SELECT count(*) FROM feedback) AS f`);
    ctx.report(
      'data',
      `${customers.toLocaleString('en-US')} customers, ${Number(counts?.e).toLocaleString('en-US')} events, ${Number(counts?.k).toLocaleString('en-US')} cases, ${Number(counts?.f).toLocaleString('en-US')} answers`,
      '',
      `demo generated in ${((performance.now() - t0) / 1000).toFixed(1)} s (${g.seconds.total.toFixed(1)} s)`,
    );
    const accepted = await acceptProposals(db, { ids: [], all: true });
    const asOf = '2026-10-31T00:00:00Z';
    const year = await runMonitors(db, { monitor: [], due: false, from: '2026-01-01', asOf });
    ctx.report(
      `judging every day since 1 Jan (${accepted.created.length} monitors)`,
      year.ms / 1000,
      's',
      `${year.newAlerts} alerts`,
    );
    // the daily run: every monitor has judged up to the day before the last complete day
    const runs: number[] = [];
    for (let i = 0; i < 2; i++) {
      await db.exec(sql`UPDATE monitors SET last_period = TIMESTAMP '2026-10-28'`);
      const r = await runMonitors(db, { monitor: [], due: true, asOf });
      runs.push(r.ms / 1000);
      if (r.monitors.length !== accepted.created.length) throw new Error('not every monitor was due');
    }
    ctx.report(
      `daily run (${accepted.created.length} monitors, one new day each)`,
      Math.min(...runs),
      's',
      'best of 2; goal < 10 s at 1M customers',
    );
  } finally {
    await db.close();
    for (const f of [path, `${path}.wal`]) if (existsSync(f)) rmSync(f);
  }
}
