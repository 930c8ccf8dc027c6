import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation, type Section } from '../core/operation.js';
import { SCORE_SCALES } from '../core/score-scales.js';
import { type Auc, aucDeLong } from '../stats/auc.js';
import { fitLogistic } from '../stats/logistic.js';
import { type Store, sql } from '../store/index.js';
import { asOfParam, resolveAsOf } from './population.js';

/**
 * A transparent health score, backtested (docs/health.md §Health score). Components, each 0–100 with
 * 100 the healthiest, for the customers here at a date T (signed up before, not churned), from data
 * before T only:
 * - recency: percent rank of −(days since the last inbound event) (none: 0);
 * - frequency: percent rank of distinct active days in the 90 days before T;
 * - breadth: percent rank of distinct touchpoints in those 90 days;
 * - sentiment: the last NPS answer × 10 (never answered: 50, neutral);
 * - support: 100 × (1 − percent rank of cases opened in those 90 days) (none: 100).
 * score = Σ wᵢ cᵢ / Σ wᵢ; bands red < 40 ≤ yellow < 70 ≤ green.
 *
 * Backtest: the score as of T = as-of − horizon, label = churned in [T, T + horizon); its AUC (risk =
 * 100 − score) with DeLong's interval, beside the AUC of weights fitted (L2 logistic regression, λ = 1,
 * on the components as of T − horizon, labelled in [T − horizon, T)) and tested at T — out of time.
 */
export const COMPONENTS = ['recency', 'frequency', 'breadth', 'sentiment', 'support'] as const;
export type Component = (typeof COMPONENTS)[number];

/** Default weights, by intuition as most health scores are (points summing to 100). */
export const DEFAULT_WEIGHTS: Readonly<Record<Component, number>> = {
  recency: 30,
  frequency: 25,
  breadth: 15,
  sentiment: 20,
  support: 10,
};

const weightsParam = z
  .string()
  .optional()
  .describe(
    `weights as name=points, comma-separated (default ${Object.entries(DEFAULT_WEIGHTS)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')})`,
  );

export function parseWeights(text: string | undefined): Record<Component, number> {
  const w: Record<Component, number> = { ...DEFAULT_WEIGHTS };
  if (!text) return w;
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([a-z]+)\s*=\s*([0-9.]+)$/.exec(part);
    if (!m || !(COMPONENTS as readonly string[]).includes(m[1]!) || !Number.isFinite(Number(m[2])))
      throw new TouchpointError(
        'invalid_input',
        `weights: "${part}" is not name=points with name one of ${COMPONENTS.join(', ')}`,
        { details: [{ field: 'weights', message: 'expected name=points' }] },
      );
    w[m[1] as Component] = Number(m[2]);
  }
  if (COMPONENTS.every((c) => w[c] === 0))
    throw new TouchpointError('invalid_input', 'weights: at least one weight must be above 0', {
      details: [{ field: 'weights', message: 'all zero' }],
    });
  return w;
}

type Row = ComponentRow;

export interface ComponentRow {
  id: string;
  churned: boolean;
  recency: number;
  frequency: number;
  breadth: number;
  sentiment: number;
  support: number;
}

