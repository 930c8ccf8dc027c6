import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation, type Section } from '../core/operation.js';
import { mean } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { asOfParam, resolveAsOf } from './population.js';
import { band, COMPONENTS, type Component, componentsAt, parseWeights, scoreOf } from './score.js';

/**
 * Stored health-score snapshots (docs/health.md, "Score snapshots"): each customer's five components
 * and score as of a date, kept in `health_score_snapshots`, so a trend or a backtest reads what was
 * known on that date — not a recomputation that late-arriving or corrected data would change. The
 * score's backtest (`health score`) reads the snapshot of its dates when one exists.
 * `health snapshot` takes one (again for the same date: replaced); run it daily or per run, e.g. from
 * a monitor's schedule.
 */
export const SnapshotParams = z.object({
  // the snapshot date (default: the end of the data)
  asOf: asOfParam,
  weights: z.string().optional().describe('name=points,… (default: the documented weights)'),
});

export interface SnapshotResult {
  readonly asOf: string;
  readonly customers: number;
  readonly bands: Readonly<Record<'red' | 'yellow' | 'green', number>>;
  readonly replaced: number;
}

export async function takeSnapshot(
  db: Store,
  params: z.input<typeof SnapshotParams>,
  ctx: { now?: Date } = {},
): Promise<SnapshotResult> {
  const p = SnapshotParams.parse(params);
  const w = parseWeights(p.weights);
  const asOf = await resolveAsOf(db, p.asOf);
  const rows = await componentsAt(db, asOf, 0);
  if (rows.length === 0)
    throw new TouchpointError('unavailable', `no customers here on ${asOf.toISOString().slice(0, 10)}`);
  const scored = rows.map((r) => ({ r, s: scoreOf(r, w) }));
  const bands = { red: 0, yellow: 0, green: 0 };
  for (const x of scored) bands[band(x.s)]++;
  const now = (ctx.now ?? new Date()).toISOString();
  // numbers travel as text (a bound list takes the type of its first element) and are cast back
  const col = (k: Component) => scored.map((x) => String(x.r[k]));
  let replaced = 0;
  await db.transaction(async (tx) => {
    const old = await tx.one<{ n: number }>(
      sql`SELECT count(*) AS n FROM health_score_snapshots WHERE as_of = ${asOf}`,
    );
    replaced = Number(old?.n ?? 0);
    await tx.exec(sql`DELETE FROM health_score_snapshots WHERE as_of = ${asOf}`);
    await tx.exec(sql`INSERT INTO health_score_snapshots
        (as_of, customer_id, score, band, recency, frequency, breadth, sentiment, support, weights, taken_at)
      SELECT ${asOf}::TIMESTAMP, id, s, b, r, f, br, se, su, ${JSON.stringify(w)}::JSON, ${now}::TIMESTAMP
      FROM (SELECT unnest(${scored.map((x) => x.r.id)}::VARCHAR[]) AS id, unnest(${scored.map((x) => String(x.s))}::VARCHAR[])::DOUBLE AS s,
        unnest(${scored.map((x) => band(x.s))}::VARCHAR[]) AS b, unnest(${col('recency')}::VARCHAR[])::DOUBLE AS r,
        unnest(${col('frequency')}::VARCHAR[])::DOUBLE AS f, unnest(${col('breadth')}::VARCHAR[])::DOUBLE AS br,
        unnest(${col('sentiment')}::VARCHAR[])::DOUBLE AS se, unnest(${col('support')}::VARCHAR[])::DOUBLE AS su)`);
  });
  return { asOf: asOf.toISOString(), customers: rows.length, bands, replaced };
}

export const ScoreHistoryParams = z.object({
  customer: z.string().min(1).optional().describe('one customer’s score per snapshot'),
});

export interface ScoreHistoryPoint {
  readonly asOf: string;
  readonly customers: number;
  /** Mean score with its Student-t 95 % interval (one customer: the score, no interval). */
  readonly score: number;
  readonly low: number | null;
  readonly high: number | null;
  readonly red: number;
  readonly yellow: number;
  readonly green: number;
}

/** The score over the stored snapshots: per date, the customers, the mean score and the bands. */
export async function scoreHistory(
  db: Store,
  params: z.input<typeof ScoreHistoryParams> = {},
): Promise<{ readonly customer: string | null; readonly points: readonly ScoreHistoryPoint[] }> {
  const p = ScoreHistoryParams.parse(params);
  const rows = await db.all<{
    as_of: string;
    n: number;
    s: number;
    ss: number;
    red: number;
    yellow: number;
    green: number;
  }>(sql`
    SELECT strftime(as_of, '%Y-%m-%dT%H:%M:%SZ') AS as_of, count(*) AS n, sum(score) AS s, sum(score * score) AS ss,
      count(*) FILTER (WHERE band = 'red') AS red, count(*) FILTER (WHERE band = 'yellow') AS yellow,
      count(*) FILTER (WHERE band = 'green') AS green
    FROM health_score_snapshots
    WHERE (${p.customer ?? null}::VARCHAR IS NULL OR customer_id = ${p.customer ?? null})
    GROUP BY as_of ORDER BY as_of`);
  return {
    customer: p.customer ?? null,
    points: rows.map((r) => {
      const n = Number(r.n);
      const m = mean({ n, sum: Number(r.s), sumSq: Number(r.ss) });
      return {
        asOf: r.as_of,
        customers: n,
        score: m.value,
        low: n > 1 ? m.low : null,
        high: n > 1 ? m.high : null,
        red: Number(r.red),
        yellow: Number(r.yellow),
        green: Number(r.green),
      };
    }),
  };
}

const f1 = (v: number | null) => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(1));

export const snapshotOperation = defineOperation({
  area: 'health',
  verb: 'snapshot',
  summary: 'Store every customer’s health score and components as of a date (trends and backtests read it)',
  params: SnapshotParams,
  mode: 'write',
  run: (db, p, ctx) => takeSnapshot(db, p, ctx.now ? { now: ctx.now() } : {}),
  present: (r): Section[] => [
    {
      text: `snapshot ${r.asOf.slice(0, 10)}: ${r.customers.toLocaleString('en-US')} customers (${r.bands.red} red, ${r.bands.yellow} yellow, ${r.bands.green} green)${r.replaced ? `; replaced ${r.replaced} rows of the same date` : ''}`,
    },
  ],
});

export const scoreHistoryOperation = defineOperation({
  area: 'health',
  verb: 'score-history',
  summary:
    'The health score over the stored snapshots: mean with interval and bands per date, or one customer',
  params: ScoreHistoryParams,
  mode: 'read',
  run: (db, p) => scoreHistory(db, p),
  present: (r): Section[] => [
    r.points.length === 0
      ? { text: 'No snapshot stored yet: touchpoint health snapshot [--asOf DATE]' }
      : {
          rows: r.points.map((x) => ({
            'as of': x.asOf.slice(0, 10),
            customers: x.customers,
            score: f1(x.score),
            '95% interval': x.low === null ? '' : `${f1(x.low)} … ${f1(x.high)}`,
            red: x.red,
            yellow: x.yellow,
            green: x.green,
          })),
        },
  ],
});

export { COMPONENTS };
