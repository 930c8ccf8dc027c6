import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importFile } from '../ingest/index.js';
import { withTestDb } from '../store/index.js';
import { CompareSegmentsParams, compareSegments } from './compare.js';
import { DiscoverParams, discoverPersonas } from './discover.js';

/** Real public data nobody here wrote (IBM telco customer churn, 7,043 customers, attributes only). */
const DATA = process.env.TOUCHPOINT_DATA ?? join(import.meta.dirname, '../../../shared/data');
const TELCO = join(DATA, 'telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv');
if (!existsSync(TELCO)) console.warn(`skipping the telco personas-vs-segments test: ${TELCO} is absent`);

describe.skipIf(!existsSync(TELCO))('personas vs segments on real data: telco-churn', () => {
  it('states how much of the churn personas and the contract (plan) explain, with intervals', async () => {
    await withTestDb(async (db) => {
      const map = { id: 'customerID', churned: 'Churn', monthly_value: 'MonthlyCharges', plan: 'Contract' };
      await importFile(db, 'customers', { file: TELCO, map, na: [' '] });
      await discoverPersonas(db, DiscoverParams.parse({ kMin: 2, kMax: 8, bootstraps: 0 }));
      const r = await compareSegments(db, CompareSegmentsParams.parse({ by: 'plan', bootstraps: 200 }));
      const churn = r.explained.find((e) => e.outcome === 'churn')!;
      const f = (e: { value: number; lo: number; hi: number }) =>
        `${e.value.toFixed(3)} [${e.lo.toFixed(3)}, ${e.hi.toFixed(3)}]`;
      console.log(
        `telco churn η²: personas ${f(churn.personas)} (${churn.personas.groups} groups), contract ${f(churn.segments)} (${churn.segments.groups} groups), difference ${f(churn.difference)}, n=${churn.n}`,
      );
      for (const p of r.spread)
        console.log(
          `  ${p.personaId} ${p.name}: ${p.segments.map((s) => `${s.segment} ${(100 * s.share).toFixed(0)}%`).join(', ')}`,
        );
      expect(churn.n).toBe(7043);
      expect(r.segments).toEqual(['Month-to-month', 'One year', 'Two year']);
      // both groupings carry churn (each η² far above its no-effect floor), with ordered intervals
      for (const g of [churn.personas, churn.segments]) {
        expect(g.lo).toBeGreaterThan(10 * g.floor);
        expect(g.lo).toBeLessThanOrEqual(g.value);
        expect(g.value).toBeLessThanOrEqual(g.hi);
      }
      // no NPS and no cases in this data: nothing to explain, said with n = 0
      expect(r.explained.find((e) => e.outcome === 'nps')!.n).toBe(0);
    });
  }, 600_000);
});
