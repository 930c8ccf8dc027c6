import jStat from 'jstat';
import { Matrix, solve } from 'ml-matrix';

/**
 * Survival analysis over aggregates (docs/health.md §Survival). The engine reduces customers to one
 * row per distinct time: how many left (deaths) and how many were last seen there without leaving
 * (censored). Everything below is a pure function of those rows.
 */

const Z95 = 1.959963984540054;

/** One distinct time: `deaths` events and `censored` observations ending there. */
export interface SurvivalRow {
  readonly time: number;
  readonly deaths: number;
  readonly censored: number;
}

/** One step of the Kaplan–Meier curve, at a time where at least one event or censoring happened. */
export interface KmPoint {
  readonly time: number;
  /** Still observed just before `time` (n_i). */
  readonly atRisk: number;
  readonly deaths: number;
  readonly censored: number;
  /** Ŝ(time) = Π_{t_j ≤ time} (1 − d_j / n_j). */
  readonly survival: number;
  /** Greenwood standard error of Ŝ: Ŝ · sqrt(Σ d_j / (n_j (n_j − d_j))). */
  readonly se: number;
  /** 95% band from the log(−log) transform of Ŝ (R survfit conf.type = "log-log"). */
  readonly low: number;
  readonly high: number;
}

export interface Median {
  /** Smallest time with Ŝ ≤ 0.5; null when the curve never gets there. */
  readonly value: number | null;
  /** Smallest time whose lower band is ≤ 0.5: where the band first holds 0.5 (Brookmeyer–Crowley). */
  readonly low: number | null;
  /** Smallest time whose upper band is < 0.5; null when the band never leaves 0.5 (R shows NA). */
  readonly high: number | null;
}

export interface KaplanMeier {
  readonly n: number;
  readonly events: number;
  readonly points: readonly KmPoint[];
  readonly median: Median;
}

/** Reduces (time, event) pairs to sorted survival rows; `event` true = the customer left at `time`. */
export function survivalRows(pairs: Iterable<{ time: number; event: boolean }>): SurvivalRow[] {
  const byTime = new Map<number, { deaths: number; censored: number }>();
  for (const { time, event } of pairs) {
    if (!Number.isFinite(time)) throw new RangeError(`survival time must be finite, got ${time}`);
    const r = byTime.get(time) ?? { deaths: 0, censored: 0 };
    if (event) r.deaths++;
    else r.censored++;
    byTime.set(time, r);
  }
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([time, r]) => ({ time, ...r }));
}

function sortedMerged(rows: readonly SurvivalRow[]): SurvivalRow[] {
  const byTime = new Map<number, { deaths: number; censored: number }>();
  for (const r of rows) {
    const m = byTime.get(r.time) ?? { deaths: 0, censored: 0 };
    m.deaths += r.deaths;
    m.censored += r.censored;
    byTime.set(r.time, m);
  }
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([time, r]) => ({ time, ...r }));
}

/**
 * Kaplan–Meier estimate with Greenwood variance and a log(−log) 95% band. At a time with deaths and
 * censorings, the deaths are counted first (censored customers were at risk at that time), as in
 * every textbook and R's survival package.
 */
export function kaplanMeier(rows: readonly SurvivalRow[], z = Z95): KaplanMeier {
  const sorted = sortedMerged(rows);
  const n = sorted.reduce((s, r) => s + r.deaths + r.censored, 0);
  let atRisk = n;
  let s = 1;
  let greenwood = 0; // Σ d / (n (n − d))
  const points: KmPoint[] = [];
  let events = 0;
  for (const r of sorted) {
    if (atRisk <= 0) break;
    if (r.deaths > 0) {
      s *= 1 - r.deaths / atRisk;
      greenwood += atRisk > r.deaths ? r.deaths / (atRisk * (atRisk - r.deaths)) : Number.POSITIVE_INFINITY;
      events += r.deaths;
    }
    const { low, high } = logLogBand(s, greenwood, z);
    points.push({
      time: r.time,
      atRisk,
      deaths: r.deaths,
      censored: r.censored,
      survival: s,
      se: s > 0 ? s * Math.sqrt(greenwood) : 0,
      low,
      high,
    });
    atRisk -= r.deaths + r.censored;
  }
  return { n, events, points, median: median(points) };
}

/**
 * log(−log) band: θ = log(−log Ŝ), se(θ) = sqrt(Σ d/(n(n−d))) / |log Ŝ|, band Ŝ^exp(±z·se(θ)). It stays
 * inside (0, 1) and is the better-behaved choice in the tails (Kalbfleisch & Prentice; Collett §2.2).
 * Ŝ = 1 (no event yet) has the band [1, 1]; Ŝ = 0 has [0, 0].
 */
