import { TouchpointError } from '../core/errors.js';
import { type Store, sql } from '../store/index.js';
import type { FeatureSpec, RawValue } from './features.js';

/**
 * One row per customer as imported (a CRM-style export): the typed columns and every top-level key of
 * `attributes`, with the churn label read from a column (`churned`, `churned_at`) or an attribute.
 */
export interface CustomerTable {
  readonly ids: readonly string[];
  readonly records: readonly ReadonlyMap<string, RawValue>[];
  readonly y: Uint8Array;
  readonly features: readonly FeatureSpec[];
  readonly dropped: readonly { feature: string; reason: string }[];
  /** Customers without a readable label, left out. */
  readonly unlabelled: number;
}

const COLUMNS = ['segment', 'plan', 'region', 'country', 'monthly_value'] as const;
/** The outcome itself and identifiers are never features. */
const NEVER = new Set(['id', 'churned', 'churned_at', 'import_id', 'updated_import_id', 'created_at']);

interface Row {
  id: string;
  segment: string | null;
  plan: string | null;
  region: string | null;
  country: string | null;
  monthly_value: number | null;
  churned: boolean | null;
  churned_at: unknown;
  attributes: string | null;
}

/** yes/no/true/false/1/0 (any case) → 1/0; anything else → null. */
export function labelValue(v: unknown): 0 | 1 | null {
  if (v === true || v === 1) return 1;
  if (v === false || v === 0) return 0;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['yes', 'true', '1', 'y'].includes(s)) return 1;
    if (['no', 'false', '0', 'n'].includes(s)) return 0;
  }
  return null;
}

export async function loadCustomerTable(db: Store, label: string): Promise<CustomerTable> {
  const rows = await db.all<Row>(sql`
    SELECT id, segment, plan, region, country, monthly_value, churned, churned_at,
           CAST(attributes AS VARCHAR) AS attributes
    FROM customers ORDER BY id`);
  if (rows.length === 0) throw new TouchpointError('unavailable', 'no customers: import customers first');
  const attrs = rows.map((r) => {
    const a = r.attributes ? (JSON.parse(r.attributes) as unknown) : null;
    return a && typeof a === 'object' && !Array.isArray(a) ? (a as Record<string, unknown>) : {};
  });
  const attributeNames = [...new Set(attrs.flatMap((a) => Object.keys(a)))].sort();
  const resolveAttribute = (name: string) =>
    attributeNames.find((a) => a === name) ??
    attributeNames.find((a) => a.toLowerCase() === name.toLowerCase());
  let getLabel: (r: Row, a: Record<string, unknown>) => 0 | 1 | null;
  let labelAttribute: string | undefined;
  if (label === 'churned') getLabel = (r) => labelValue(r.churned ?? (r.churned_at !== null ? true : null));
  else if (label === 'churned_at') getLabel = (r) => (r.churned_at !== null ? 1 : 0);
  else {
    labelAttribute = resolveAttribute(label);
    if (!labelAttribute)
      throw new TouchpointError(
        'invalid_input',
        `label: no column or attribute named "${label}"; use churned, churned_at or one of: ${attributeNames.join(', ')}`,
        { details: [{ field: 'label', message: `unknown field ${label}` }] },
      );
    const key = labelAttribute;
    getLabel = (_, a) => labelValue(a[key]);
  }
  const ids: string[] = [];
  const records: Map<string, RawValue>[] = [];
  const y: number[] = [];
  let unlabelled = 0;
  rows.forEach((r, i) => {
    const a = attrs[i] as Record<string, unknown>;
    const l = getLabel(r, a);
    if (l === null) {
      unlabelled++;
      return;
    }
    const rec = new Map<string, RawValue>();
    for (const c of COLUMNS) rec.set(c, r[c] ?? null);
    for (const k of attributeNames) {
      if (k === labelAttribute || NEVER.has(k)) continue;
      const v = a[k];
      rec.set(
        k,
        typeof v === 'number' ? v : typeof v === 'boolean' ? String(v) : typeof v === 'string' ? v : null,
      );
    }
    ids.push(r.id);
    records.push(rec);
    y.push(l);
  });
  if (records.length === 0)
    throw new TouchpointError('invalid_input', `label: no customer has a yes/no value in "${label}"`, {
      details: [{ field: 'label', message: 'no readable values' }],
    });
  const features: FeatureSpec[] = [];
  const dropped: { feature: string; reason: string }[] = [];
  const candidates = [...COLUMNS, ...attributeNames.filter((k) => k !== labelAttribute && !NEVER.has(k))];
  for (const name of candidates) {
    const values = records.map((r) => r.get(name) ?? null);
    const present = values.filter((v) => v !== null);
    if (present.length === 0) continue;
    const distinct = new Set(present);
    if (distinct.size < 2) {
      dropped.push({ feature: name, reason: 'one value only' });
      continue;
    }
    if (present.every((v) => typeof v === 'number')) {
      features.push({ name, kind: 'numeric' });
      continue;
    }
    if (distinct.size > Math.max(50, 0.5 * present.length)) {
      dropped.push({ feature: name, reason: `${distinct.size} distinct values: an identifier or free text` });
      continue;
    }
    // mixed numbers and strings are read as categories
    features.push({ name, kind: 'categorical' });
    if (present.some((v) => typeof v === 'number'))
      records.forEach((r) => {
        const v = r.get(name);
        if (typeof v === 'number') r.set(name, String(v));
      });
  }
  return { ids, records, y: Uint8Array.from(y), features, dropped, unlabelled };
}
