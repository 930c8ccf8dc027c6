import { aucDeLong } from '../stats/auc.js';

/**
 * Features for the churn models (docs/health.md §Features): one record per customer of raw values
 * (numbers, strings, or null when missing), a description of each feature, and an encoder fitted on
 * training rows only that turns records into numeric columns.
 *
 * Missing values: a numeric feature is imputed with the training mean and gets a `(missing)` 0/1
 * indicator column when the training rows have any missing; a categorical feature's missing value is a
 * level of its own, `(missing)`. Categorical levels with fewer than `minLevelCount` training rows are
 * pooled into `(other)`; the most frequent level is the reference (no column).
 */

export type RawValue = number | string | null;

export interface FeatureSpec {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
}

export interface Column {
  /** The feature this column belongs to (reasons are summed per feature). */
  readonly feature: string;
  /** e.g. `tenure`, `tenure (missing)`, `Contract=Two year`, `tenure × Contract=Two year`. */
  readonly label: string;
}

export interface Encoder {
  readonly columns: readonly Column[];
  encode(record: ReadonlyMap<string, RawValue>): Float64Array;
}

export const MISSING = '(missing)';
export const OTHER = '(other)';

export interface EncoderOptions {
  readonly minLevelCount?: number;
  /** Numeric features cut into training quantile bins (one column per bin but the first). */
  readonly bins?: number;
  /** Pairs of features whose columns are multiplied (every column of one × every column of the other). */
  readonly interactions?: readonly (readonly [string, string])[];
}

type Part = {
  readonly feature: string;
  readonly labels: readonly string[];
  readonly fill: (v: RawValue, out: Float64Array, at: number) => void;
};

function categoricalPart(name: string, values: RawValue[], minCount: number): Part {
  const counts = new Map<string, number>();
  for (const v of values) {
    const k = v === null ? MISSING : String(v);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const kept = [...counts.entries()]
    .filter(([, c]) => c >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const pooled = [...counts.entries()].filter(([, c]) => c < minCount).reduce((s, [, c]) => s + c, 0);
  const levels = kept.map(([k]) => k);
  if (pooled >= minCount) levels.push(OTHER);
  const reference = levels[0];
  const coded = levels.slice(1);
  const index = new Map(coded.map((l, i) => [l, i]));
  return {
    feature: name,
    labels: coded.map((l) => `${name}=${l}`),
    fill: (v, out, at) => {
      const k = v === null ? MISSING : String(v);
      const level = index.has(k) || k === reference ? k : OTHER;
      const i = index.get(level);
      if (i !== undefined) out[at + i] = 1;
    },
  };
}

function numericPart(name: string, values: RawValue[], bins: number | undefined): Part {
  const present = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const anyMissing = present.length < values.length;
  const mean = present.length ? present.reduce((a, b) => a + b, 0) / present.length : 0;
  if (bins && bins > 1) {
    const sorted = [...present].sort((a, b) => a - b);
    const edges = [
      ...new Set(
        Array.from({ length: bins - 1 }, (_, b) => sorted[Math.floor(((b + 1) * sorted.length) / bins)] ?? 0),
      ),
    ].filter((e) => e > (sorted[0] ?? 0));
    const labels = edges.map((e) => `${name} ≥ ${e}`);
    if (anyMissing) labels.push(`${name} ${MISSING}`);
    return {
      feature: name,
      labels,
      fill: (v, out, at) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          if (anyMissing) out[at + edges.length] = 1;
          return;
        }
        // bin b (≥ edges[b−1]) as one-hot, the lowest bin the reference
        let b = 0;
        while (b < edges.length && v >= (edges[b] ?? 0)) b++;
        if (b > 0) out[at + b - 1] = 1;
      },
    };
  }
  return {
    feature: name,
    labels: anyMissing ? [name, `${name} ${MISSING}`] : [name],
    fill: (v, out, at) => {
      if (typeof v === 'number' && Number.isFinite(v)) out[at] = v;
      else {
        out[at] = mean;
        if (anyMissing) out[at + 1] = 1;
      }
    },
  };
}

/** Fits the encoding on `train` (levels, means, bin edges, interactions) and nothing else. */
export function fitEncoder(
  specs: readonly FeatureSpec[],
  train: readonly ReadonlyMap<string, RawValue>[],
  o: EncoderOptions = {},
): Encoder {
  const minCount = o.minLevelCount ?? 5;
  const parts: Part[] = specs.map((s) => {
    const values = train.map((r) => r.get(s.name) ?? null);
    return s.kind === 'numeric'
      ? numericPart(s.name, values, o.bins)
      : categoricalPart(s.name, values, minCount);
  });
  const offsets: number[] = [];
  let width = 0;
  for (const p of parts) {
    offsets.push(width);
    width += p.labels.length;
  }
  const byName = new Map(parts.map((p, i) => [p.feature, i]));
  const pairs = (o.interactions ?? [])
    .map(([a, b]) => [byName.get(a), byName.get(b)] as const)
    .filter((x): x is readonly [number, number] => x[0] !== undefined && x[1] !== undefined);
  const columns: Column[] = parts.flatMap((p) => p.labels.map((label) => ({ feature: p.feature, label })));
  const pairColumns: { a: number; b: number }[] = [];
  for (const [i, j] of pairs) {
    const pi = parts[i] as Part;
    const pj = parts[j] as Part;
    pi.labels.forEach((la, x) => {
      pj.labels.forEach((lb, y) => {
        pairColumns.push({ a: (offsets[i] ?? 0) + x, b: (offsets[j] ?? 0) + y });
        columns.push({ feature: `${pi.feature} × ${pj.feature}`, label: `${la} × ${lb}` });
      });
    });
  }
  return {
    columns,
    encode(record) {
      const out = new Float64Array(width + pairColumns.length);
      parts.forEach((p, i) => {
        p.fill(record.get(p.feature) ?? null, out, offsets[i] ?? 0);
      });
      pairColumns.forEach((c, k) => {
        out[width + k] = (out[c.a] ?? 0) * (out[c.b] ?? 0);
      });
      return out;
    },
  };
}

/**
 * How well one feature alone ranks churners, without fitting: a categorical feature scores each level
 * by its churn rate on `rows`, a numeric one by its value (missing at the mean); the AUC is folded to
 * ≥ 0.5. Used to pick the interactions of the non-linear model and to flag suspected leakage.
 */
export function univariateAuc(
  spec: FeatureSpec,
  rows: readonly ReadonlyMap<string, RawValue>[],
  y: ArrayLike<number>,
): number {
  let scores: number[];
  if (spec.kind === 'numeric') {
    const vals = rows.map((r) => r.get(spec.name) ?? null);
    const present = vals.filter((v): v is number => typeof v === 'number');
    const m = present.length ? present.reduce((a, b) => a + b, 0) / present.length : 0;
    scores = vals.map((v) => (typeof v === 'number' ? v : m));
  } else {
    const stats = new Map<string, { k: number; n: number }>();
    const keys = rows.map((r) => String(r.get(spec.name) ?? MISSING));
    keys.forEach((k, i) => {
      const s = stats.get(k) ?? { k: 0, n: 0 };
      s.n++;
      s.k += y[i] ?? 0;
      stats.set(k, s);
    });
    scores = keys.map((k) => {
      const s = stats.get(k) as { k: number; n: number };
      return s.k / s.n;
    });
  }
  const a = aucDeLong(scores, y).value;
  return Number.isFinite(a) ? Math.max(a, 1 - a) : 0.5;
}