function logLogBand(s: number, greenwood: number, z: number): { low: number; high: number } {
  if (s >= 1) return { low: 1, high: 1 };
  if (s <= 0 || !Number.isFinite(greenwood)) return { low: 0, high: s };
  const seTheta = Math.sqrt(greenwood) / Math.abs(Math.log(s));
  return { low: s ** Math.exp(z * seTheta), high: s ** Math.exp(-z * seTheta) };
}

function median(points: readonly KmPoint[]): Median {
  const first = (f: (p: KmPoint) => boolean) => points.find((p) => p.deaths > 0 && f(p))?.time ?? null;
  return {
    value: first((p) => p.survival <= 0.5),
    low: first((p) => p.low <= 0.5),
    high: first((p) => p.high < 0.5),
  };
}

/** Ŝ(t): the curve's value at the last step at or before `t` (1 before the first step). */
export function survivalAt(km: KaplanMeier, t: number): KmPoint | null {
  let found: KmPoint | null = null;
  for (const p of km.points) {
    if (p.time > t) break;
    found = p;
  }
  return found;
}

export interface LogRankGroup {
  readonly group: string;
  readonly observed: number;
  readonly expected: number;
}

export interface LogRank {
  readonly groups: readonly LogRankGroup[];
  readonly chiSquare: number;
  readonly df: number;
  readonly p: number;
}

/**
 * Log-rank (Mantel–Cox) test that k groups share one survival curve. At each distinct event time
 * with d deaths among n at risk, group g expects E_g = d·n_g/n, and
 * V_gh = d(n−d)/(n−1) · n_g/n · (δ_gh − n_h/n). χ² = (O−E)ᵀ V⁻¹ (O−E) over the first k−1 groups,
 * on k−1 degrees of freedom (Collett §2.6; R survival::survdiff with rho = 0).
 */
export function logRank(groups: readonly { group: string; rows: readonly SurvivalRow[] }[]): LogRank {
  const k = groups.length;
  if (k < 2) return { groups: [], chiSquare: Number.NaN, df: 0, p: Number.NaN };
  const sorted = groups.map((g) => sortedMerged(g.rows));
  const times = [...new Set(sorted.flatMap((rows) => rows.map((r) => r.time)))].sort((a, b) => a - b);
  const atRisk = sorted.map((rows) => rows.reduce((s, r) => s + r.deaths + r.censored, 0));
  const idx = new Array<number>(k).fill(0);
  const observed = new Array<number>(k).fill(0);
  const expected = new Array<number>(k).fill(0);
  const v = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const t of times) {
    const d = new Array<number>(k).fill(0);
    const c = new Array<number>(k).fill(0);
    for (let g = 0; g < k; g++) {
      const row = sorted[g]?.[idx[g] ?? 0];
      if (row && row.time === t) {
        d[g] = row.deaths;
        c[g] = row.censored;
        idx[g] = (idx[g] ?? 0) + 1;
      }
    }
    const n = atRisk.reduce((a, b) => a + b, 0);
    const dt = d.reduce((a, b) => a + b, 0);
    if (dt > 0 && n > 0) {
      const f = n > 1 ? (dt * (n - dt)) / (n - 1) : 0;
      for (let g = 0; g < k; g++) {
        const ng = atRisk[g] ?? 0;
        observed[g] = (observed[g] ?? 0) + (d[g] ?? 0);
        expected[g] = (expected[g] ?? 0) + (dt * ng) / n;
        for (let h = 0; h < k; h++) {
          const nh = atRisk[h] ?? 0;
          const row = v[g] as number[];
          row[h] = (row[h] ?? 0) + f * (ng / n) * ((g === h ? 1 : 0) - nh / n);
        }
      }
    }
    for (let g = 0; g < k; g++) atRisk[g] = (atRisk[g] ?? 0) - (d[g] ?? 0) - (c[g] ?? 0);
  }
  const m = k - 1;
  const diff = Matrix.columnVector(observed.slice(0, m).map((o, g) => o - (expected[g] ?? 0)));
  const vm = new Matrix(v.slice(0, m).map((row) => row.slice(0, m)));
  let chiSquare: number;
  try {
    chiSquare = diff.transpose().mmul(solve(vm, diff)).get(0, 0);
  } catch {
    chiSquare = Number.NaN;
  }
  const p = Number.isFinite(chiSquare) ? 1 - jStat.chisquare.cdf(chiSquare, m) : Number.NaN;
  return {
    groups: groups.map((g, i) => ({
      group: g.group,
      observed: observed[i] ?? 0,
      expected: expected[i] ?? 0,
    })),
    chiSquare,
    df: m,
    p,
  };
}
