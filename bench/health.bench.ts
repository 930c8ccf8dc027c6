/**
 * Health at scale (issue 20): survival (Kaplan–Meier by segment with the log-rank test), cohort
 * retention, and the churn model's time-based holdout (both kinds: linear and binned + interactions)
 * on the demo company, the life cycle and the business case of every finding. Goal (issue 20): survival, retention and the churn model under 30 s at 1M
 * customers. Size: HEALTH_BENCH_CUSTOMERS (default 1,000,000, sharing bench/out/demo-1m.duckdb with
 * the other benches); a smaller size gets its own file, generated once (seed 42).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateDemo } from '../src/demo/generate.js';
import { listFindings } from '../src/findings/index.js';
import { getBusinessCase } from '../src/health/business-case.js';
import { churnBacktest } from '../src/health/churn-backtest.js';
import { getLifecycle } from '../src/health/lifecycle.js';
import { getRetention } from '../src/health/retention.js';
import { getSurvival } from '../src/health/survival.js';
import { getMoments, getPainPoints } from '../src/journeys/index.js';
import { openStore } from '../src/store/index.js';
import type { BenchContext } from './run.js';

export default async function (ctx: BenchContext): Promise<void> {
  const customers = Number(process.env.HEALTH_BENCH_CUSTOMERS ?? 1_000_000);
  const path = join(
    ctx.outDir,
    customers === 1_000_000 ? 'demo-1m.duckdb' : `demo-health-${customers}.duckdb`,
  );
  if (!existsSync(path)) {
    const gen = await openStore(path);
    try {
      const t0 = performance.now();
      await generateDemo(gen, { seed: 42, customers });
      ctx.report(`generated ${customers} customers`, (performance.now() - t0) / 1000, 's');
    } finally {
      await gen.close();
    }
  }
  const db = await openStore(path);
  try {
    const time = async <T>(name: string, f: () => Promise<T>, note: (r: T) => string) => {
      const t0 = performance.now();
      const r = await f();
      ctx.report(name, (performance.now() - t0) / 1000, 's', note(r));
      return r;
    };
    await time(
      'survival by segment (KM + log-rank)',
      () => getSurvival(db, { by: 'segment' }),
      (r) => `${r.groups.reduce((s, g) => s + g.n, 0)} customers, χ² ${r.logRank?.chiSquare.toFixed(2)}`,
    );
    await time(
      'survival by first channel',
      () => getSurvival(db, { by: 'first-channel' }),
      (r) => `${r.groups.length} groups`,
    );
    await time(
      'retention by signup month',
      () => getRetention(db, {}),
      (r) => `${r.cohorts.length} cohorts`,
    );
    await time(
      'churn model, time-based holdout (LR and binned + interactions, 5-fold λ choice)',
      () => churnBacktest(db, { horizon: 60 }),
      (r) =>
        `train ${r.train.customers} / test ${r.test.customers} customers; AUC ${r.models.map((m) => `${m.model} ${m.auc.value.toFixed(3)}`).join(', ')}`,
    );
    await time(
      'life cycle (stages at 13 monthly snapshots, moves, time in stage)',
      () => getLifecycle(db, {}),
      (r) => r.stages.map((s) => `${s.stage} ${s.customers}`).join(', '),
    );
    // the business case prices the findings the analyses wrote; a fresh bench file has none yet
    if ((await listFindings(db, { limit: 1 })).length === 0) {
      await getPainPoints(db, {});
      await getMoments(db, {});
    }
    await time(
      'business case of every finding (100 bootstrap replicates)',
      () => getBusinessCase(db, { replicates: 100 }),
      (r) =>
        `${r.cases.length} findings, ${r.customerMonths} customer-months, ${r.strata} strata; top: ${r.cases[0]?.title.slice(0, 40) ?? '–'}`,
    );
  } finally {
    await db.close();
  }
}
