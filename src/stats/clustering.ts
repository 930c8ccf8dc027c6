/**
 * Agreement and quality measures of clusterings (pure functions): the adjusted Rand index between two
 * labelings, the mean silhouette of a labeling, and the Jaccard index of two member sets.
 */

/**
 * Adjusted Rand index of two labelings of the same items (Hubert & Arabie 1985): 1 for identical
 * partitions, about 0 for chance agreement. Used to measure theme recovery against known labels.
 */
export function ari(a: readonly string[], b: readonly string[]): number {
  if (a.length !== b.length) throw new Error('ari: labelings differ in length');
  const n = a.length;
  if (n < 2) return 1;
  const table = new Map<string, number>();
  const ra = new Map<string, number>();
  const rb = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const k = `${a[i]}\u0000${b[i]}`;
    table.set(k, (table.get(k) ?? 0) + 1);
    ra.set(a[i]!, (ra.get(a[i]!) ?? 0) + 1);
    rb.set(b[i]!, (rb.get(b[i]!) ?? 0) + 1);
  }
  const c2 = (x: number) => (x * (x - 1)) / 2;
  let index = 0;
  for (const v of table.values()) index += c2(v);
  let sa = 0;
  for (const v of ra.values()) sa += c2(v);
  let sb = 0;
  for (const v of rb.values()) sb += c2(v);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

/**
 * Mean silhouette width (Rousseeuw 1987) of a labeling under Euclidean distance: for each point,
 * s = (b − a) / max(a, b) with a the mean distance to its own cluster's other points and b the
 * smallest mean distance to another cluster; a point alone in its cluster has s = 0. O(n²·d): call it
 * on a sample.
 */
export function silhouette(points: readonly (readonly number[])[], labels: readonly number[]): number {
  const n = points.length;
  if (n !== labels.length) throw new Error('silhouette: points and labels differ in length');
  const k = Math.max(-1, ...labels) + 1;
  if (n < 2 || k < 2) return 0;
  const size = new Array<number>(k).fill(0);
  for (const l of labels) size[l]!++;
  let total = 0;
  const sums = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    const p = points[i]!;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const q = points[j]!;
      let d2 = 0;
      for (let t = 0; t < p.length; t++) {
        const d = p[t]! - q[t]!;
        d2 += d * d;
      }
      sums[labels[j]!]! += Math.sqrt(d2);
    }
    const own = labels[i]!;
    if (size[own]! <= 1) continue;
    const a = sums[own]! / (size[own]! - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) if (c !== own && size[c]! > 0) b = Math.min(b, sums[c]! / size[c]!);
    total += b === Number.POSITIVE_INFINITY ? 0 : (b - a) / Math.max(a, b);
  }
  return total / n;
}

/** Jaccard index |A ∩ B| / |A ∪ B| of two sets (1 when both are empty). */
export function jaccard<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/**
 * Normalised mutual information of two labelings, I(A;B) / ((H(A) + H(B)) / 2) (the arithmetic-mean
 * normalisation, scikit-learn's default): 1 for identical partitions, 0 for independent ones.
 */
export function nmi(a: readonly string[], b: readonly string[]): number {
  if (a.length !== b.length) throw new Error('nmi: labelings differ in length');
  const n = a.length;
  if (n === 0) return 1;
  const joint = new Map<string, number>();
  const ca = new Map<string, number>();
  const cb = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    joint.set(`${a[i]}\u0000${b[i]}`, (joint.get(`${a[i]}\u0000${b[i]}`) ?? 0) + 1);
    ca.set(a[i]!, (ca.get(a[i]!) ?? 0) + 1);
    cb.set(b[i]!, (cb.get(b[i]!) ?? 0) + 1);
  }
  const h = (m: Map<string, number>) => {
    let s = 0;
    for (const v of m.values()) s -= (v / n) * Math.log(v / n);
    return s;
  };
  let mi = 0;
  for (const [k, v] of joint) {
    const [x, y] = k.split('\u0000') as [string, string];
    mi += (v / n) * Math.log((v * n) / (ca.get(x)! * cb.get(y)!));
  }
  const ha = h(ca);
  const hb = h(cb);
  if (ha === 0 && hb === 0) return 1;
  return mi / ((ha + hb) / 2);
}

/**
 * For each gold label, the F1 of the predicted cluster that matches it best (precision = share of
 * the cluster with that label, recall = share of the label in the cluster). Items whose predicted
 * label is `none` (e.g. "(none)") belong to no cluster.
 */
export function bestMatchF1(
  pred: readonly string[],
  gold: readonly string[],
  none?: string,
): Map<string, { f1: number; cluster: string | null; n: number }> {
  const size = new Map<string, number>();
  const goldN = new Map<string, number>();
  const both = new Map<string, Map<string, number>>();
  pred.forEach((p, i) => {
    const g = gold[i]!;
    goldN.set(g, (goldN.get(g) ?? 0) + 1);
    if (p === none) return;
    size.set(p, (size.get(p) ?? 0) + 1);
    const m = both.get(g) ?? new Map<string, number>();
    m.set(p, (m.get(p) ?? 0) + 1);
    both.set(g, m);
  });
  const out = new Map<string, { f1: number; cluster: string | null; n: number }>();
  for (const [g, n] of goldN) {
    let best = { f1: 0, cluster: null as string | null, n };
    for (const [p, tp] of both.get(g) ?? []) {
      const f1 = (2 * tp) / (size.get(p)! + n);
      if (f1 > best.f1 || (f1 === best.f1 && best.cluster !== null && p < best.cluster))
        best = { f1, cluster: p, n };
    }
    out.set(g, best);
  }
  return out;
}
