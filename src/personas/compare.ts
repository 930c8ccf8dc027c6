import { z } from 'zod';
import { defineOperation } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { seeded } from '../stats/random.js';
import { raw, type Store, sql } from '../store/index.js';
import { computeFeatures } from './features.js';
import { latestRun, personasOf } from './runs.js';

/**
 * `touchpoint personas compare-segments` (docs/personas.md, "Personas vs segments"): what segments
 * hide. Two answers over the customers of the newest persona run:
 *
 * - **spread**: each persona's members across the existing segments (count and share of the persona);
 * - **explained**: how much of the customer-to-customer variation in three outcomes the persona
 *   grouping explains, next to the segment grouping — the correlation ratio **η²** of a one-way
 *   analysis of variance (Fisher 1925; Cohen 1988 §8.2): η² = SS_between / SS_total, where
 *   SS_between = Σ_g n_g (ȳ_g − ȳ)² and SS_total = Σ_i (y_i − ȳ)². For a 0/1 outcome (churn) η² is
 *   the R² of a linear probability model on the group indicators.
 *
 * The outcomes, one value per customer:
 * - `nps`: the mean of the customer's NPS answers coded +100 (9–10), 0 (7–8), −100 (0–6) — so a
 *   group's mean is its NPS with each answering customer weighing once; customers without an answer
 *   are left out (n says how many answered);
 * - `churn`: 1 if the customer churned (the features' definition), else 0;
 * - `contact_rate`: support cases a month of life (the features' `contact_rate`).
 *
 * Intervals are **bootstrap percentile** intervals (Efron & Tibshirani 1993, ch. 13): customers
 * resampled with replacement `bootstraps` times (seeded), both groupings re-scored on the same
 * resample, so the difference personas − segments has its own interval. η² grows with the number of
 * groups even when groups are noise (its expectation under no effect is (k−1)/(n−1)); the result
 * gives each grouping's count and that floor so a comparison between 5 personas and 2 segments is
 * read fairly.
 */

export const SEGMENT_FIELDS = ['segment', 'plan', 'region'] as const;
/** Members without a value of the segment field are grouped under this label. */
export const NO_SEGMENT = '(none)';

export const CompareSegmentsParams = z.object({
  by: z.enum(SEGMENT_FIELDS).default('segment').describe('the customer field that holds the segments'),
  bootstraps: z
    .number()
    .int()
    .min(0)
    .max(2000)
    .default(200)
    .describe('bootstrap resamples for the intervals (0: none)'),
  seed: z.number().int().min(0).default(42).describe('random seed of the resampling'),
  // reference instant of churn and contact rate; default the day after the last event
  asOf: TimeFrameParams.asOf,
});
export type CompareSegmentsParams = z.output<typeof CompareSegmentsParams>;

export type Outcome = 'nps' | 'churn' | 'contact_rate';
export const OUTCOMES: readonly Outcome[] = ['nps', 'churn', 'contact_rate'];

export interface Estimate {
  readonly value: number;
  readonly lo: number;
  readonly hi: number;
}

export interface Explained {
  readonly outcome: Outcome;
  /** Customers with a value of the outcome. */
  readonly n: number;
  readonly personas: Estimate & { readonly groups: number; readonly floor: number };
  readonly segments: Estimate & { readonly groups: number; readonly floor: number };
  /** η²(personas) − η²(segments), with its bootstrap interval. */
  readonly difference: Estimate;
  /** Mean outcome of each persona and each segment (the figures η² summarises). */
  readonly means: {
    readonly personas: readonly { readonly id: string; readonly n: number; readonly mean: number }[];
    readonly segments: readonly { readonly id: string; readonly n: number; readonly mean: number }[];
  };
}

export interface CompareSegmentsResult {
  readonly runId: string;
  readonly by: (typeof SEGMENT_FIELDS)[number];
  readonly customers: number;
  readonly segments: readonly string[];
  readonly spread: readonly {
    readonly personaId: string;
    readonly name: string;
    readonly n: number;
    readonly segments: readonly { readonly segment: string; readonly n: number; readonly share: number }[];
  }[];
  readonly explained: readonly Explained[];
  readonly bootstraps: number;
  readonly notes: readonly string[];
}

/** η² of a one-way grouping: groups are 0…k−1 per observation. 0 when y has no variation. */
export function etaSquared(y: ArrayLike<number>, group: ArrayLike<number>, k: number): number {
  return etaOf(y, group, k, null);
}

