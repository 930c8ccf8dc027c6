import { type Store, sql } from '../store/index.js';
import type { Descriptor } from './describe.js';
import type { Column } from './model.js';

/**
 * The attributes mode (docs/personas.md, "Customers with attributes only"): for a workspace whose
 * customers carry attributes but no events (a CRM extract, the telco churn table), personas are
 * found on what is known of each customer: `monthly_value`, `plan`, `segment`, `region` and every key
 * of `attributes`. A numeric key is a numeric column (log1p when it is non-negative and skewed, skewness
 * > 1); a text or boolean key with 2–MAX_LEVELS levels is one indicator per level; other keys (ids,
 * free text) are left out and named in the run's notes. Churn is never an input: it is what the
 * cards compare.
 */
export const MAX_LEVELS = 12;

export interface AttributeSpace {
  readonly ids: string[];
  readonly columns: Column[];
  readonly raw: (number | null)[][];
  readonly descriptors: Descriptor[];
  readonly skipped: string[];
}

type Value = string | number | boolean | null;

export async function attributeSpace(db: Store): Promise<AttributeSpace> {
  const rows = await db.all<{
    id: string;
    monthly_value: number | null;
    plan: string | null;
    segment: string | null;
    region: string | null;
    attributes: string | null;
  }>(sql`SELECT id, monthly_value, plan, segment, region, CAST(attributes AS VARCHAR) AS attributes
    FROM customers ORDER BY id`);
  const records: Record<string, Value>[] = rows.map((r) => {
    const attrs = r.attributes ? (JSON.parse(r.attributes) as Record<string, unknown>) : {};
    const rec: Record<string, Value> = {
      monthly_value: r.monthly_value,
      plan: r.plan,
      segment: r.segment,
      region: r.region,
    };
    for (const [k, v] of Object.entries(attrs)) {
      if (k in rec) continue;
      rec[k] = typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : null;
    }
    return rec;
  });
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))].sort();
  const columns: Column[] = [];
  const getters: ((r: Record<string, Value>) => number | null)[] = [];
  const descriptors: Descriptor[] = [];
  const skipped: string[] = [];
  for (const key of keys) {
    const values = records.map((r) => r[key] ?? null).filter((v) => v !== null);
    if (values.length === 0) continue;
    // a number that only takes 0 and 1 is a flag (SeniorCitizen): a category, not a quantity — as a
    // standardised number a rare flag would sit 2–3 sd from the rest and dominate the distances
    const flag = values.every((v) => v === 0 || v === 1);
    if (!flag && values.every((v) => typeof v === 'number')) {
      const xs = values as number[];
      const n = xs.length;
      const m = xs.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, n - 1));
      const skew = sd > 0 ? xs.reduce((a, b) => a + ((b - m) / sd) ** 3, 0) / n : 0;
      const log = Math.min(...xs) >= 0 && skew > 1;
      columns.push({ name: `attr:${key}`, transform: log ? 'log1p' : 'none', kind: 'numeric' });
      getters.push((r) => (typeof r[key] === 'number' ? (r[key] as number) : null));
      descriptors.push({
        name: `attr:${key}`,
        phrase: `${key} {x} on average`,
        format: 'number',
        high: `High ${key}`,
        low: `Low ${key}`,
      });
      continue;
    }
    const levels = [...new Set(values.map(String))].sort();
    if (levels.length < 2 || levels.length > MAX_LEVELS) {
      skipped.push(key);
      continue;
    }
    for (const level of levels) {
      columns.push({ name: `attr:${key}=${level}`, transform: 'none', kind: 'indicator' });
      getters.push((r) =>
        r[key] === null || r[key] === undefined ? null : String(r[key]) === level ? 1 : 0,
      );
      descriptors.push({
        name: `attr:${key}=${level}`,
        phrase: `{x} with ${key} ${level}`,
        format: 'percent',
        high: `${key} ${level}`,
      });
    }
  }
  return {
    ids: rows.map((r) => r.id),
    columns,
    raw: records.map((r) => getters.map((g) => g(r))),
    descriptors,
    skipped,
  };
}
