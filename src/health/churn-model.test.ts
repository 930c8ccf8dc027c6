import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importFile } from '../ingest/index.js';
import { join as joinSql, type SqlFragment, type Store, sql, withTestDb } from '../store/index.js';
import { churnModel, churnModelOperation } from './churn-model.js';

/** 400 customers: churn more likely on the monthly plan and with few logins (a deterministic pattern plus noise). */
async function crmExport(db: Store, leak = false) {
  const rows: SqlFragment[] = [];
  let seed = 11;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < 400; i++) {
    const monthly = i % 2 === 0;
    const logins = Math.floor(rand() * 20);
    const p = 1 / (1 + Math.exp(-(-1 + (monthly ? 1.5 : 0) - 0.1 * logins)));
    const churn = rand() < p ? 'Yes' : 'No';
    const attrs: Record<string, unknown> = { Churn: churn, logins: i % 17 === 0 ? null : logins };
    if (leak) attrs.cancel_reason = churn === 'Yes' ? 'price' : 'none';
    rows.push(sql`(${`k${i}`}, ${monthly ? 'monthly' : 'annual'}, ${JSON.stringify(attrs)})`);
  }
  await db.exec(sql`INSERT INTO customers (id, plan, attributes) VALUES ${joinSql(rows)}`);
}

describe('health churn-model', () => {
  it('learns plan and logins from a CRM export; reasons sum to each customer’s log-odds', async () => {
    await withTestDb(async (db) => {
      await crmExport(db);
      const r = await churnModel(db, { label: 'Churn', cv: 5, top: 5 });
      expect(r.rows).toBe(400);
      expect(r.features.map((f) => `${f.name}:${f.kind}`).sort()).toEqual([
        'logins:numeric',
        'plan:categorical',
      ]);
      const lr = r.models[0];
      expect(lr?.model).toBe('logistic');
      expect(lr?.auc.value).toBeGreaterThan(0.65);
      expect(lr?.auc.low).toBeLessThan(lr?.auc.value ?? 0);
      // logins is sometimes missing: a missing indicator column beside the mean-imputed value
      expect(r.coefficients.map((c) => c.column)).toEqual(['plan=monthly', 'logins', 'logins (missing)']);
      expect(r.coefficients[0]?.coefficient).toBeGreaterThan(0);
      expect(r.coefficients[1]?.coefficient).toBeLessThan(0);
      for (const c of r.atRisk) {
        const logOdds = c.baseline + c.reasons.reduce((s, x) => s + x.contribution, 0);
        expect(1 / (1 + Math.exp(-logOdds))).toBeCloseTo(c.risk, 12);
      }
      expect(r.baselines.at(-1)?.name).toMatch(/points score/);
      expect(r.references).toEqual([]);
    });
  });

  it('refuses a feature that is the outcome in disguise (leakage), and runs once it is excluded', async () => {
    await withTestDb(async (db) => {
      await crmExport(db, true);
      await expect(churnModel(db, { label: 'Churn' })).rejects.toThrow(
        /feature "cancel_reason" alone ranks churners with AUC 1\.000 .*--exclude cancel_reason/,
      );
      const r = await churnModel(db, { label: 'Churn', exclude: ['cancel_reason'] });
      expect(r.features.map((f) => f.name)).not.toContain('cancel_reason');
    });
  });

  it('refuses an unknown label naming the fields it knows', async () => {
    await withTestDb(async (db) => {
      await crmExport(db);
      await expect(churnModel(db, { label: 'Attrition' })).rejects.toThrow(
        /label: no column or attribute named "Attrition"; use churned, churned_at or one of: Churn, logins/,
      );
    });
  });
});

const DATA = process.env.TOUCHPOINT_DATA ?? join(import.meta.dirname, '../../../shared/data');
const TELCO = join(DATA, 'telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv');
if (!existsSync(TELCO)) console.warn(`skipping the telco churn-model reference: ${TELCO} is absent`);

describe.skipIf(!existsSync(TELCO))('health churn-model on telco-churn (issue 20 references)', () => {
  it('5-fold AUC ≥ 0.845 beside the published figures and baselines', { timeout: 900_000 }, async () => {
    await withTestDb(async (db) => {
      await importFile(db, 'customers', {
        file: TELCO,
        map: { id: 'customerID', churned: 'Churn', monthly_value: 'MonthlyCharges', plan: 'Contract' },
        na: [' '],
      });
      const r = await churnModelOperation.run(
        db,
        churnModelOperation.params.parse({ label: 'churned', cv: 5 }),
        {},
      );
      const [lr, binned] = r.models;
      console.log(
        `telco 5-fold: LR AUC ${lr?.auc.value.toFixed(4)} [${lr?.auc.low.toFixed(4)}, ${lr?.auc.high.toFixed(4)}], ` +
          `top-decile precision ${lr?.topDecile.precision.value.toFixed(3)}; binned+interactions AUC ${binned?.auc.value.toFixed(4)}; ` +
          `baselines ${r.baselines.map((b) => `${b.name} ${b.auc.value.toFixed(3)}`).join('; ')}`,
      );
      expect(r.rows).toBe(7043);
      expect(r.positives).toBe(1869);
      expect(lr?.auc.value).toBeGreaterThanOrEqual(0.845);
      expect(binned?.auc.value).toBeGreaterThanOrEqual(0.845);
      // top-decile precision: reference 0.76; its Wilson interval must hold it
      expect(lr?.topDecile.precision.low).toBeLessThan(0.76);
      expect(lr?.topDecile.precision.high).toBeGreaterThan(0.76);
      const base = (name: string) => r.baselines.find((b) => b.name === name)?.auc.value ?? 0;
      expect(base('tenure alone')).toBeCloseTo(0.74, 2); // reference 0.740
      expect(Math.abs(base('plan alone') - 0.739)).toBeLessThan(0.01); // contract alone: reference 0.739
      expect(r.references.map((x) => x.value)).toEqual([0.845, 0.76, 0.739, 0.74, 0.782]);
      expect(lr?.brier).toBeLessThan(0.15);
    });
  });
});
