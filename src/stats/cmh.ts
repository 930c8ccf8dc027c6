import jStat from 'jstat';

/**
 * Cochran–Mantel–Haenszel test of association across strata of 2×2 tables: group 1 has k1 successes
 * of n1, group 2 has k2 of n2 in each stratum. Its variance is the hypergeometric one under the null,
 * so unlike a Wald interval it does not collapse when a cell is 0 (two people, none retained).
 * With `correct` (default, as R's mantelhaen.test) a continuity correction of ½ is applied.
 */
export function cochranMantelHaenszel(
  strata: readonly { k1: number; n1: number; k2: number; n2: number }[],
  options: { correct?: boolean } = {},
): { readonly statistic: number; readonly p: number; readonly strata: number } {
  let observed = 0;
  let expected = 0;
  let variance = 0;
  let used = 0;
  for (const s of strata) {
    const n = s.n1 + s.n2;
    if (s.n1 === 0 || s.n2 === 0 || n < 2) continue;
    const m1 = s.k1 + s.k2;
    const m2 = n - m1;
    observed += s.k1;
    expected += (s.n1 * m1) / n;
    variance += (s.n1 * s.n2 * m1 * m2) / (n * n * (n - 1));
    used++;
  }
  if (variance === 0) return { statistic: 0, p: 1, strata: used };
  const dev = Math.abs(observed - expected) - (options.correct === false ? 0 : 0.5);
  const statistic = Math.max(0, dev) ** 2 / variance;
  return { statistic, p: 1 - jStat.chisquare.cdf(statistic, 1), strata: used };
}
