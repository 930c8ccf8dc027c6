import { describe, expect, it } from 'vitest';
import { gaussianLift, PROPER_PRIOR } from './bayes.js';

describe('gaussianLift', () => {
  // Relative lift 5 % with se 2 %: chance to win = Φ(2.5) = 0.99379 (standard normal table);
  // risk of shipping = σφ(2.5) − μΦ(−2.5) = 0.02·0.0175283 − 0.05·0.0062097 = 4.0083e-5;
  // risk of keeping the control = σφ(2.5) + μΦ(2.5) = 0.0500401 (scipy.stats.norm, same formulas).
  it('improper prior: the posterior is the likelihood', () => {
    const r = gaussianLift({ value: 0.05, se: 0.02 });
    expect(r.mean).toBe(0.05);
    expect(r.chanceToWin).toBeCloseTo(0.99379033, 7);
    expect(r.risk.treatment).toBeCloseTo(4.0082744e-5, 10);
    expect(r.risk.control).toBeCloseTo(0.05004008, 7);
    expect(r.low).toBeCloseTo(0.05 - 1.959964 * 0.02, 6);
    expect(r.prior).toBeNull();
  });
  // Conjugate normal update with N(0, 0.3²): precision 1/0.02² + 1/0.09 = 2511.111;
  // mean = (0.05·2500)/2511.111 = 0.0497788, sd = 0.0199557, chance to win Φ(2.49443) = 0.993693.
  it('proper prior N(0, 0.3²) shrinks toward zero', () => {
    const r = gaussianLift({ value: 0.05, se: 0.02 }, PROPER_PRIOR);
    expect(r.mean).toBeCloseTo(0.04977876, 7);
    expect(r.sd).toBeCloseTo(0.0199557, 7);
    expect(r.chanceToWin).toBeCloseTo(0.9936926, 6);
  });
  it('lower is better: the same lift is a likely loss, and the risks swap', () => {
    const up = gaussianLift({ value: 0.05, se: 0.02 });
    const down = gaussianLift({ value: 0.05, se: 0.02 }, null, true);
    expect(down.chanceToWin).toBeCloseTo(1 - up.chanceToWin, 12);
    expect(down.risk.treatment).toBeCloseTo(up.risk.control, 12);
  });
});
