import { ari, jaccard, silhouette } from '../stats/index.js';
import { seeded } from '../stats/random.js';

/**
 * The pure part of discovery (docs/personas.md, "Discovery"): a feature matrix of transformed,
 * standardised columns; k-means with restarts on a fixed-size sample; k by silhouette; bootstrap
 * stability; nearest-centroid assignment. No database here: `discover.ts` feeds it.
 */

/** One column of the clustering space. */
export interface Column {
  /** Stable name (`frequency`, `mix:app`, `attr:Contract=Month-to-month`). */
  readonly name: string;
  /**
   * log1p for heavy-tailed counts and rates; sqrt for the shares of a composition (variance-stabilising
   * for proportions: the Hellinger geometry); none otherwise.
   */
  readonly transform: 'log1p' | 'sqrt' | 'none';
  /**
   * numeric: standardised to mean 0, sd 1. share: one part of a composition (the channel mix), centred
   * and divided by the pooled sd of all share columns, so moving a share of activity from one channel
   * to another counts the same whichever channels (a rarely used channel is not blown up by its small
   * sd). indicator: centred and scaled by INDICATOR_WEIGHT.
   */
  readonly kind: 'numeric' | 'share' | 'indicator';
}

/** Per-column scaling, kept with the run so later customers are placed in the same space. */
export interface Scaling {
  readonly name: string;
  readonly transform: Column['transform'];
  readonly kind: Column['kind'];
  readonly mean: number;
  readonly sd: number;
  /** Multiplier after centring and dividing by sd (1 for numeric; see INDICATOR_WEIGHT). */
  readonly weight: number;
}

/**
 * An indicator (one level of a categorical attribute) is centred and multiplied by 1/√2, not divided
 * by its sd: two customers in different levels then differ by exactly 1 on that attribute, as a
 * one-sd difference on a numeric one does — dividing by the sd would make rare levels dominate.
 */
export const INDICATOR_WEIGHT = Math.SQRT1_2;

/** A dense row-major matrix of n points in d columns. */
export interface Points {
  readonly n: number;
  readonly d: number;
  readonly data: Float64Array;
}

const transformed = (t: Column['transform'], v: number): number =>
  t === 'log1p' ? Math.log1p(Math.max(0, v)) : t === 'sqrt' ? Math.sqrt(Math.max(0, v)) : v;

/**
 * Fits the scaling on the rows of `fitRows` (raw values, null = missing) and scales every row. Missing
 * values are imputed at the column's mean, i.e. 0 after scaling (no pull in any direction).
 */
export function fitScaling(
  columns: readonly Column[],
  raw: readonly (readonly (number | null)[])[],
  fitRows: readonly number[],
): Scaling[] {
  const fitted = columns.map((c, j) => {
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    for (const i of fitRows) {
      const v = raw[i]![j];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      const x = transformed(c.transform, v);
      n++;
      sum += x;
      sumSq += x * x;
    }
    const mean = n > 0 ? sum / n : 0;
    const sd = n > 1 ? Math.sqrt(Math.max(0, (sumSq - (sum * sum) / n) / (n - 1))) : 0;
    return {
      name: c.name,
      transform: c.transform,
      kind: c.kind,
      mean,
      sd: c.kind === 'indicator' ? 1 : sd,
      weight: c.kind === 'indicator' ? INDICATOR_WEIGHT : 1,
    };
  });
  const shares = fitted.filter((s) => s.kind === 'share');
  if (shares.length === 0) return fitted;
  const pooled = Math.sqrt(shares.reduce((a, s) => a + s.sd * s.sd, 0) / shares.length);
  return fitted.map((s) => (s.kind === 'share' ? { ...s, sd: pooled } : s));
}

/** Places one raw row in the scaled space (a constant column contributes 0). */
export function scaleRow(
  scaling: readonly Scaling[],
  row: readonly (number | null)[],
  out: Float64Array,
  at = 0,
): void {
  for (let j = 0; j < scaling.length; j++) {
    const s = scaling[j]!;
    const v = row[j];
    if (v === null || v === undefined || !Number.isFinite(v) || s.sd === 0) out[at + j] = 0;
    else out[at + j] = ((transformed(s.transform, v) - s.mean) / s.sd) * s.weight;
  }
}

