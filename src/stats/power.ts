import jStat from 'jstat';

/**
 * Units per arm to detect a change of a proportion from `baseline` to `baseline·(1 + mde)` (two-sided
 * test at `alpha` with `power`), as R's `power.prop.test` (strict = FALSE):
 * n = (z₁₋α/₂·√(2p̄q̄) + z_power·√(p₁q₁ + p₂q₂))² / (p₂ − p₁)², p̄ = (p₁ + p₂)/2 (Fleiss 1981, §3.2).
 */
export function sampleSizeProportion(baseline: number, mde: number, alpha = 0.05, power = 0.8): number {
  const p1 = baseline;
  const p2 = baseline * (1 + mde);
  const pBar = (p1 + p2) / 2;
  const za = jStat.normal.inv(1 - alpha / 2, 0, 1);
  const zb = jStat.normal.inv(power, 0, 1);
  return (
    (za * Math.sqrt(2 * pBar * (1 - pBar)) + zb * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 /
    (p2 - p1) ** 2
  );
}

/**
 * Units per arm to detect a difference `delta` in means with standard deviation `sd`: the two-sample
 * t approximation n = 2(t₁₋α/₂,ν + t_power,ν)²·sd²/delta² with ν = 2n − 2, iterated from the normal
 * answer; it agrees with R's `power.t.test` (noncentral t) to about 0.05 units.
 */
export function sampleSizeMean(sd: number, delta: number, alpha = 0.05, power = 0.8): number {
  const za = jStat.normal.inv(1 - alpha / 2, 0, 1);
  const zb = jStat.normal.inv(power, 0, 1);
  let n = (2 * (za + zb) ** 2 * sd * sd) / (delta * delta);
  for (let i = 0; i < 20; i++) {
    const df = Math.max(1, 2 * n - 2);
    const next =
      (2 * (jStat.studentt.inv(1 - alpha / 2, df) + jStat.studentt.inv(power, df)) ** 2 * sd * sd) /
      (delta * delta);
    if (Math.abs(next - n) < 1e-9) return next;
    n = next;
  }
  return n;
}

/** Days to enrol `perArm` units in each of `arms` arms from `dailyUnits` eligible units a day, `share` of them in the test. */
export function durationDays(perArm: number, arms: number, dailyUnits: number, share = 1): number {
  return Math.ceil((Math.ceil(perArm) * arms) / (dailyUnits * share));
}