/** Components of every customer here at T, and whether they churned in [T, T + horizon). */
export async function componentsAt(
  db: Store,
  t: Date,
  horizonDays: number,
  customer?: string,
): Promise<Row[]> {
  const from = new Date(t.getTime() - 90 * 86_400_000);
  const until = new Date(t.getTime() + horizonDays * 86_400_000);
  const rows = await db.all<Row>(sql`
    WITH here AS (
      SELECT id, churned_at IS NOT NULL AND churned_at < ${until} AS churned FROM customers
      WHERE created_at < ${t} AND (churned_at IS NULL OR churned_at >= ${t})),
    ev AS (SELECT customer_id, ts, touchpoint FROM events WHERE customer_id IS NOT NULL AND direction = 'inbound' AND ts < ${t}),
    m AS (
      SELECT h.id, h.churned,
        (SELECT count(DISTINCT date_trunc('day', ts)) FROM ev WHERE ev.customer_id = h.id AND ts >= ${from}) AS f,
        (SELECT max(ts) FROM ev WHERE ev.customer_id = h.id) AS last_ts,
        (SELECT count(DISTINCT touchpoint) FROM ev WHERE ev.customer_id = h.id AND ts >= ${from}) AS b,
        (SELECT arg_max(score, ts) FROM feedback x WHERE x.customer_id = h.id AND x.kind = 'nps' AND x.ts < ${t}) AS nps,
        (SELECT count(*) FROM cases k WHERE k.customer_id = h.id AND k.opened_at < ${t} AND k.opened_at >= ${from}) AS k
      FROM here h),
    s AS (
      SELECT id, churned,
        100 * percent_rank() OVER (ORDER BY last_ts ASC NULLS FIRST) AS recency,
        100 * percent_rank() OVER (ORDER BY f) AS frequency,
        100 * percent_rank() OVER (ORDER BY b) AS breadth,
        coalesce(nps * 100.0 / ${SCORE_SCALES.nps.max}, 50) AS sentiment,
        100 * (1 - percent_rank() OVER (ORDER BY k)) AS support
      FROM m)
    SELECT * FROM s WHERE (${customer ?? null}::VARCHAR IS NULL OR id = ${customer ?? null}) ORDER BY id`);
  return rows.map((r) => ({ ...r, churned: Boolean(r.churned) }));
}

/**
 * The components of the customers in the snapshot taken as of exactly `t` (`health snapshot`), with
 * the label — churned in [t, t + horizon) — read from the customers now; null when no snapshot exists.
 */
export async function snapshotComponents(db: Store, t: Date, horizonDays: number): Promise<Row[] | null> {
  const until = new Date(t.getTime() + horizonDays * 86_400_000);
  const rows = await db.all<Row>(sql`
    SELECT s.customer_id AS id, c.churned_at IS NOT NULL AND c.churned_at < ${until} AS churned,
      s.recency, s.frequency, s.breadth, s.sentiment, s.support
    FROM health_score_snapshots s LEFT JOIN customers c ON c.id = s.customer_id
    WHERE s.as_of = ${t} ORDER BY s.customer_id`);
  return rows.length === 0 ? null : rows.map((r) => ({ ...r, churned: Boolean(r.churned) }));
}

export const scoreOf = (r: Row, w: Record<Component, number>) => {
  const total = COMPONENTS.reduce((s, c) => s + w[c], 0);
  return COMPONENTS.reduce((s, c) => s + w[c] * r[c], 0) / total;
};
export const band = (s: number) => (s < 40 ? 'red' : s < 70 ? 'yellow' : 'green');

export const ScoreParams = z.object({
  asOf: asOfParam,
  weights: weightsParam,
  horizon: z
    .number()
    .int()
    .min(14)
    .max(365)
    .default(90)
    .describe('days after the backtest date in which churn counts'),
  limit: z.number().int().min(0).max(1000).default(20).describe('customers listed, lowest score first'),
});
export type ScoreParams = z.input<typeof ScoreParams>;

export interface ScoreResult {
  readonly asOf: string;
  readonly weights: Readonly<Record<Component, number>>;
  readonly customers: number;
  readonly bands: Readonly<Record<'red' | 'yellow' | 'green', number>>;
  readonly backtest: {
    readonly at: string;
    readonly horizonDays: number;
    readonly customers: number;
    readonly churned: number;
    /** AUC of the configured weights (risk = 100 − score). */
    readonly auc: Auc;
    /** Weights fitted on the earlier period (points summing to 100), and their AUC at the backtest date. */
    readonly fittedWeights: Readonly<Record<Component, number>>;
    readonly fittedAuc: Auc;
    /**
     * The fitted logistic regression's standardised slopes (log-odds of churn per SD of the
     * component): a positive slope means a "healthier" value goes with MORE churn in this data, which
     * no non-negative weight can express. And the AUC of that regression's own predictions at T.
     */
    readonly fittedSlopes: Readonly<Record<Component, number>>;
    readonly modelAuc: Auc;
    /** Whether the components at each date came from a stored snapshot (`health snapshot`) or were recomputed. */
    readonly source: { readonly test: 'snapshot' | 'recomputed'; readonly train: 'snapshot' | 'recomputed' };
  };
  readonly lowest: readonly {
    readonly customer: string;
    readonly score: number;
    readonly band: string;
    readonly components: Readonly<Record<Component, number>>;
  }[];
}