function etaOf(y: ArrayLike<number>, group: ArrayLike<number>, k: number, idx: Int32Array | null): number {
  const s = new Float64Array(k);
  const c = new Float64Array(k);
  let sum = 0;
  let ss = 0;
  const n = idx ? idx.length : y.length;
  for (let j = 0; j < n; j++) {
    const i = idx ? idx[j]! : j;
    const v = y[i]!;
    s[group[i]!]! += v;
    c[group[i]!]! += 1;
    sum += v;
    ss += v * v;
  }
  const correction = (sum * sum) / n;
  const total = ss - correction;
  if (!(total > 1e-12 * Math.max(1, ss))) return 0;
  let between = 0;
  for (let g = 0; g < k; g++) if (c[g]! > 0) between += (s[g]! * s[g]!) / c[g]!;
  return Math.min(1, Math.max(0, (between - correction) / total));
}

/** The q-quantile of sorted values (linear interpolation, type 7). */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

const interval = (value: number, reps: number[]): Estimate => {
  if (reps.length === 0) return { value, lo: Number.NaN, hi: Number.NaN };
  const s = [...reps].sort((a, b) => a - b);
  return { value, lo: quantile(s, 0.025), hi: quantile(s, 0.975) };
};

function groupMeans(y: ArrayLike<number>, group: ArrayLike<number>, labels: readonly string[]) {
  const s = new Float64Array(labels.length);
  const c = new Float64Array(labels.length);
  for (let i = 0; i < y.length; i++) {
    s[group[i]!]! += y[i]!;
    c[group[i]!]! += 1;
  }
  return labels.map((id, g) => ({ id, n: c[g]!, mean: c[g]! > 0 ? s[g]! / c[g]! : Number.NaN }));
}

