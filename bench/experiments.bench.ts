/**
 * Stored experiments (docs/experiments.md): `experiments results` for one experiment over 10M
 * exposures (goal: under 5 s) — two arms, a CSAT primary metric over ~3M survey answers and the
 * contact-rate guardrail over ~1M cases, every figure through the registry's computeMetric.
 */
import { createExperiment, experimentResults } from '../src/experiments/index.js';
import { sql, withTestDb } from '../src/store/index.js';
import type { BenchContext } from './run.js';

const EXPOSURES = Number(process.env.BENCH_EXPOSURES ?? 10_000_000);

export default async function bench(ctx: BenchContext): Promise<void> {
  await withTestDb(async (db) => {
    const t0 = performance.now();
    await createExperiment(db, {
      id: 'bench',
      name: 'bench',
      hypothesis: 'bench',
      variants: ['control=50', 'treat=50'],
      start: '2026-01-01',
      end: '2026-03-01',
      primary: 'csat',
      guardrails: ['contact_rate'],
      owner: 'bench',
    });
    // the data: exposures, answers (30 %; treatment satisfied a little more often) and cases (10 %),
    // generated in SQL (setup, not the import path)
    await db.exec(sql`INSERT INTO experiment_exposures
      SELECT 'bench', 'c' || i, CASE WHEN hash(i) % 2 = 0 THEN 'control' ELSE 'treat' END,
        TIMESTAMP '2026-01-01' + to_seconds(CAST(i % 5000000 AS BIGINT)), 'bench'
      FROM range(${EXPOSURES}) t(i)`);
    await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, kind, score)
      SELECT 'f' || i, 'c' || i, TIMESTAMP '2026-02-28', 'csat',
        CASE WHEN (hash(i * 7) % 1000) < CASE WHEN hash(i) % 2 = 0 THEN 650 ELSE 660 END THEN 5 ELSE 2 END
      FROM range(${EXPOSURES}) t(i) WHERE hash(i * 3) % 10 < 3`);
    await db.exec(sql`INSERT INTO cases (id, customer_id, opened_at)
      SELECT 'k' || i, 'c' || i, TIMESTAMP '2026-02-27' FROM range(${EXPOSURES}) t(i) WHERE hash(i * 5) % 10 = 0`);
    const n = await db.one<{ e: number; f: number; k: number }>(sql`SELECT
      (SELECT count(*) FROM experiment_exposures) AS e, (SELECT count(*) FROM feedback) AS f, (SELECT count(*) FROM cases) AS k`);
    ctx.report(
      'data',
      `${Number(n?.e).toLocaleString('en-US')} exposures, ${Number(n?.f).toLocaleString('en-US')} answers, ${Number(n?.k).toLocaleString('en-US')} cases`,
      '',
      `set up in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const runs: number[] = [];
    let lift = '';
    for (let i = 0; i < 2; i++) {
      const t = performance.now();
      const r = await experimentResults(db, { id: 'bench' }, { now: new Date('2026-03-02T00:00:00Z') });
      runs.push((performance.now() - t) / 1000);
      const l = r.metrics[0]!.lifts[0]!;
      lift = `CSAT lift ${(100 * l.absolute.value).toFixed(2)} pts [${(100 * l.absolute.low).toFixed(2)} … ${(100 * l.absolute.high).toFixed(2)}], p = ${l.p.toExponential(2)}`;
    }
    ctx.report(
      'experiments results (10M exposures)',
      Math.min(...runs),
      's',
      `best of 2; goal < 5 s; ${lift}`,
    );
  });
}
