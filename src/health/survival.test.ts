import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importFile } from '../ingest/index.js';
import { withTestDb } from '../store/index.js';
import { AS_OF, fixture } from './fixtures.test-helpers.js';
import { getSurvival } from './survival.js';

describe('health survival', () => {
  it('Kaplan–Meier per segment, censoring at as-of, and the log-rank test, by hand', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getSurvival(db, { by: 'segment', unit: 'day', at: [15, 45, 100], asOf: AS_OF });
      const a = r.groups.find((g) => g.group === 'A');
      const b = r.groups.find((g) => g.group === 'B');
      // A: t=10 n=4 d=1 c=1 → 3/4; t=20 n=2 d=1 c=1 → 3/8
      expect(a?.curve.map((p) => [p.time, p.atRisk, p.deaths, p.censored, p.survival])).toEqual([
        [10, 4, 1, 1, 0.75],
        [20, 2, 1, 1, 0.375],
      ]);
      expect(a?.median.value).toBe(20);
      // B: t=30 c7 censored (its churn is after as-of); t=40 n=2 d=1 → 1/2; t=61 censored
      expect(b?.curve.map((p) => [p.time, p.atRisk, p.deaths, p.censored, p.survival])).toEqual([
        [30, 3, 0, 1, 1],
        [40, 2, 1, 0, 0.5],
        [61, 1, 0, 1, 0.5],
      ]);
      expect(b?.at.map((x) => x.survival)).toEqual([1, 0.5, null]);
      expect(b?.median.value).toBe(40);
      // log-rank: E_A = 4/7 + 2/5 = 34/35, V = 12/49 + 6/25 = 594/1225, O_A = 2 → χ² = 1296/594
      expect(r.logRank?.groups.find((g) => g.group === 'A')?.expected).toBeCloseTo(34 / 35, 12);
      expect(r.logRank?.chiSquare).toBeCloseTo(1296 / 594, 10);
      expect(r.logRank?.df).toBe(1);
    });
  });

  it('groups by an attribute, missing as its own group', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getSurvival(db, { by: 'attribute:tier', unit: 'day', asOf: AS_OF });
      expect(r.groups.map((g) => [g.group, g.n])).toEqual([
        ['x', 4],
        ['y', 2],
        ['(missing)', 1],
      ]);
    });
  });

  it('refuses an unknown grouping with one line naming the field', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      await expect(getSurvival(db, { by: 'colour' })).rejects.toThrow(/by: "colour" is not one of/);
    });
  });
});

const DATA = process.env.TOUCHPOINT_DATA ?? join(import.meta.dirname, '../../../shared/data');
const TELCO = join(DATA, 'telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv');
if (!existsSync(TELCO)) console.warn(`skipping the telco survival reference: ${TELCO} is absent`);

describe.skipIf(!existsSync(TELCO))('health survival on telco-churn (issue 20 reference)', () => {
  it('tenure in months as time, Churn = Yes as event: S(12) = 0.8432, S(72) = 0.5928', async () => {
    await withTestDb(async (db) => {
      await importFile(db, 'customers', {
        file: TELCO,
        map: { id: 'customerID', churned: 'Churn', monthly_value: 'MonthlyCharges', plan: 'Contract' },
        na: [' '],
      });
      const r = await getSurvival(db, { time: 'tenure', at: [12, 72] });
      expect(r.groups).toHaveLength(1);
      expect(r.groups[0]?.n).toBe(7043);
      expect(r.groups[0]?.events).toBe(1869);
      expect(r.groups[0]?.at.map((x) => Number(x.survival?.toFixed(4)))).toEqual([0.8432, 0.5928]);
      const byPlan = await getSurvival(db, { time: 'tenure', by: 'plan', at: [12] });
      expect(byPlan.groups.map((g) => g.group).sort()).toEqual(['Month-to-month', 'One year', 'Two year']);
      expect(byPlan.logRank?.p).toBeLessThan(1e-10);
    });
  });
});
