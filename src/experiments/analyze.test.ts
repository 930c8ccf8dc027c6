import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withTestDb } from '../store/index.js';
import { AnalyzeParams, analyzeExperiment } from './analyze.js';

const dir = mkdtempSync(join(tmpdir(), 'tp-exp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 10 control and 10 treatment customers. "order value" has a space: columns are read by position.
const controlSpend = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
const treatmentSpend = [15, 25, 35, 45, 55, 65, 75, 85, 95, 1000];
const controlPre = [12, 18, 33, 41, 48, 62, 69, 83, 88, 97];
const treatmentPre = [14, 27, 33, 47, 52, 66, 73, 88, 93, 99];
const controlCsat = [4, 5, 3, 4, 5, 4, 2, 5, null, null];
const treatmentCsat = [5, 5, 4, 5, 3, null, null, null, null, null];
const lines = ['customer,arm,converted,order value,pre,csat'];
for (let i = 0; i < 10; i++) {
  lines.push(
    `c${i},control,${i < 3 ? 'True' : 'False'},${controlSpend[i]},${controlPre[i]},${controlCsat[i] ?? ''}`,
  );
  lines.push(
    `t${i},treatment,${i < 6 ? 'True' : 'False'},${treatmentSpend[i]},${treatmentPre[i]},${treatmentCsat[i] ?? ''}`,
  );
}
const FIXTURE = join(dir, 'fixture.csv');
writeFileSync(FIXTURE, `${lines.join('\n')}\n`);

const params = (over: Record<string, unknown>) =>
  AnalyzeParams.parse({ file: FIXTURE, unit: 'customer', variant: 'arm', metric: ['converted'], ...over });

describe('analyzeExperiment on a hand-computed fixture', () => {
  it('proportion: 3/10 vs 6/10, pooled z = 0.3/√(0.45·0.55·0.2) = 1.348400, p = 0.177530', async () => {
    const r = await withTestDb((db) => analyzeExperiment(db, params({})));
    expect(r.control).toBe('control');
    expect(r.variants).toEqual([
      { variant: 'control', units: 10 },
      { variant: 'treatment', units: 10 },
    ]);
    // 10 vs 10: χ² = 0, p = 1
    expect(r.srm.p).toBe(1);
    const m = r.metrics[0]!;
    expect(m.kind).toBe('proportion');
    expect(m.arms.map((a) => a.value)).toEqual([0.3, 0.6]);
    const t = m.treatments[0]!;
    expect(t.absolute.value).toBeCloseTo(0.3, 12);
    expect(t.relative.value).toBeCloseTo(1, 12);
    expect(t.statistic).toBeCloseTo(1.3484, 4);
    expect(t.p).toBeCloseTo(0.17753, 5);
    expect(r.recommendations).toEqual([
      {
        variant: 'treatment',
        decision: 'keep testing',
        reason: expect.stringMatching(/no significant change/),
      },
    ]);
  });

  // scipy.stats.ttest_ind(treatment, control, equal_var=False): t = 0.991251, p = 0.346961;
  // winsorised at P90 of both arms (linear interpolation, R type 7 / numpy default): cap 95.5, which
  // caps 100 in control and 1000 in treatment; means 54.55 and 59.05, Welch p = 0.734324.
  it('mean with one outlier: Welch, outlier report and one cap over both arms', async () => {
    const r = await withTestDb((db) =>
      analyzeExperiment(db, params({ metric: ['order value'], winsorize: 0.9, quantiles: [0.5] })),
    );
    const m = r.metrics[0]!;
    expect(m.kind).toBe('mean');
    expect(m.arms.map((a) => a.value)).toEqual([55, 149.5]);
    expect(m.treatments[0]!.statistic).toBeCloseTo(0.991251, 5);
    expect(m.treatments[0]!.p).toBeCloseTo(0.346961, 5);
    expect(m.outliers!.top[0]).toEqual({ unit: 't9', variant: 'treatment', value: 1000 });
    const w = m.winsorized!;
    expect(w.cap).toBeCloseTo(95.5, 10);
    expect(w.capped).toEqual([
      { variant: 'control', units: 1 },
      { variant: 'treatment', units: 1 },
    ]);
    expect(w.arms.map((a) => a.value)).toEqual([54.55, 59.05]);
    expect(w.treatments[0]!.p).toBeCloseTo(0.734324, 5);
    // median of 10 values: rank ⌈5⌉ = 5th value; interval ranks ⌊5 − 1.96·√2.5⌋ = 1 … ⌈8.10⌉ + 1 = 10
    expect(m.quantiles[0]!.arms).toEqual([
      { variant: 'control', value: 50, low: 10, high: 100 },
      { variant: 'treatment', value: 55, low: 15, high: 1000 },
    ]);
  });

  it('CUPED with the pre-period column: θ from all units, as computed unit by unit', async () => {
    const r = await withTestDb((db) =>
      analyzeExperiment(db, params({ metric: ['order value'], pre: 'pre' })),
    );
    const x = [...controlPre, ...treatmentPre];
    const y = [...controlSpend, ...treatmentSpend];
    const mx = x.reduce((a, b) => a + b, 0) / 20;
    const my = y.reduce((a, b) => a + b, 0) / 20;
    const theta =
      x.reduce((a, xi, i) => a + (xi - mx) * (y[i]! - my), 0) / x.reduce((a, xi) => a + (xi - mx) ** 2, 0);
    const c = r.metrics[0]!.cuped[0]!;
    expect(c.theta).toBeCloseTo(theta, 10);
    const adj = (ys: number[], xs: number[]) =>
      ys.reduce((a, yi, i) => a + yi - theta * (xs[i]! - mx), 0) / ys.length;
    expect(c.absolute.value).toBeCloseTo(
      adj(treatmentSpend, treatmentPre) - adj(controlSpend, controlPre),
      10,
    );
  });

  it('a metric some units do not report gets a response-rate check (8/10 vs 5/10: p = 0.1596)', async () => {
    const r = await withTestDb((db) => analyzeExperiment(db, params({ metric: ['csat'] })));
    const m = r.metrics[0]!;
    expect(m.arms.map((a) => [a.units, a.n])).toEqual([
      [10, 8],
      [10, 5],
    ]);
    // pooled 0.65: z = −0.3/√(0.65·0.35·0.2) = −1.40642
    expect(m.responseRate[0]!.p).toBeCloseTo(0.15962, 4);
    expect(m.responseRate[0]!.biased).toBe(false);
  });

  it('a ratio metric NUM/DEN uses the delta method', async () => {
    const r = await withTestDb((db) => analyzeExperiment(db, params({ metric: ['order value/pre'] })));
    const m = r.metrics[0]!;
    expect(m.kind).toBe('ratio');
    expect(m.arms[0]!.value).toBeCloseTo(550 / 551, 12);
  });

  it('lower is better flips the chance to win; the proper prior shrinks; corrections apply to the family', async () => {
    const flat = await withTestDb((db) =>
      analyzeExperiment(db, params({ metric: ['converted', 'order value'] })),
    );
    const down = await withTestDb((db) =>
      analyzeExperiment(
        db,
        params({
          metric: ['converted', 'order value'],
          lowerIsBetter: ['converted'],
          prior: 'proper',
          correction: 'none',
        }),
      ),
    );
    const f = flat.metrics[0]!.treatments[0]!;
    const d = down.metrics[0]!.treatments[0]!;
    expect(f.bayes.chanceToWin).toBeGreaterThan(0.5);
    expect(d.bayes.chanceToWin).toBeLessThan(0.5);
    // relative lift 1.0 with Var = 0.024/0.09 + 0.36·0.021/0.0081 = 1.2 (se 1.095): N(0, 0.3²) narrows it
    expect(d.bayes.high - d.bayes.low).toBeLessThan(f.bayes.high - f.bayes.low);
    // Holm over 2 tests: min(1, 2·p_min) for the smaller p; none: unchanged
    const ps = flat.metrics.map((m) => m.treatments[0]!.p);
    const min = Math.min(...ps);
    expect(Math.min(...flat.metrics.map((m) => m.treatments[0]!.pAdjusted))).toBeCloseTo(
      Math.min(1, 2 * min),
      12,
    );
    expect(down.metrics.map((m) => m.treatments[0]!.pAdjusted)).toEqual(ps);
    // always-valid interval is wider than the fixed-horizon one
    expect(f.sequential.high - f.sequential.low).toBeGreaterThan(f.absolute.high - f.absolute.low);
  });

  it.each([
    [{ unit: 'id' }, /^--unit: no column 'id' in .*fixture\.csv \(columns: customer, arm, converted/],
    [{ metric: ['arm'] }, /^--metric: column 'arm' of .* is VARCHAR, not a number or a boolean/],
    [{ control: 'old' }, /^--control: no variant 'old' \(variants: control, treatment\)/],
    [{ file: join(dir, 'missing.csv') }, /missing\.csv: no such file/],
    [{ weights: ['control=1'] }, /^--weights: no weight for variant 'treatment'/],
    [{ weights: ['control=1', 'treatment=1', 'tretment=1'] }, /^--weights: no variant 'tretment'/],
    [{ lowerIsBetter: ['convertd'] }, /^--lower-is-better: 'convertd' is not one of the --metric names/],
  ])('refuses bad input in one line: %o', async (over, message) => {
    await expect(withTestDb((db) => analyzeExperiment(db, params(over)))).rejects.toThrow(message);
  });

  it('refuses a unit on two rows', async () => {
    const file = join(dir, 'dup.csv');
    writeFileSync(file, 'u,v,m\n1,a,1\n1,b,0\n2,a,1\n3,b,0\n');
    await expect(
      withTestDb((db) => analyzeExperiment(db, params({ file, unit: 'u', variant: 'v', metric: ['m'] }))),
    ).rejects.toThrow(/unit '1' is on more than one row/);
  });

  it('a sample ratio mismatch warns loudly and blocks ship', async () => {
    const file = join(dir, 'srm.csv');
    const rows = ['u,v,m'];
    for (let i = 0; i < 1000; i++) rows.push(`a${i},a,${i % 10 === 0 ? 1 : 0}`);
    for (let i = 0; i < 1200; i++) rows.push(`b${i},b,${i % 2 === 0 ? 1 : 0}`);
    writeFileSync(file, `${rows.join('\n')}\n`);
    const r = await withTestDb((db) =>
      analyzeExperiment(db, params({ file, unit: 'u', variant: 'v', metric: ['m'] })),
    );
    // χ² = 2·100²/1100 = 18.18, p = 2.0e-5; the lift (10 % → 50 %) would otherwise ship
    expect(r.srm.mismatch).toBe(true);
    expect(r.metrics[0]!.kind).toBe('proportion');
    expect(r.recommendations[0]!.decision).toBe('investigate');
    expect(r.warnings[0]).toMatch(/^SAMPLE RATIO MISMATCH/);
  });
});

const COOKIE = new URL('../../../shared/data/cookie-cats/cookie_cats.csv', import.meta.url).pathname;

describe.skipIf(!existsSync(COOKIE))('Cookie Cats (../shared/data/cookie-cats; skipped when absent)', () => {
  // Published figures (DataCamp / Kaggle "Mobile Games A/B Testing with Cookie Cats", issue 21):
  // 1-day retention 44.8188 % vs 44.2283 % (p = 0.0744), 7-day 19.0201 % vs 18.2000 % (p = 0.00155),
  // SRM p = 0.0086; one player with 49,854 rounds.
  it('reproduces retention, p-values and SRM; reports and winsorises the outlier', async () => {
    const r = await withTestDb((db) =>
      analyzeExperiment(
        db,
        AnalyzeParams.parse({
          file: COOKIE,
          unit: 'userid',
          variant: 'version',
          metric: ['retention_1', 'retention_7', 'sum_gamerounds'],
          winsorize: 0.99,
        }),
      ),
    );
    expect(r.control).toBe('gate_30');
    expect(r.srm.p).toBeCloseTo(0.0086, 4);
    expect(r.srm.mismatch).toBe(false);
    expect(r.warnings).toEqual([]);
    const [d1, d7, rounds] = r.metrics;
    expect(100 * d1!.arms[0]!.value).toBeCloseTo(44.8188, 2);
    expect(100 * d1!.arms[1]!.value).toBeCloseTo(44.2283, 2);
    expect(Math.abs(d1!.treatments[0]!.p - 0.0744)).toBeLessThan(0.0005);
    expect(100 * d7!.arms[0]!.value).toBeCloseTo(19.0201, 2);
    expect(100 * d7!.arms[1]!.value).toBeCloseTo(18.2, 2);
    expect(Math.abs(d7!.treatments[0]!.p - 0.00155)).toBeLessThan(0.0005);
    expect(rounds!.outliers!.top[0]).toMatchObject({ variant: 'gate_30', value: 49854 });
    expect(rounds!.outliers!.extreme).toBeGreaterThanOrEqual(1);
    const w = rounds!.winsorized!;
    expect(w.cap).toBeLessThan(1000);
    // the cap removes the outlier's pull: gate_30's mean falls by more than 1 round (49,854/44,700 ≈ 1.1)
    expect(rounds!.arms[0]!.value - w.arms[0]!.value).toBeGreaterThan(1);
  });
});