export async function getScore(db: Store, params: ScoreParams): Promise<ScoreResult> {
  const p = ScoreParams.parse(params);
  const w = parseWeights(p.weights);
  const asOf = await resolveAsOf(db, p.asOf);
  const h = p.horizon * 86_400_000;
  const test = new Date(asOf.getTime() - h);
  const train = new Date(test.getTime() - h);
  // the backtest reads the stored snapshot of a date when there is one (what was known then), and
  // recomputes from time-stamped data otherwise
  const snapTest = await snapshotComponents(db, test, p.horizon);
  const snapTrain = await snapshotComponents(db, train, p.horizon);
  const [now, atTest, atTrain] = [
    await componentsAt(db, asOf, 0),
    snapTest ?? (await componentsAt(db, test, p.horizon)),
    snapTrain ?? (await componentsAt(db, train, p.horizon)),
  ];
  if (atTest.length === 0 || atTrain.length === 0)
    throw new TouchpointError(
      'unavailable',
      `not enough history for a backtest: no customers at ${train.toISOString().slice(0, 10)}`,
    );
  const labels = (rows: Row[]) => Uint8Array.from(rows.map((r) => (r.churned ? 1 : 0)));
  const auc = aucDeLong(
    atTest.map((r) => 100 - scoreOf(r, w)),
    labels(atTest),
  );
  const fit = fitLogistic(
    atTrain.map((r) => COMPONENTS.map((c) => r[c])),
    labels(atTrain),
    { lambda: 1 },
  );
  // standardised slopes: a healthier component lowers the log-odds of churn; weights ∝ −β (≥ 0)
  const raw = COMPONENTS.map((_, i) => Math.max(0, -(fit.standardised[i + 1] ?? 0)));
  const sum = raw.reduce((s, x) => s + x, 0) || 1;
  const fitted = Object.fromEntries(
    COMPONENTS.map((c, i) => [c, Math.round((1000 * raw[i]!) / sum) / 10]),
  ) as Record<Component, number>;
  const fittedAuc = aucDeLong(
    atTest.map((r) => 100 - scoreOf(r, COMPONENTS.some((c) => fitted[c] > 0) ? fitted : w)),
    labels(atTest),
  );
  const fittedSlopes = Object.fromEntries(
    COMPONENTS.map((c, i) => [c, Math.round(1000 * (fit.standardised[i + 1] ?? 0)) / 1000]),
  ) as Record<Component, number>;
  const modelAuc = aucDeLong(
    atTest.map((r) => COMPONENTS.reduce((t, c, i) => t + (fit.coefficients[i + 1] ?? 0) * r[c], 0)),
    labels(atTest),
  );
  const scored = now
    .map((r) => ({ r, s: scoreOf(r, w) }))
    .sort((a, b) => a.s - b.s || a.r.id.localeCompare(b.r.id));
  const bands = { red: 0, yellow: 0, green: 0 };
  for (const x of scored) bands[band(x.s)]++;
  return {
    asOf: asOf.toISOString(),
    weights: w,
    customers: now.length,
    bands,
    backtest: {
      at: test.toISOString(),
      horizonDays: p.horizon,
      customers: atTest.length,
      churned: atTest.filter((r) => r.churned).length,
      auc,
      fittedWeights: fitted,
      fittedAuc,
      fittedSlopes,
      modelAuc,
      source: { test: snapTest ? 'snapshot' : 'recomputed', train: snapTrain ? 'snapshot' : 'recomputed' },
    },
    lowest: scored.slice(0, p.limit).map(({ r, s }) => ({
      customer: r.id,
      score: s,
      band: band(s),
      components: Object.fromEntries(COMPONENTS.map((c) => [c, r[c]])) as Record<Component, number>,
    })),
  };
}

export const RiskParams = z.object({
  customer: z.string().min(1).describe('the customer id'),
  asOf: asOfParam,
  weights: weightsParam,
});
export type RiskParams = z.input<typeof RiskParams>;

