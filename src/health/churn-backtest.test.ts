import { describe, expect, it } from 'vitest';
import { openDemoCopy } from '../demo/test-fixture.js';
import { sql, withTestDb } from '../store/index.js';
import { churnBacktest } from './churn-backtest.js';
import { fixture } from './fixtures.test-helpers.js';
import { DEFAULT_FEATURES, datasetAt, type FeatureDefinition } from './time-split.js';

/** A planted leak: support cases opened in the 30 days AFTER the cut-off (what an export "as of today" holds). */
const CASES_NEXT_30D: FeatureDefinition = {
  name: 'cases_next_30d',
  kind: 'numeric',
  query: (t) => sql`
    SELECT customer_id, count(*)::DOUBLE AS value, max(opened_at) AS observed_at FROM cases
    WHERE opened_at >= ${t} AND opened_at < ${new Date(t.getTime() + 30 * 86_400_000)} GROUP BY customer_id`,
};

describe('time split: features as known at the cut-off', () => {
  it('builds the population, label and features at T from rows before T only', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      await db.exec(sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint) VALUES
        ('e1', 'c5', '2026-01-05', 'web', 'home'), ('e2', 'c5', '2026-01-20', 'web', 'cart'),
        ('e3', 'c5', '2026-02-01', 'web', 'home')`);
      const d = await datasetAt(db, new Date('2026-01-15T00:00:00Z'), 30);
      // here at T: c1 churned before T (gone); c2 (churns 01-21, in the horizon) and c5 (churns 02-10: 26 days)
      expect(d.ids).toEqual(['c2', 'c5']);
      expect([...d.y]).toEqual([1, 1]);
      const c5 = d.records[1];
      expect(c5?.get('events_30d')).toBe(1); // e2 and e3 are after T
      expect(c5?.get('tenure_days')).toBe(14);
      expect(d.records[0]?.get('events_30d')).toBe(0); // no activity: 0, not missing
      expect(d.records[0]?.get('days_since_last_event')).toBeUndefined(); // never active: missing
    });
  });

  it('refuses a feature computed after the label date (planted leak)', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      await db.exec(sql`INSERT INTO cases (id, customer_id, opened_at) VALUES ('k1', 'c5', '2026-01-25')`);
      const t = new Date('2026-01-15T00:00:00Z');
      await expect(datasetAt(db, t, 30, [...DEFAULT_FEATURES, CASES_NEXT_30D])).rejects.toThrow(
        'feature "cases_next_30d" uses data from 2026-01-25T00:00:00.000Z, at or after the cut-off 2026-01-15T00:00:00.000Z',
      );
      await expect(datasetAt(db, t, 30)).resolves.toMatchObject({ ids: ['c2', 'c5'] });
    });
  });
});

describe('churn backtest on the demo company', () => {
  it('prints the time-based holdout AUC; above 0.95 fails as suspected leakage', {
    timeout: 900_000,
  }, async () => {
    const db = await openDemoCopy();
    try {
      const r = await churnBacktest(db, { horizon: 60 });
      const [lr, binned] = r.models;
      console.log(
        `demo time-based holdout (train ${r.trainCutoff}, test ${r.testCutoff}, ${r.horizonDays}-day horizon; ` +
          `${r.test.customers} customers, ${r.test.churned} churned): LR AUC ${lr?.auc.value.toFixed(3)} ` +
          `[${lr?.auc.low.toFixed(3)}, ${lr?.auc.high.toFixed(3)}], binned + interactions AUC ${binned?.auc.value.toFixed(3)} ` +
          `[${binned?.auc.low.toFixed(3)}, ${binned?.auc.high.toFixed(3)}] (goal ≥ 0.75)`,
      );
      for (const m of r.models) {
        expect(m.auc.value).toBeLessThanOrEqual(0.95);
        // the demo's churn is only partly visible in events (docs/health.md): it learns something
        expect(m.auc.low).toBeGreaterThan(0.6);
      }
      await expect(churnBacktest(db, { horizon: 60 }, [...DEFAULT_FEATURES, CASES_NEXT_30D])).rejects.toThrow(
        /feature "cases_next_30d" uses data from .* at or after the cut-off/,
      );
    } finally {
      await db.close();
    }
  });
});
