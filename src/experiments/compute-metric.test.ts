import { describe, expect, it } from 'vitest';
import { wilson } from '../stats/index.js';
import { type Store, withTestDb } from '../store/index.js';
import { computeMetric } from './compute-metric.js';
import { defineMetric, getMetric, listMetrics, metricVersions } from './metrics.js';
import { loadMetricFixture } from './test-fixture.js';

const Z = 1.959963984540054;
const window = { from: '2026-01-01', to: '2026-03-01', now: new Date('2026-03-01T00:00:00Z') };

async function value(db: Store, id: string, extra: object = {}) {
  return computeMetric(db, await getMetric(db, id), { ...window, ...extra });
}

describe('computeMetric over a hand-computed fixture', () => {
  it('computes every built-in metric with its interval and n', async () => {
    await withTestDb(async (db) => {
      await loadMetricFixture(db);
      // NPS: answers 10, 9, 3, 7, 0 → 2 promoters − 2 detractors of 5 = 0 points; units are customers
      // (the anonymous answer its own unit), y = +1/0/−1, s² = 4/4 = 1, half-width 100·z·√(1/5)
      const nps = await value(db, 'nps');
      expect(nps.overall.value).toBe(0);
      expect(nps.overall.n).toBe(5);
      expect(nps.overall.hi).toBeCloseTo((100 * Z) / Math.sqrt(5), 6); // 87.652
      expect(nps.overall.lo).toBeCloseTo((-100 * Z) / Math.sqrt(5), 6);
      // CSAT: satisfied (4–5) among c1 {5, 2}, c2 {4}, c3 {3} = 2/4
      expect((await value(db, 'csat')).overall.value).toBe(0.5);
      // CES: no answers → no value, never a zero
      expect((await value(db, 'ces')).overall).toMatchObject({ value: null, n: 0 });
      // handoffs per case: k1 1 handoff, k2 0, k3 0 (open) = 1/3; one case per customer, s² = 1/3
      const h = await value(db, 'handoffs_per_case');
      expect(h.overall.value).toBeCloseTo(1 / 3, 12);
      expect(h.overall.hi! - h.overall.value!).toBeCloseTo(Z * Math.sqrt(1 / 3 / 3), 9);
      expect(h.higherIsBetter).toBe(false);
      // FCR among closed cases: k2 yes, k1 no (transferred) = 1/2, Wilson
      const fcr = await value(db, 'fcr');
      const w = wilson(1, 2);
      expect(fcr.overall).toMatchObject({ value: 0.5, lo: w.low, hi: w.high, n: 2 });
      // contact rate: 3 cases over 4 active customers
      expect((await value(db, 'contact_rate')).overall).toMatchObject({ value: 0.75, n: 4, units: 4 });
      // follow-ups at 2026-03-01: u1 in time, u2 late, u3 open and overdue; u4 is 1 h old (not eligible)
      const fu = await value(db, 'followup_closure_48h');
      expect(fu.overall).toMatchObject({ value: 1 / 3, n: 3, lo: wilson(1, 3).low });
      // revenue per active customer: c1 100, c2 0, c3 50, c4 30 + 70 → 62.5; s² = 6875/3
      const rev = await value(db, 'revenue_per_customer');
      expect(rev.overall.value).toBe(62.5);
      expect(rev.overall.hi! - 62.5).toBeCloseTo(Z * Math.sqrt(6875 / 3 / 4), 9); // 46.913
      // 30-day retention (active 30–60 days after the first event): only c2 (01-10 → 02-20) = 1/4
      expect((await value(db, 'retention_30d')).overall).toMatchObject({ value: 0.25, n: 4 });
    });
  });

  it('defines conversion, mean (delta method) and quantile metrics and slices and groups them', async () => {
    await withTestDb(async (db) => {
      await loadMetricFixture(db);
      const conv = await defineMetric(db, {
        id: 'checkout_7d',
        name: 'Checkout within 7 days',
        definition: '{"type":"conversion","reach":{"touchpoint":"checkout"},"withinDays":7}',
      });
      // c1 (01-05 → 01-07) and c4 (02-03 → 02-04) convert; c2 never, c3 after 13 days
      const all = await computeMetric(db, conv, window);
      const w = wilson(2, 4);
      expect(all.overall).toMatchObject({ value: 0.5, lo: w.low, hi: w.high, n: 4 });
      // by month: January c1, c2, c3 → 1/3; February c4 and c2 (again active on 02-20) → 1/2
      const monthly = await computeMetric(db, conv, { ...window, groupBy: 'month' });
      expect(monthly.groups.map((g) => [g.group, g.value, g.n])).toEqual([
        ['2026-01', 1 / 3, 3],
        ['2026-02', 0.5, 2],
      ]);
      // mean order value: c1 {100}, c3 {50}, c4 {30, 70} → 250/4; delta-method variance over the 3
      // customers: (s²y − 2R·sxy + R²·s²x)/(n·x̄²) = (833.33 − 1041.67 + 1302.08)/(3·16/9) = 205.078125
      const mean = await defineMetric(db, {
        id: 'order_value',
        name: 'Order value',
        definition: { type: 'mean', property: 'value', on: { touchpoint: 'checkout' } },
      });
      const mv = await computeMetric(db, mean, window);
      expect(mv.overall).toMatchObject({ value: 62.5, n: 4, units: 3 });
      expect(mv.overall.hi! - 62.5).toBeCloseTo(Z * Math.sqrt(205.078125), 9);
      // P90 of delivery days 1…10 by order statistics: rank ⌈9⌉ = 9, ranks ⌊9 − 1.86⌋ = 7 … 10
      const q = await defineMetric(db, {
        id: 'p90_days',
        name: 'P90 delivery days',
        definition: { type: 'quantile', property: 'days', q: 0.9, on: { touchpoint: 'delivery' } },
        lowerIsBetter: true,
      });
      expect(q.higherIsBetter).toBe(false);
      expect((await computeMetric(db, q, window)).overall).toMatchObject({ value: 9, lo: 7, hi: 10, n: 10 });
      // CSAT at the delivery touchpoint: c1 {5, 2}, c2 {4} → 2/3 by the delta method (c1 answered twice):
      // s²x = 0.5, s²y = 0, sxy = 0 → Var = (4/9 · 0.5)/(2 · 2.25) = 0.0493827; the upper end capped at 1
      const csat = await computeMetric(db, await getMetric(db, 'csat'), {
        ...window,
        slice: { touchpoint: 'delivery' },
      });
      expect(csat.overall.value).toBeCloseTo(2 / 3, 12);
      expect(csat.overall.lo).toBeCloseTo(2 / 3 - Z * Math.sqrt(0.04938271604938271), 9);
      expect(csat.overall.hi).toBe(1);
      const bySegment = await computeMetric(db, await getMetric(db, 'csat'), {
        ...window,
        groupBy: 'segment',
      });
      expect(bySegment.groups.map((g) => [g.group, g.value, g.n])).toEqual([
        ['a', 2 / 3, 3],
        ['b', 0, 1],
      ]);
    });
  });

  it('versions user metrics, reserves built-in ids and names the wrong field', async () => {
    await withTestDb(async (db) => {
      await defineMetric(db, { id: 'm1', name: 'v1', definition: { type: 'score', kind: 'ces' } });
      await defineMetric(db, {
        id: 'm1',
        name: 'v2',
        definition: { type: 'score', kind: 'csat' },
        touchpoint: 'delivery',
      });
      const m = await getMetric(db, 'm1');
      expect([m.version, m.name, m.format, m.slice]).toEqual([
        2,
        'v2',
        'proportion',
        { touchpoint: 'delivery' },
      ]);
      expect((await getMetric(db, 'm1', 1)).definition).toEqual({ type: 'score', kind: 'ces' });
      expect((await metricVersions(db, 'm1')).map((v) => v.version)).toEqual([1, 2]);
      expect((await listMetrics(db)).filter((x) => x.id === 'm1')).toHaveLength(1);
      await expect(
        defineMetric(db, { id: 'nps', name: 'x', definition: { type: 'score', kind: 'nps' } }),
      ).rejects.toThrow(/nps is a built-in metric/);
      await expect(
        defineMetric(db, {
          id: 'bad',
          name: 'x',
          definition: '{"type":"conversion","reach":{},"withinDays":7}',
        }),
      ).rejects.toThrow(/^definition\.reach: name a touchpoint or an event/);
      await expect(defineMetric(db, { id: 'bad', name: 'x', definition: '{oops' })).rejects.toThrow(
        /definition: not JSON/,
      );
      await expect(getMetric(db, 'nope')).rejects.toThrow(/no metric "nope" \(known: nps, csat/);
      await expect(
        computeMetric(db, await getMetric(db, 'handoffs_per_case'), { slice: { touchpoint: 'x' } }),
      ).rejects.toThrow(/cases have no touchpoint/);
      await expect(
        computeMetric(db, await getMetric(db, 'nps'), { slice: { persona: 'p1' } }),
      ).rejects.toThrow(/no personas yet/);
    });
  });
});
