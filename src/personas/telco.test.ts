import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importFile } from '../ingest/index.js';
import { sql, withTestDb } from '../store/index.js';
import { getPersonaCard } from './cards.js';
import { DiscoverParams, discoverPersonas } from './discover.js';

/** Real public data nobody here wrote (IBM telco customer churn, 7,043 customers, attributes only). */
const DATA = process.env.TOUCHPOINT_DATA ?? join(import.meta.dirname, '../../../shared/data');
const TELCO = join(DATA, 'telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv');
if (!existsSync(TELCO)) console.warn(`skipping the telco personas test: ${TELCO} is absent`);

describe.skipIf(!existsSync(TELCO))('personas on real data: telco-churn (attributes only)', () => {
  it('finds personas from attributes, the no-internet group every time, and churn that differs', async () => {
    await withTestDb(async (db) => {
      // Churn is mapped to `churned`, so it is an outcome the cards compare, never a clustering input
      const map = { id: 'customerID', churned: 'Churn', monthly_value: 'MonthlyCharges', plan: 'Contract' };
      await importFile(db, 'customers', { file: TELCO, map, na: [' '] });
      const r = await discoverPersonas(db, DiscoverParams.parse({ kMin: 2, kMax: 8, bootstraps: 10 }));
      const cards = await Promise.all(r.personas.map((p) => getPersonaCard(db, { id: p.id })));
      console.log(
        `telco: k=${r.k}, silhouette ${r.silhouette.map((s) => `${s.k}:${s.silhouette.toFixed(3)}`).join(' ')}, bootstrap ARI ${r.stabilityAri?.toFixed(3)}`,
      );
      for (const c of cards)
        console.log(
          `  ${c.id} ${c.name}: n=${c.size}, Jaccard ${c.jaccard?.toFixed(3)}, churn ${(100 * c.churn.value).toFixed(1)}% [${(100 * c.churn.low).toFixed(1)}, ${(100 * c.churn.high).toFixed(1)}] — ${c.description}`,
        );
      expect(r.mode).toBe('attributes');
      expect(r.customers).toBe(7043);
      // reference packages' silhouette picks 2–3 here (issue 19)
      expect(r.k).toBeGreaterThanOrEqual(2);
      expect(r.k).toBeLessThanOrEqual(3);
      expect(r.silhouette.reduce((a, b) => (b.silhouette > a.silhouette ? b : a)).k).toBe(r.k);
      // the 1,526 customers without internet service form a persona of their own, stable under bootstrap
      const noNet = await db.all<{ persona_id: string; n: number }>(sql`SELECT persona_id, count(*) AS n
        FROM customer_personas cp JOIN customers c ON c.id = cp.customer_id
        WHERE c.attributes->>'InternetService' = 'No' GROUP BY persona_id ORDER BY n DESC`);
      const home = r.personas.find((p) => p.id === noNet[0]!.persona_id)!;
      const inter = noNet[0]!.n;
      expect(inter / (home.size + 1526 - inter)).toBeGreaterThanOrEqual(0.9);
      expect(home.jaccard).toBeGreaterThanOrEqual(0.9);
      expect(home.size).toBeGreaterThan(1400);
      expect(home.size).toBeLessThan(1700);
      // churn differs: the highest and lowest personas' 95% intervals do not overlap
      const byChurn = [...cards].sort((a, b) => a.churn.value - b.churn.value);
      expect(byChurn[0]!.churn.high).toBeLessThan(byChurn[byChurn.length - 1]!.churn.low);
    });
  }, 600_000);
});
