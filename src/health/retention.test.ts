import { describe, expect, it } from 'vitest';
import { withTestDb } from '../store/index.js';
import { AS_OF, fixture } from './fixtures.test-helpers.js';
import { getRetention } from './retention.js';

describe('health retention', () => {
  it('cohort retention by signup month, only customers observable that long, by hand', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await getRetention(db, { months: 2, asOf: AS_OF });
      const view = r.cohorts.map((c) => [
        c.cohort,
        c.customers,
        c.retained.map((x) => (x ? `${x.k}/${x.n}` : null)),
      ]);
      expect(view).toEqual([
        ['2026-01', 3, ['1/3', '0/3']], // c1 (10 d), c2 (20 d) churn in month 1; c5 (40 d) in month 2
        ['2026-05', 1, ['1/1', '1/1']], // c6 is 61 days old: observable for 2 × 30.4375 days
        ['2026-06', 3, [null, null]], // nobody observable for a month yet
      ]);
    });
  });
});