export function scaleAll(scaling: readonly Scaling[], raw: readonly (readonly (number | null)[])[]): Points {
  const d = scaling.length;
  const data = new Float64Array(raw.length * d);
  for (let i = 0; i < raw.length; i++) scaleRow(scaling, raw[i]!, data, i * d);
  return { n: raw.length, d, data };
}

/** Back from the scaled space to raw units (inverse of the transform; for descriptions). */
export function unscale(s: Scaling, z: number): number {
  const x = (z / s.weight) * s.sd + s.mean;
  return s.transform === 'log1p' ? Math.expm1(x) : s.transform === 'sqrt' ? Math.max(0, x) ** 2 : x;
}

/** `size` distinct items of `from`, drawn without replacement (all of them when there are fewer). */
export function sampleOf(from: readonly number[], size: number, rand: () => number): number[] {
  const a = [...from];
  const m = Math.min(size, a.length);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rand() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, m).sort((x, y) => x - y);
}

const rowOf = (p: Points, i: number): number[] => Array.from(p.data.subarray(i * p.d, (i + 1) * p.d));

export interface Fit {
  readonly centroids: readonly (readonly number[])[];
  /** Cluster of each point of the fitted set. */
  readonly labels: readonly number[];
  /** Sum of squared distances to the assigned centroids. */
  readonly inertia: number;
}

/** Nearest centroid and its Euclidean distance, for every point. */
export function nearest(
  p: Points,
  centroids: readonly (readonly number[])[],
): { labels: Int32Array; distances: Float64Array } {
  const labels = new Int32Array(p.n);
  const distances = new Float64Array(p.n);
  const k = centroids.length;
  for (let i = 0; i < p.n; i++) {
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    const o = i * p.d;
    for (let c = 0; c < k; c++) {
      const cc = centroids[c]!;
      let d2 = 0;
      for (let j = 0; j < p.d; j++) {
        const x = p.data[o + j]! - cc[j]!;
        d2 += x * x;
      }
      if (d2 < bestD) {
        bestD = d2;
        best = c;
      }
    }
    labels[i] = best;
    distances[i] = Math.sqrt(bestD);
  }
  return { labels, distances };
}

/**
 * One k-means fit (Lloyd's iterations from a k-means++ start, Arthur & Vassilvitskii 2007) on a dense
 * matrix, seeded. Written here rather than taken from ml-kmeans: that package keeps points as arrays of
 * arrays and recomputes a full distance matrix per step, and was ~10× slower on the discovery sample
 * (docs/personas.md); the algorithm is the textbook one. Stops when no point changes cluster or after
 * `maxIterations`. An emptied cluster is re-seeded at the point farthest from its centroid.
 */
