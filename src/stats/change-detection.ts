import jStat from 'jstat';
import { normalCdf } from './index.js';

/**
 * Change detection on a metric series (docs/monitors.md): a seasonal baseline, a predictive
 * distribution that knows the sample behind each point and the series' own over-dispersion, a point
 * test for sudden breaks and a two-sided CUSUM for sustained shifts, both held to one false-alarm
 * level per series per week.
 *
 * - **Baseline.** The expected value of a point is the median of the last `window` clean points in
 *   its seasonal slot (weekday for a daily series, hour of the week for an hourly one). A point
 *   that raised an alarm is not clean: a holiday does not drag next week's baseline down.
 * - **Counts** (contact volumes) get a negative-binomial predictive distribution with mean μ and
 *   variance φμ + κμ², φ and κ fitted to the series' recent one-step-ahead errors (real daily
 *   volumes vary several times more than a Poisson model allows, and more so on busy days); the
 *   p-value is the exact two-sided NB tail, so a quiet Sunday's 12 and a Monday's 400 are judged on
 *   their own scales.
 * - **Means and rates with their sample n** (CSAT of the day's answers) get residuals (x − μ)·√n
 *   divided by their robust scale, with Student-t tails: a point resting on a handful of answers
 *   carries a wide band and never an alarm (points under `minN` are not tested at all).
 * - **CUSUM** (Page 1954) on the normal deviates of those p-values, reference k = 0.5, threshold
 *   from Siegmund's ARL approximation; points that raised a point alarm do not feed it.
 * - **Level.** 40 % of `alpha` (per series per week) goes to each test, 20 % is kept as a margin for
 *   what the model leaves out; the point level per point is 1 − (1 − 0.4·alpha)^(1/points per week).
 *   A seeded null simulation in the test checks the whole.
 */

export interface SeriesPoint {
  /** Start of the period, epoch milliseconds. */
  readonly t: number;
  readonly value: number;
  /** The sample behind a mean or rate (answers, cases); absent for a count. */
  readonly n?: number;
}

export type Cadence = 'hourly' | 'daily' | 'weekly';

export interface DetectorOptions {
  readonly cadence: Cadence;
  /** False-alarm probability per series per week (both tests together). */
  readonly alpha?: number;
  /** Same-slot history behind the baseline. */
  readonly window?: number;
  /** Same-slot points needed before a point is tested. */
  readonly minHistory?: number;
  /** Past residuals needed to estimate the dispersion. */
  readonly minResiduals?: number;
  /** Smallest sample behind a mean or rate that is tested. */
  readonly minN?: number;
  /** Plain thresholds, checked beside the statistical tests. */
  readonly above?: number;
  readonly below?: number;
  /** Compute each point's band (the quantiles of its predictive distribution); default true. */
  readonly bands?: boolean;
}

export type Signal = 'spike' | 'drop' | 'shift-up' | 'shift-down' | 'above' | 'below';

export interface PointResult {
  readonly t: number;
  readonly value: number;
  readonly n: number | null;
  /** Baseline; null while the series warms up. */
  readonly expected: number | null;
  /** The band a point can reach without a point alarm. */
  readonly low: number | null;
  readonly high: number | null;
  readonly z: number | null;
  readonly p: number | null;
  readonly signals: readonly Signal[];
  /** Why the point was not tested, when it was not. */
  readonly untested?: string;
}

export interface Episode {
  readonly start: number;
  readonly end: number;
  readonly direction: 'up' | 'down';
  readonly signals: readonly Signal[];
  readonly points: number;
  /** The most extreme point of the episode. */
  readonly peak: {
    readonly t: number;
    readonly value: number;
    readonly expected: number | null;
    readonly z: number | null;
  };
}

