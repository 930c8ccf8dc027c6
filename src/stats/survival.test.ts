import { describe, expect, it } from 'vitest';
import { kaplanMeier, logRank, survivalAt, survivalRows } from './survival.js';

/**
 * Freireich et al. (1963) 6-MP leukaemia trial, remission times in weeks (censored marked false), as
 * printed in Kleinbaum & Klein, "Survival Analysis: A Self-Learning Text" (3rd ed.), ch. 2, and
 * Collett, "Modelling Survival Data in Medical Research", ex. 1.2. It has ties (three deaths at 6)
 * and a death and a censoring at the same time (6, 10).
 */
const SIX_MP: [number, boolean][] = [
  [6, true],
  [6, true],
  [6, true],
  [6, false],
  [7, true],
  [9, false],
  [10, true],
  [10, false],
  [11, false],
  [13, true],
  [16, true],
  [17, false],
  [19, false],
  [20, false],
  [22, true],
  [23, true],
  [25, false],
  [32, false],
  [32, false],
  [34, false],
  [35, false],
];
const PLACEBO = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23];

const rows = (pairs: [number, boolean][]) => survivalRows(pairs.map(([time, event]) => ({ time, event })));

describe('kaplanMeier', () => {
  it('reproduces the published 6-MP curve, Greenwood SEs and log-log bands', () => {
    const km = kaplanMeier(rows(SIX_MP));
    expect(km.n).toBe(21);
    expect(km.events).toBe(9);
    // Kleinbaum & Klein ch. 2 (KM column) and R: summary(survfit(Surv(time, status) ~ 1, conf.type = "log-log"))
    const published = [
      // time, n.risk, n.event, survival, std.err, lower, upper
      [6, 21, 3, 0.857, 0.0764, 0.62, 0.952],
      [7, 17, 1, 0.807, 0.0869, 0.563, 0.923],
      [10, 15, 1, 0.753, 0.0963, 0.503, 0.889],
      [13, 12, 1, 0.69, 0.1068, 0.432, 0.849],
      [16, 11, 1, 0.627, 0.1141, 0.368, 0.805],
      [22, 7, 1, 0.538, 0.1282, 0.268, 0.747],
      [23, 6, 1, 0.448, 0.1346, 0.188, 0.68],
    ] as const;
    const withDeaths = km.points.filter((p) => p.deaths > 0);
    expect(withDeaths.map((p) => p.time)).toEqual(published.map((r) => r[0]));
    for (const [i, [, atRisk, deaths, s, se, low, high]] of published.entries()) {
      const p = withDeaths[i];
      expect(p?.atRisk).toBe(atRisk);
      expect(p?.deaths).toBe(deaths);
      expect(p?.survival).toBeCloseTo(s, 3);
      expect(p?.se).toBeCloseTo(se, 4);
      expect(p?.low).toBeCloseTo(low, 3);
      expect(p?.high).toBeCloseTo(high, 3);
    }
    // hand: Ŝ(6) = 18/21; Ŝ(7) = 18/21 · 16/17; Greenwood at 6: Ŝ² · 3/(21·18)
    expect(withDeaths[0]?.survival).toBeCloseTo(18 / 21, 12);
    expect(withDeaths[1]?.survival).toBeCloseTo((18 / 21) * (16 / 17), 12);
    expect(withDeaths[0]?.se).toBeCloseTo((18 / 21) * Math.sqrt(3 / (21 * 18)), 12);
    // median 23 weeks (first Ŝ ≤ 0.5); interval from the band in the table above: the lower band
    // first reaches 0.5 at 13 (0.432), the upper band never falls below 0.5 → (13, NA). (R's default
    // "log" band gives (16, NA): its lower limit at 13 is 0.509.)
    expect(km.median).toEqual({ value: 23, low: 13, high: null });
  });

  it('reads the curve between steps and before the first one', () => {
    const km = kaplanMeier(rows(SIX_MP));
    expect(survivalAt(km, 5)).toBeNull();
    expect(survivalAt(km, 12)?.survival).toBeCloseTo(0.753, 3);
    expect(survivalAt(km, 100)?.survival).toBeCloseTo(0.448, 3);
  });

  it.each([
    ['empty', [] as [number, boolean][], { n: 0, events: 0, points: 0 }],
    ['only censored', [[3, false]] as [number, boolean][], { n: 1, events: 0, points: 1 }],
    ['one death', [[3, true]] as [number, boolean][], { n: 1, events: 1, points: 1 }],
  ])('edge case: %s', (_, pairs, want) => {
    const km = kaplanMeier(rows(pairs));
    expect({ n: km.n, events: km.events, points: km.points.length }).toEqual(want);
    for (const p of km.points) expect(p.low <= p.survival && p.survival <= p.high).toBe(true);
  });

  it('refuses a non-finite time', () => {
    expect(() => survivalRows([{ time: Number.NaN, event: true }])).toThrow(/finite/);
  });
});

describe('logRank', () => {
  it('reproduces the published 6-MP vs placebo test (χ² = 16.79, 1 df)', () => {
    const r = logRank([
      { group: '6-MP', rows: rows(SIX_MP) },
      { group: 'placebo', rows: rows(PLACEBO.map((t) => [t, true])) },
    ]);
    // Kleinbaum & Klein ch. 2: O₁ = 9, E₁ = 19.25, O₂ = 21, E₂ = 10.75, log-rank χ² = 16.79
    // (R survdiff: Chisq = 16.8 on 1 df, p = 4.17e-05)
    expect(r.groups[0]).toMatchObject({ group: '6-MP', observed: 9 });
    expect(r.groups[0]?.expected).toBeCloseTo(19.25, 2);
    expect(r.groups[1]?.observed).toBe(21);
    expect(r.groups[1]?.expected).toBeCloseTo(10.75, 2);
    expect(r.chiSquare).toBeCloseTo(16.79, 2);
    expect(r.df).toBe(1);
    expect(r.p).toBeCloseTo(4.17e-5, 6);
  });

  it('three groups: identical groups give χ² = 0 on 2 df', () => {
    const g = rows(SIX_MP);
    const r = logRank([
      { group: 'a', rows: g },
      { group: 'b', rows: g },
      { group: 'c', rows: g },
    ]);
    expect(r.df).toBe(2);
    expect(r.chiSquare).toBeCloseTo(0, 10);
    expect(r.p).toBeCloseTo(1, 10);
  });
});