export function lloyd(
  p: Points,
  k: number,
  seed: number,
  maxIterations = 100,
  start?: readonly (readonly number[])[],
): Fit {
  const { n, d, data } = p;
  const rand = seeded(seed);
  const c = new Float64Array(k * d);
  const dist2 = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const sq = (i: number, ci: number): number => {
    let s = 0;
    const o = i * d;
    const oc = ci * d;
    for (let j = 0; j < d; j++) {
      const x = data[o + j]! - c[oc + j]!;
      s += x * x;
    }
    return s;
  };
  // k-means++: each next centre drawn with probability proportional to D² (or the given start)
  if (start) for (let ci = 0; ci < k; ci++) c.set(start[ci]!, ci * d);
  let first = Math.floor(rand() * n);
  for (let ci = 0; ci < (start ? 0 : k); ci++) {
    c.set(data.subarray(first * d, first * d + d), ci * d);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const s = sq(i, ci);
      if (s < dist2[i]!) dist2[i] = s;
      total += dist2[i]!;
    }
    if (ci === k - 1) break;
    let r = rand() * total;
    first = n - 1;
    for (let i = 0; i < n; i++) {
      r -= dist2[i]!;
      if (r <= 0) {
        first = i;
        break;
      }
    }
  }
  const labels = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  let inertia = 0;
  for (let it = 0; it < maxIterations; it++) {
    let changed = 0;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Number.POSITIVE_INFINITY;
      for (let ci = 0; ci < k; ci++) {
        const s = sq(i, ci);
        if (s < bestD) {
          bestD = s;
          best = ci;
        }
      }
      if (labels[i] !== best) {
        labels[i] = best;
        changed++;
      }
      dist2[i] = bestD;
      inertia += bestD;
    }
    // converged: no point moved (up to one in CONVERGED_SHARE of them on large sets)
    if (changed <= Math.floor(n * CONVERGED_SHARE)) break;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const l = labels[i]!;
      counts[l]!++;
      for (let j = 0; j < d; j++) sums[l * d + j]! += data[i * d + j]!;
    }
    for (let ci = 0; ci < k; ci++) {
      if (counts[ci] === 0) {
        let far = 0;
        for (let i = 1; i < n; i++) if (dist2[i]! > dist2[far]!) far = i;
        c.set(data.subarray(far * d, far * d + d), ci * d);
        dist2[far] = 0;
        continue;
      }
      for (let j = 0; j < d; j++) c[ci * d + j] = sums[ci * d + j]! / counts[ci]!;
    }
  }
  const centroids = Array.from({ length: k }, (_, ci) => Array.from(c.subarray(ci * d, ci * d + d)));
  return { centroids, labels: Array.from(labels), inertia };
}

/** Lloyd stops once at most this share of the points changed cluster in an iteration. */
export const CONVERGED_SHARE = 1e-4;
/** Restarts compete on at most this many points; the winner is then refined on all of them. */
export const RESTART_POINTS = 4000;

/**
 * k-means run `restarts` times with seeds derived from `seed`; the fit with the lowest inertia wins.
 * On more than RESTART_POINTS points the restarts run on a seeded sub-sample of that size (their job
 * is to find the right basin, which a few thousand points show as well as twenty thousand) and the
 * winner's centres start one Lloyd run on all the points.
 */
export function bestKmeans(p: Points, k: number, seed: number, restarts: number): Fit {
  const compete = (q: Points) => {
    let best: Fit | null = null;
    for (let r = 0; r < restarts; r++) {
      const fit = lloyd(q, k, seed * 7919 + r * 104_729 + k);
      if (!best || fit.inertia < best.inertia - 1e-9) best = fit;
    }
    return best!;
  };
  if (p.n <= RESTART_POINTS) return compete(p);
  const rows = sampleOf(
    Array.from({ length: p.n }, (_, i) => i),
    RESTART_POINTS,
    seeded(seed * 31 + k),
  );
  const sub = new Float64Array(rows.length * p.d);
  rows.forEach((i, r) => {
    sub.set(p.data.subarray(i * p.d, (i + 1) * p.d), r * p.d);
  });
  const winner = compete({ n: rows.length, d: p.d, data: sub });
  return lloyd(p, k, seed, 100, winner.centroids);
}

export interface DiscoverOptions {
  readonly kMin: number;
  readonly kMax: number;
  readonly seed: number;
  /** Points clustered (restarts, silhouette, bootstrap run on them); everyone is assigned after. */
  readonly sampleSize: number;
  readonly restarts: number;
  /** Points on which each k's silhouette is computed (O(n²)). */
  readonly silhouetteSample: number;
  readonly bootstraps: number;
}

export interface Discovery {
  readonly k: number;
  readonly centroids: readonly (readonly number[])[];
  /** Silhouette of each k tried. */
  readonly silhouette: readonly {
    readonly k: number;
    readonly silhouette: number;
    readonly inertia: number;
  }[];
  /** Mean bootstrap Jaccard of each cluster (same order as centroids). */
  readonly jaccard: readonly number[];
  /** Mean ARI between the labelings of pairs of bootstrap runs. */
  readonly stabilityAri: number;
  /** Indices (into the pool) of the clustered sample. */
  readonly sampleSize: number;
}

