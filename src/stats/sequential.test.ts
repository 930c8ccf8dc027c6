import { describe, expect, it } from 'vitest';
import { compareMeans } from './experiment.js';
import { seeded as rng } from './random.js';
import { mixingRho2, sequentialInterval } from './sequential.js';

describe('sequentialInterval', () => {
  // Howard et al. (2021) eq. (14) with α = 0.05, N* = 1,000: ρ² = (5.991465 + ln 6.991465)/1000
  // = 0.00793615; at n = 1,000 with Var(Δ̂) = 0.001 (s² = 1): half-width
  // √(2·8.93615/(10⁶·0.00793615)·ln(√8.93615/0.05)) = 0.0959817, i.e. 3.035 standard errors where a
  // fixed-horizon test uses 1.96. Δ̂ = 0.1: ln Λ = 10⁶·0.00793615·0.01/(2·8.93615) − ½ ln 8.93615
  // → p = 1/Λ = 0.0352453 (all by hand, checked with numpy).
  it('matches the hand-computed boundary and p-value', () => {
    expect(mixingRho2(0.05, 1000)).toBeCloseTo(0.0079361546, 10);
    const r = sequentialInterval(0.1, 0.001, 1000, { alpha: 0.05, tuning: 1000 });
    expect(r.halfWidth).toBeCloseTo(0.09598174, 7);
    expect(r.p).toBeCloseTo(0.03524532, 7);
    expect(r.low).toBeGreaterThan(0);
  });
  it('p < α exactly when the interval excludes 0', () => {
    for (const est of [0.05, 0.09, 0.0959, 0.0961, 0.2]) {
      const r = sequentialInterval(est, 0.001, 1000, { tuning: 1000 });
      expect(r.p < 0.05).toBe(r.low > 0);
    }
  });
});

describe('A/A simulation: 2,000 experiments × 28 daily looks', () => {
  it('the sequential interval keeps the false-positive rate under 5 %, daily peeks at a fixed-horizon test do not', () => {
    const started = Date.now();
    const random = rng(20260421);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const experiments = 2000;
    const days = 28;
    const perArmPerDay = 50;
    let fixedHits = 0;
    let seqHits = 0;
    for (let e = 0; e < experiments; e++) {
      const a = { n: 0, sum: 0, sumSq: 0 };
      const b = { n: 0, sum: 0, sumSq: 0 };
      let fixed = false;
      let seq = false;
      for (let d = 0; d < days; d++) {
        for (let i = 0; i < perArmPerDay; i++) {
          const x = gauss();
          const y = gauss();
          a.n++;
          a.sum += x;
          a.sumSq += x * x;
          b.n++;
          b.sum += y;
          b.sumSq += y * y;
        }
        const r = compareMeans(a, b);
        if (r.p < 0.05) fixed = true;
        const v = r.control.varMean + r.treatment.varMean;
        // tuned for the planned size: 28 days × 2 arms × 50 units
        const s = sequentialInterval(r.absolute.value, v, a.n + b.n, { tuning: days * 2 * perArmPerDay });
        if (s.p < 0.05) seq = true;
      }
      if (fixed) fixedHits++;
      if (seq) seqHits++;
    }
    const fixedRate = fixedHits / experiments;
    const seqRate = seqHits / experiments;
    console.log(
      `A/A × ${experiments}, ${days} looks: fixed-horizon peeked daily ${(100 * fixedRate).toFixed(1)} %, ` +
        `sequential ${(100 * seqRate).toFixed(1)} % (${Date.now() - started} ms)`,
    );
    expect(seqRate).toBeLessThanOrEqual(0.05);
    // Armitage, McPherson & Rowe (1969): repeated looks at a 5 % test inflate the error to ~25–30 % at ~30 looks
    expect(fixedRate).toBeGreaterThan(0.2);
    expect(fixedRate).toBeLessThan(0.35);
  });
});