export interface RiskResult {
  readonly customer: string;
  readonly asOf: string;
  readonly score: number;
  readonly band: string;
  /** Each component's value and its points in the score (wᵢ cᵢ / Σ w): they sum to the score. */
  readonly components: readonly {
    readonly component: Component;
    readonly value: number;
    readonly weight: number;
    readonly points: number;
  }[];
}

/** One customer's score explained component by component (`health risk CUSTOMER`). */
export async function getRisk(db: Store, params: RiskParams): Promise<RiskResult> {
  const p = RiskParams.parse(params);
  const w = parseWeights(p.weights);
  const asOf = await resolveAsOf(db, p.asOf);
  const row = (await componentsAt(db, asOf, 0, p.customer))[0];
  if (!row)
    throw new TouchpointError(
      'not_found',
      `customer "${p.customer}" is not a customer here on ${asOf.toISOString().slice(0, 10)} (unknown, not signed up yet, or churned)`,
    );
  const total = COMPONENTS.reduce((s, c) => s + w[c], 0);
  const score = scoreOf(row, w);
  return {
    customer: p.customer,
    asOf: asOf.toISOString(),
    score,
    band: band(score),
    components: COMPONENTS.map((c) => ({
      component: c,
      value: row[c],
      weight: w[c],
      points: (w[c] * row[c]) / total,
    })),
  };
}

const f1 = (v: number) => v.toFixed(1);
const aucText = (a: Auc) => `${a.value.toFixed(3)} [${a.low.toFixed(3)}, ${a.high.toFixed(3)}]`;

export const scoreOperation = defineOperation({
  area: 'health',
  verb: 'score',
  summary: 'A transparent weighted health score with its own backtested AUC beside it, and fitted weights',
  params: ScoreParams,
  mode: 'read',
  cache: {},
  listField: 'lowest',
  run: (db, params) => getScore(db, params),
  present: (r): Section[] => [
    {
      text: `Health score of ${r.customers.toLocaleString('en-US')} customers on ${r.asOf.slice(0, 10)}: ${r.bands.red} red (< 40), ${r.bands.yellow} yellow, ${r.bands.green} green (≥ 70). Weights ${COMPONENTS.map((c) => `${c} ${r.weights[c]}`).join(', ')}.`,
    },
    {
      title: `Backtest: score as of ${r.backtest.at.slice(0, 10)}, churn in the next ${r.backtest.horizonDays} days (${r.backtest.churned} of ${r.backtest.customers})`,
      rows: [
        { weights: 'yours', ...r.weights, AUC: aucText(r.backtest.auc) },
        {
          weights: 'fitted on the period before',
          ...r.backtest.fittedWeights,
          AUC: aucText(r.backtest.fittedAuc),
        },
        {
          weights: 'slopes of the fit (+ = more churn)',
          ...r.backtest.fittedSlopes,
          AUC: aucText(r.backtest.modelAuc),
        },
      ],
    },
    ...(r.backtest.auc.high < 0.5
      ? [
          {
            text: 'This score ranks the customers who churned as healthier than those who stayed (AUC below 0.5): in this data its components point the wrong way (see the slopes). A health score that is not backtested can mislead.',
          },
        ]
      : []),
    {
      title: 'Lowest scores now',
      rows: r.lowest.map((x) => ({
        customer: x.customer,
        score: f1(x.score),
        band: x.band,
        ...Object.fromEntries(COMPONENTS.map((c) => [c, f1(x.components[c])])),
      })),
    },
  ],
});

export const riskOperation = defineOperation({
  area: 'health',
  verb: 'risk',
  summary: 'One customer’s health score explained component by component',
  params: RiskParams,
  mode: 'read',
  cache: {},
  positional: ['customer'],
  run: (db, params) => getRisk(db, params),
  present: (r): Section[] => [
    {
      title: `${r.customer} on ${r.asOf.slice(0, 10)}: health ${f1(r.score)} (${r.band}); the points sum to the score`,
      rows: r.components.map((c) => ({
        component: c.component,
        'value 0–100': f1(c.value),
        weight: c.weight,
        points: f1(c.points),
      })),
    },
  ],
});