/**
 * Clusters the points of `pool` (indices into `p`): a sample of `sampleSize`, k-means with restarts
 * for every k in [kMin, kMax], k chosen by the highest mean silhouette on a sub-sample; then
 * `bootstraps` refits on resamples (with replacement) of the sample, each sample point assigned to the
 * refit's nearest centroid: a cluster's stability is the mean over refits of its best Jaccard with
 * a refit cluster (Hennig 2007, prediction variant), the overall one the mean ARI between refits.
 */
export function discoverClusters(p: Points, pool: readonly number[], o: DiscoverOptions): Discovery {
  const rand = seeded(o.seed);
  const sample = sampleOf(pool, o.sampleSize, rand);
  const rows = sample.map((i) => rowOf(p, i));
  const samplePoints: Points = { n: rows.length, d: p.d, data: Float64Array.from(rows.flat()) };
  const kMax = Math.min(o.kMax, rows.length - 1);
  const kMin = Math.min(o.kMin, kMax);
  if (kMin < 2) throw new Error('too few customers to find personas');
  const silSample = sampleOf(
    rows.map((_, i) => i),
    o.silhouetteSample,
    rand,
  );
  const silRows = silSample.map((i) => rows[i]!);
  const tried: { k: number; silhouette: number; inertia: number; fit: Fit }[] = [];
  for (let k = kMin; k <= kMax; k++) {
    const fit = bestKmeans(samplePoints, k, o.seed, o.restarts);
    const s = silhouette(
      silRows,
      silSample.map((i) => fit.labels[i]!),
    );
    tried.push({ k, silhouette: s, inertia: fit.inertia, fit });
  }
  const chosen = tried.reduce((a, b) => (b.silhouette > a.silhouette + 1e-12 ? b : a));
  const fit = chosen.fit;
  const k = chosen.k;
  const refMembers = Array.from({ length: k }, () => new Set<number>());
  fit.labels.forEach((l, i) => {
    refMembers[l]!.add(i);
  });
  const jSum = new Array<number>(k).fill(0);
  const bootLabels: string[][] = [];
  for (let b = 0; b < o.bootstraps; b++) {
    const resample: Points = {
      n: rows.length,
      d: p.d,
      data: Float64Array.from(
        Array.from({ length: rows.length }, () => rows[Math.floor(rand() * rows.length)]!).flat(),
      ),
    };
    const refit = bestKmeans(resample, k, o.seed + 1000 * (b + 1), Math.min(2, o.restarts));
    const { labels } = nearest(samplePoints, refit.centroids);
    const members = Array.from({ length: k }, () => new Set<number>());
    labels.forEach((l, i) => {
      members[l]!.add(i);
    });
    for (let c = 0; c < k; c++) jSum[c]! += Math.max(...members.map((m) => jaccard(refMembers[c]!, m)));
    bootLabels.push(Array.from(labels, String));
  }
  let ariSum = 0;
  let pairs = 0;
  for (let a = 0; a < bootLabels.length; a++)
    for (let b = a + 1; b < bootLabels.length; b++) {
      ariSum += ari(bootLabels[a]!, bootLabels[b]!);
      pairs++;
    }
  return {
    k,
    centroids: fit.centroids,
    silhouette: tried.map((t) => ({ k: t.k, silhouette: t.silhouette, inertia: t.inertia })),
    jaccard: jSum.map((s) => (o.bootstraps > 0 ? s / o.bootstraps : Number.NaN)),
    stabilityAri: pairs > 0 ? ariSum / pairs : Number.NaN,
    sampleSize: rows.length,
  };
}

/** Stable at a mean bootstrap Jaccard ≥ 0.75; below 0.6 not to be trusted (Hennig 2007's bands). */
export function stabilityOf(j: number): 'stable' | 'moderate' | 'unstable' | 'unknown' {
  if (!Number.isFinite(j)) return 'unknown';
  return j >= 0.75 ? 'stable' : j >= 0.6 ? 'moderate' : 'unstable';
}
