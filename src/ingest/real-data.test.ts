import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { type DryRunReport, importFile } from './import-file.js';
import type { ImportReport } from './import-records.js';

/** Real public datasets (see /work/shared/README.md); never copied into the repository. */
const DATA = process.env.TOUCHPOINT_DATA ?? join(import.meta.dirname, '../../../shared/data');
const TELCO = join(DATA, 'telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv');
const COOKIE = join(DATA, 'cookie-cats/cookie_cats.csv');
for (const f of [TELCO, COOKIE])
  if (!existsSync(f)) console.warn(`skipping a real-data import test: ${f} is absent`);

describe.skipIf(!existsSync(TELCO))('real data: telco-churn → customers (docs/import.md)', () => {
  it('imports all 7,043 customers with typed attributes and the churn label; TotalCharges " " is missing', async () => {
    await withTestDb(async (db) => {
      const map = { id: 'customerID', churned: 'Churn', monthly_value: 'MonthlyCharges', plan: 'Contract' };
      // without the lone-space marker the column is not numeric: the dry run says so
      const dry = (await importFile(db, 'customers', { file: TELCO, map, dryRun: true })) as DryRunReport;
      expect(dry.columns.find((c) => c.column === 'TotalCharges')).toMatchObject({
        type: 'string',
        field: 'attributes',
      });
      const r = (await importFile(db, 'customers', { file: TELCO, map, na: [' '] })) as ImportReport;
      expect(r).toMatchObject({ rowsRead: 7043, rowsStored: 7043, rowsSkipped: 0 });
      const s = await db.one(sql`SELECT count(*) AS n,
          count(*) FILTER (WHERE churned) AS churned,
          count(*) FILTER (WHERE attributes->>'TotalCharges' IS NULL) AS total_missing,
          count(*) FILTER (WHERE json_type(attributes->'TotalCharges') = 'DOUBLE') AS total_numeric,
          count(*) FILTER (WHERE json_type(attributes->'tenure') IN ('BIGINT', 'UBIGINT')) AS tenure_integer,
          count(*) FILTER (WHERE plan = 'Month-to-month') AS monthly
        FROM customers`);
      expect(s).toEqual({
        n: 7043,
        churned: 1869,
        total_missing: 11,
        total_numeric: 7032,
        tenure_integer: 7043,
        monthly: 3875,
      });
      const blank = await db.all(
        sql`SELECT DISTINCT CAST(attributes->>'tenure' AS INTEGER) AS tenure FROM customers WHERE attributes->>'TotalCharges' IS NULL`,
      );
      expect(blank).toEqual([{ tenure: 0 }]);
      const again = (await importFile(db, 'customers', { file: TELCO, map, na: [' '] })) as ImportReport;
      expect(again).toMatchObject({ rowsStored: 0, rowsUpdated: 0, duplicates: 7043 });
    });
  });
});

describe.skipIf(!existsSync(COOKIE))('real data: cookie-cats → customers (docs/import.md)', () => {
  it('imports all 90,189 players with version, rounds and retention flags typed', async () => {
    await withTestDb(async (db) => {
      const r = (await importFile(db, 'customers', {
        file: COOKIE,
        map: { id: 'userid', segment: 'version' },
      })) as ImportReport;
      expect(r).toMatchObject({ rowsRead: 90189, rowsStored: 90189 });
      const s = await db.one(sql`SELECT count(*) AS n,
          count(*) FILTER (WHERE segment = 'gate_30') AS gate_30,
          max(CAST(attributes->>'sum_gamerounds' AS BIGINT)) AS max_rounds,
          count(*) FILTER (WHERE json_type(attributes->'retention_1') = 'BOOLEAN') AS typed_flags,
          round(avg(CASE WHEN segment = 'gate_30' THEN CAST(attributes->>'retention_1' AS BOOLEAN)::INT END) * 100, 2) AS r1_gate30
        FROM customers`);
      // published: 44.82% 1-day retention in gate_30; the 49,854-round outlier
      expect(s).toEqual({
        n: 90189,
        gate_30: 44700,
        max_rounds: 49854,
        typed_flags: 90189,
        r1_gate30: 44.82,
      });
    });
  });
});