export interface Detection {
  readonly points: readonly PointResult[];
  readonly episodes: readonly Episode[];
  readonly settings: {
    readonly cadence: Cadence;
    readonly alpha: number;
    readonly pointAlpha: number;
    readonly cusumK: number;
    readonly cusumH: number;
    readonly window: number;
    readonly minHistory: number;
    readonly minResiduals: number;
    readonly minN: number;
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const POINTS_PER_WEEK: Readonly<Record<Cadence, number>> = { hourly: 168, daily: 7, weekly: 1 };
const CUSUM_K = 0.5;
const SHARE = 0.4;
const Z_CLIP = 4;
const MAD_SCALE = 1.482602218505602;

/** The seasonal slot of a period start: hour of the week, weekday, or one slot for weekly data. */
export function slotOf(t: number, cadence: Cadence): number {
  // 1970-01-01 was a Thursday; slots only need to repeat weekly, not to be named
  if (cadence === 'hourly') return Math.floor(t / HOUR) % 168;
  if (cadence === 'daily') return Math.floor(t / DAY) % 7;
  return 0;
}

/**
 * CUSUM threshold h for reference k whose one-sided average run length under no change is `arl`
 * (Siegmund 1985: ARL ≈ (e^{2kb} − 2kb − 1)/(2k²), b = h + 1.166), solved by bisection.
 */
export function cusumThreshold(arl: number, k = CUSUM_K): number {
  const f = (h: number) => {
    const b = 2 * k * (h + 1.166);
    return (Math.exp(b) - b - 1) / (2 * k * k) - arl;
  };
  let lo = 0;
  let hi = 50;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > 0) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Robust scale: 1.4826 × median absolute deviation from the median. */
export function madScale(xs: readonly number[]): number {
  const m = median(xs);
  return MAD_SCALE * median(xs.map((x) => Math.abs(x - m)));
}

/** Two-sided p-value of a count x with mean mu and variance v: twice the smaller tail, at most 1. */
export function countTwoSidedP(x: number, mu: number, v: number): number {
  const k = Math.round(x);
  return Math.min(1, 2 * Math.min(countCdf(k, mu, v), 1 - countCdf(k - 1, mu, v)));
}

interface Residual {
  readonly dev: number;
  readonly mu: number;
  readonly n: number;
  readonly slot: number;
}

/**
 * The variance function of a count series, var = φμ + κμ² (φ ≥ 1, κ ≥ 0: quasi-Poisson plus the
 * gamma-Poisson term), fitted to recent one-step-ahead errors of clean points (alarms never enter)
 * by weighted least squares of the squared error on μ and μ², reweighted by the fit (four passes). When the
 * baselines span less than a factor of 2, κ cannot be told from φ and only φ is fitted.
 */
export function countVariance(past: readonly { dev: number; mu: number }[]): { phi: number; kappa: number } {
  const mus = past.map((r) => Math.max(r.mu, 0.5));
  const spread = Math.max(...mus) / Math.min(...mus) >= 2;
  let phi = 1;
  let kappa = 0;
  for (let iter = 0; iter < 4; iter++) {
    let s11 = 0;
    let s12 = 0;
    let s22 = 0;
    let b1 = 0;
    let b2 = 0;
    for (let i = 0; i < past.length; i++) {
      const m = mus[i]!;
      const v = phi * m + kappa * m * m;
      const y = past[i]!.dev ** 2;
      const w = 1 / (v * v);
      s11 += w * m * m;
      s12 += w * m ** 3;
      s22 += w * m ** 4;
      b1 += w * m * y;
      b2 += w * m * m * y;
    }
    const det = s11 * s22 - s12 * s12;
    let f = 0;
    let k = 0;
    if (spread && det > 1e-12 * s11 * s22) {
      f = (b1 * s22 - b2 * s12) / det;
      k = (s11 * b2 - s12 * b1) / det;
    }
    if (!spread || k < 0) {
      k = 0;
      f = b1 / s11;
    }
    if (f < 1) {
      f = 1;
      // with φ held at 1: κ from the residual excess over Poisson
      k = spread ? Math.max(0, (b2 - s12) / s22) : 0;
    }
    phi = f;
    kappa = k;
  }
  return { phi, kappa };
}

/** P(X ≤ k) for a count with mean mu and variance v ≥ mu (negative binomial; Poisson when v ≈ mu). */
function countCdf(k: number, mu: number, v: number): number {
  if (k < 0) return 0;
  if (v <= mu * 1.0001) return jStat.poisson.cdf(k, mu);
  const r = (mu * mu) / (v - mu);
  return jStat.ibeta(r / (r + mu), r, k + 1);
}

/** The smallest count whose CDF reaches q. */
function countQuantile(q: number, mu: number, v: number): number {
  let lo = 0;
  let hi = Math.max(10, Math.ceil(mu + 50 * Math.sqrt(v)));
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (countCdf(mid, mu, v) >= q) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Runs the detector over a series in time order (earlier points never see later ones). */
export function detectChanges(series: readonly SeriesPoint[], options: DetectorOptions): Detection {
  const cadence = options.cadence;
  const alpha = options.alpha ?? 0.01;
  const window = options.window ?? 8;
  const minHistory = options.minHistory ?? 3;
  const minResiduals = options.minResiduals ?? 28;
  const minN = options.minN ?? 30;
  const ppw = POINTS_PER_WEEK[cadence];
  // each test gets 40 % of the level; the last 20 % is a margin for what the model leaves out (the
  // baseline and the dispersion are estimates; counts are skewed), measured by the null simulation
  const share = SHARE * alpha;
  const pointAlpha = 1 - (1 - share) ** (1 / ppw);
  // two-sided CUSUM: P(alarm in a week) ≈ ppw / ARL₂ = share and ARL₂ ≈ ARL₁/2
  const cusumH = cusumThreshold((2 * ppw) / share);
  const residualMemory = Math.max(8 * ppw, 56);

  const isCount = series.every((p) => p.n === undefined || p.n === null);
  const bySlot = new Map<number, number[]>();
  const past: Residual[] = [];
  let up = 0;
  let down = 0;
  const points: PointResult[] = [];
  const sorted = [...series].sort((a, b) => a.t - b.t);

  for (const pt of sorted) {
    const slot = slotOf(pt.t, cadence);
    const history = bySlot.get(slot) ?? [];
    const n = isCount ? null : (pt.n ?? 0);
    const signals: Signal[] = [];
    if (options.above !== undefined && pt.value > options.above) signals.push('above');
    if (options.below !== undefined && pt.value < options.below) signals.push('below');
    const base = { t: pt.t, value: pt.value, n };
    const untested = (expected: number | null, why: string) =>
      points.push({ ...base, expected, low: null, high: null, z: null, p: null, signals, untested: why });
    if (n !== null && n < minN) {
      untested(null, `n < ${minN}`);
      continue;
    }
    if (history.length < minHistory) {
      untested(null, 'warming up (too little history in this slot)');
      history.push(pt.value);
      bySlot.set(slot, history);
      continue;
    }
    const mu = baselineOf(history.slice(-window));
    const dev = pt.value - mu;
    const clean = () => {
      history.push(pt.value);
      bySlot.set(slot, history);
      past.push({ dev, mu, n: n ?? 1, slot });
      if (past.length > residualMemory) past.shift();
    };
    if (past.length < minResiduals) {
      untested(mu, 'warming up (too few residuals to measure the dispersion)');
      clean();
      continue;
    }
    const df = past.length - 2;
    let p: number;
    let low: number;
    let high: number;
    if (isCount) {
      const { phi, kappa } = countVariance(past);
      const m = Math.max(mu, 0.5);
      const v = phi * m + kappa * m * m;
      // the NB tail as a normal deviate, read against Student's t: φ and κ are estimates
      const zNb = -normalQuantile(countTwoSidedP(pt.value, m, v) / 2);
      p = 2 * (1 - jStat.studentt.cdf(zNb, df));
      if (options.bands !== false) {
        const tailQ = normalCdf(-jStat.studentt.inv(1 - pointAlpha / 2, df));
        low = countQuantile(tailQ, m, v);
        high = countQuantile(1 - tailQ, m, v);
      } else [low, high] = [Number.NaN, Number.NaN];
    } else {
      const scale = Math.max(robustScale(past.map((r) => r.dev * Math.sqrt(r.n))), 1e-9);
      p = 2 * (1 - jStat.studentt.cdf(Math.abs((dev * Math.sqrt(n!)) / scale), df));
      const half = (jStat.studentt.inv(1 - pointAlpha / 2, df) * scale) / Math.sqrt(n!);
      low = mu - half;
      high = mu + half;
    }
    // the standard normal deviate with the same tail probability (for CUSUM and for the reader)
    const z = -Math.sign(dev) * normalQuantile(Math.max(p, 1e-300) / 2);
    const pointAlarm = p < pointAlpha;
    if (pointAlarm) signals.push(z > 0 ? 'spike' : 'drop');
    else {
      const zc = Math.max(-Z_CLIP, Math.min(Z_CLIP, z));
      up = Math.max(0, up + zc - CUSUM_K);
      down = Math.max(0, down - zc - CUSUM_K);
      if (up > cusumH || down > cusumH) {
        signals.push(up > cusumH ? 'shift-up' : 'shift-down');
        up = 0;
        down = 0;
      }
    }
    points.push({ ...base, expected: mu, low, high, z, p, signals });
    if (!pointAlarm) clean();
  }

  return {
    points,
    episodes: episodesOf(points),
    settings: { cadence, alpha, pointAlpha, cusumK: CUSUM_K, cusumH, window, minHistory, minResiduals, minN },
  };
}

const directionOf = (s: Signal): 'up' | 'down' =>
  s === 'spike' || s === 'shift-up' || s === 'above' ? 'up' : 'down';

/**
 * Groups alarmed points into episodes: consecutive alarms in one direction, at most one quiet point
 * apart, are one break (a bad day, or a holiday and its bridge day, sends one alert, not several).
 */
export function episodesOf(points: readonly PointResult[]): Episode[] {
  const out: Episode[] = [];
  let cur: { e: Episode; quiet: number } | null = null;
  for (const p of points) {
    const s = p.signals[0];
    if (!s) {
      if (cur && ++cur.quiet > 1) cur = null;
      continue;
    }
    const dir = directionOf(s);
    const extremity = (z: number | null, v: number) => (z === null ? Math.abs(v) : Math.abs(z));
    if (cur && cur.e.direction === dir) {
      const e = cur.e;
      const peak =
        extremity(p.z, p.value) > extremity(e.peak.z, e.peak.value)
          ? { t: p.t, value: p.value, expected: p.expected, z: p.z }
          : e.peak;
      cur.e = {
        ...e,
        end: p.t,
        points: e.points + 1,
        signals: [...new Set([...e.signals, ...p.signals])],
        peak,
      };
      out[out.length - 1] = cur.e;
      cur.quiet = 0;
    } else {
      const e: Episode = {
        start: p.t,
        end: p.t,
        direction: dir,
        signals: [...p.signals],
        points: 1,
        peak: { t: p.t, value: p.value, expected: p.expected, z: p.z },
      };
      out.push(e);
      cur = { e, quiet: 0 };
    }
  }
  return out;
}

const normalQuantile = (q: number): number => jStat.normal.inv(q, 0, 1);

/**
 * Robust scale of residuals: winsorised at 3 MAD-scales from their median, then the root mean square
 * about zero (the baseline is the centre, so a drift widens the scale instead of hiding).
 */
export function robustScale(es: readonly number[]): number {
  const m = median(es);
  const s0 = madScale(es);
  const lo = m - 3 * s0;
  const hi = m + 3 * s0;
  let ss = 0;
  for (const e of es) ss += Math.min(hi, Math.max(lo, e)) ** 2;
  return Math.sqrt(ss / es.length);
}

/**
 * The baseline of a slot: the mean of its recent clean values with the lowest and the highest left
 * out once there are five or more. Alarms never enter the history, so a plain mean would do on clean
 * data; the trim guards against a large value just under the alarm line. (A median is biased low on
 * right-skewed counts, which makes up-shifts fire too often.)
 */
export function baselineOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const kept = s.length >= 5 ? s.slice(1, -1) : s;
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}