export async function compareSegments(
  db: Store,
  params: CompareSegmentsParams,
): Promise<CompareSegmentsResult> {
  const run = await latestRun(db);
  const personas = (await personasOf(db, run.id)).filter((p) => p.status !== 'retired');
  const field = raw(`c.${params.by}`); // a vetted constant of SEGMENT_FIELDS
  const members = await db.all<{
    customer_id: string;
    persona_id: string;
    segment: string | null;
    nps: number | null;
  }>(
    sql`SELECT cp.customer_id, cp.persona_id, ${field} AS segment, f.nps
    FROM customer_personas cp JOIN customers c ON c.id = cp.customer_id
    LEFT JOIN (SELECT customer_id, avg(CASE WHEN score >= 9 THEN 100 WHEN score <= 6 THEN -100 ELSE 0 END) AS nps
      FROM feedback WHERE kind = 'nps' AND score IS NOT NULL AND customer_id IS NOT NULL GROUP BY customer_id) f
      ON f.customer_id = cp.customer_id
    WHERE cp.run_id = ${run.id}
    ORDER BY cp.customer_id`,
  );
  const features = await computeFeatures(db, { asOf: params.asOf ?? null });
  const feat = new Map(features.rows.map((r) => [r.customer_id, r]));

  const pIndex = new Map(personas.map((p, i) => [p.id, i]));
  const segLabels = [...new Set(members.map((m) => m.segment ?? NO_SEGMENT))].sort((a, b) =>
    a === NO_SEGMENT ? 1 : b === NO_SEGMENT ? -1 : a.localeCompare(b),
  );
  const sIndex = new Map(segLabels.map((s, i) => [s, i]));

  // spread: counts per persona × segment
  const counts = personas.map(() => new Array<number>(segLabels.length).fill(0));
  for (const m of members) {
    const p = pIndex.get(m.persona_id);
    if (p !== undefined) counts[p]![sIndex.get(m.segment ?? NO_SEGMENT)!]! += 1;
  }
  const spread = personas.map((p, i) => {
    const n = counts[i]!.reduce((a, b) => a + b, 0);
    return {
      personaId: p.id,
      name: p.name,
      n,
      segments: segLabels
        .map((segment, j) => ({ segment, n: counts[i]![j]!, share: n > 0 ? counts[i]![j]! / n : 0 }))
        .filter((s) => s.n > 0)
        .sort((a, b) => b.n - a.n || a.segment.localeCompare(b.segment)),
    };
  });

  const notes: string[] = [];
  const rand = seeded(params.seed);
  const explained: Explained[] = [];
  for (const outcome of OUTCOMES) {
    const ys: number[] = [];
    const pg: number[] = [];
    const sg: number[] = [];
    for (const m of members) {
      const p = pIndex.get(m.persona_id);
      if (p === undefined) continue;
      const f = feat.get(m.customer_id);
      const y =
        outcome === 'nps'
          ? m.nps === null
            ? null
            : Number(m.nps)
          : f === undefined
            ? null
            : outcome === 'churn'
              ? f.churned
                ? 1
                : 0
              : f.contact_rate;
      if (y === null || !Number.isFinite(y)) continue;
      ys.push(y);
      pg.push(p);
      sg.push(sIndex.get(m.segment ?? NO_SEGMENT)!);
    }
    const n = ys.length;
    const y = Float64Array.from(ys);
    const pgs = Int32Array.from(pg);
    const sgs = Int32Array.from(sg);
    const kp = personas.length;
    const ks = segLabels.length;
    const ep = n > 1 ? etaOf(y, pgs, kp, null) : Number.NaN;
    const es = n > 1 ? etaOf(y, sgs, ks, null) : Number.NaN;
    const rp: number[] = [];
    const rs: number[] = [];
    const rd: number[] = [];
    if (n > 1) {
      const idx = new Int32Array(n);
      for (let b = 0; b < params.bootstraps; b++) {
        for (let j = 0; j < n; j++) idx[j] = Math.floor(rand() * n);
        const a = etaOf(y, pgs, kp, idx);
        const c = etaOf(y, sgs, ks, idx);
        rp.push(a);
        rs.push(c);
        rd.push(a - c);
      }
    }
    const usedP = new Set(pg).size;
    const usedS = new Set(sg).size;
    const floor = (k: number) => (n > 1 ? (k - 1) / (n - 1) : Number.NaN);
    explained.push({
      outcome,
      n,
      personas: { ...interval(ep, rp), groups: usedP, floor: floor(usedP) },
      segments: { ...interval(es, rs), groups: usedS, floor: floor(usedS) },
      difference: interval(ep - es, rd),
      means: {
        personas: groupMeans(
          y,
          pgs,
          personas.map((p) => p.id),
        ).filter((g) => g.n > 0),
        segments: groupMeans(y, sgs, segLabels).filter((g) => g.n > 0),
      },
    });
    if (n < 30) notes.push(`${outcome}: only ${n} customers have a value; the figures are not to be trusted`);
  }
  if (segLabels.length <= 1)
    notes.push(
      segLabels[0] === NO_SEGMENT || segLabels.length === 0
        ? `no customer has a ${params.by}: ${params.by}s cannot explain anything here`
        : `every customer has the same ${params.by}: ${params.by}s cannot explain anything here`,
    );
  for (const e of explained) {
    if (e.n < 2) continue;
    const d = e.difference;
    if (d.lo > 0)
      notes.push(
        `${e.outcome}: personas explain more of the variation than ${params.by}s (η² ${fmt(e.personas.value)} vs ${fmt(e.segments.value)}; difference ${fmt(d.value)}, 95% ${fmt(d.lo)} … ${fmt(d.hi)}, n=${e.n})`,
      );
    else if (d.hi < 0)
      notes.push(
        `${e.outcome}: ${params.by}s explain more of the variation than personas (η² ${fmt(e.segments.value)} vs ${fmt(e.personas.value)}, n=${e.n})`,
      );
    else if (Number.isFinite(d.lo))
      notes.push(`${e.outcome}: no clear difference between personas and ${params.by}s (n=${e.n})`);
  }
  return {
    runId: run.id,
    by: params.by,
    customers: members.length,
    segments: segLabels,
    spread,
    explained,
    bootstraps: params.bootstraps,
    notes,
  };
}

const fmt = (x: number) =>
  !Number.isFinite(x) ? '—' : Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(3) : x.toPrecision(2);
const iv = (e: Estimate) => `${fmt(e.value)} (${fmt(e.lo)} … ${fmt(e.hi)})`;

export const compareSegmentsOperation = defineOperation({
  area: 'personas',
  verb: 'compare-segments',
  summary: 'Personas vs segments: how personas spread across segments, and the variation each explains',
  params: CompareSegmentsParams,
  mode: 'read',
  run: (db, params) => compareSegments(db, params),
  present: (r) => [
    {
      title: `Variation explained (η², 95% bootstrap interval, ${r.bootstraps} resamples), run ${r.runId}`,
      rows: r.explained.map((e) => ({
        outcome: e.outcome,
        n: e.n,
        personas: `${iv(e.personas)} · ${e.personas.groups} groups`,
        [`${r.by}s`]: `${iv(e.segments)} · ${e.segments.groups} groups`,
        difference: iv(e.difference),
      })),
    },
    {
      title: `Each persona across the ${r.by}s`,
      rows: r.spread.map((p) => ({
        persona: `${p.personaId} ${p.name}`,
        customers: p.n,
        [`${r.by}s`]: p.segments.map((s) => `${s.segment} ${Math.round(100 * s.share)}%`).join(', '),
      })),
    },
    ...(r.notes.length > 0 ? [{ title: 'Notes', text: r.notes.join('\n') }] : []),
  ],
});
