/**
 * Adjusted p-values for a family of tests, as R's `p.adjust`: Holm (1979) controls the family-wise
 * error rate, Benjamini–Hochberg (1995) the false discovery rate. Returned in the input's order.
 */
export function holm(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}

export function benjaminiHochberg(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => ({ p, i })).sort((a, b) => b.p - a.p || b.i - a.i);
  const out = new Array<number>(m);
  let running = 1;
  order.forEach(({ p, i }, k) => {
    const rank = m - k;
    running = Math.min(running, (m / rank) * p);
    out[i] = Math.min(1, running);
  });
  return out;
}
