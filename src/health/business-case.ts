import { z } from 'zod';
import { defineOperation, type OperationContext, type Section } from '../core/operation.js';
import { listFindings, type StoredFinding } from '../findings/index.js';
import {
  percentile,
  poissonWeights,
  type StratumCounts,
  seeded,
  standardisedDifference,
} from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { exposureOf } from './exposure.js';
import { asOfParam, resolveAsOf } from './population.js';

/**
 * What each finding costs (docs/health.md §Business case): the customers it affected in the last
 * year, their churn against comparable customers, the excess churn with its interval, the revenue at
 * risk per year, and the cost to serve of contact-driven findings. Writes the money onto the findings
 * of the latest run of every analysis (`findings.revenue_at_risk`, its interval, `cost_to_serve`).
 */

/**
 * Default cost of one assisted contact: Gartner's average for live channels (phone, chat, email),
 * $8.01 per contact (Gartner, "Customer Service and Support Leaders: Self-Service" 2019) — in the
 * workspace's currency, like `monthly_value`. Set `--cost-per-contact` to the organisation's own.
 */
export const DEFAULT_COST_PER_CONTACT = 8.01;

export const BusinessCaseParams = z.object({
  asOf: asOfParam,
  windowMonths: z
    .number()
    .int()
    .min(1)
    .max(24)
    .default(6)
    .describe('months after being affected in which a customer’s churn is counted against the finding'),
  costPerContact: z
    .number()
    .min(0)
    .default(DEFAULT_COST_PER_CONTACT)
    .describe('cost of one assisted contact, in the currency of monthly_value (default: Gartner’s $8.01)'),
  replicates: z
    .number()
    .int()
    .min(20)
    .max(2000)
    .default(200)
    .describe('bootstrap replicates for the intervals'),
  seed: z.number().int().default(1).describe('seed of the bootstrap'),
  analysis: z.string().optional().describe('only the findings of this analysis'),
  write: z.boolean().default(true).describe('write the money onto the findings'),
});
export type BusinessCaseParams = z.input<typeof BusinessCaseParams>;

export interface Estimate {
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

export interface BusinessCase {
  readonly findingId: string;
  readonly runId: string;
  readonly analysis: string;
  readonly kind: string;
  readonly p: string;
  readonly title: string;
  readonly slice: StoredFinding['slice'];
  /** Who counts as affected (null when the kind has no definition). */
  readonly definition: string | null;
  /** Distinct customers affected in the 12 months before as-of. */
  readonly affectedYear: number | null;
  /** Distinct customers with at least one month observed within the window after being affected. */
  readonly exposedCustomers: number;
  /** Customer-months observed within the window after being affected (the exposed person-time). */
  readonly exposedMonths: number;
  /** Monthly churn of the affected, and of comparable customers standardised to the affected's mix. */
  readonly churnExposed: number | null;
  readonly churnComparable: number | null;
  /** Excess probability of churning within `windowMonths` of being affected (95% bootstrap interval). */
  readonly excessChurn: Estimate | null;
  /** Mean of 12 × monthly_value over the affected of the last year. */
  readonly annualValue: Estimate | null;
  /** affectedYear × excessChurn × annualValue, per year. */
  readonly revenueAtRisk: Estimate | null;
  /** Contacts in the last year (contact-driven findings), and their cost. */
  readonly contactsYear: number | null;
  readonly costToServe: number | null;
  readonly smallSample: boolean;
  /** Why a figure is missing, when one is. */
  readonly notes: readonly string[];
}

export interface BusinessCaseResult {
  readonly asOf: string;
  readonly windowMonths: number;
  readonly costPerContact: number;
  readonly replicates: number;
  readonly customers: number;
  readonly customerMonths: number;
  readonly strata: number;
  /** Highest revenue at risk first; findings without one last. */
  readonly cases: readonly BusinessCase[];
  readonly totals: { readonly revenueAtRisk: Estimate | null; readonly costToServe: number };
}

const monthOf = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();

/** Tenure bands in whole months at the landmark: 1–2, 3–5, 6–11, 12–23, 24+. */
function tenureBand(months: number): number {
  return months < 3 ? 0 : months < 6 ? 1 : months < 12 ? 2 : months < 24 ? 3 : 4;
}
/** Activity bands: events in the window before the landmark, 0 / 1–4 / 5–14 / 15+. */
function activityBand(events: number): number {
  return events === 0 ? 0 : events < 5 ? 1 : events < 15 ? 2 : 3;
}

/** Customer-months at risk: the population every finding is compared within. */
interface Population {
  readonly ids: readonly string[];
  readonly index: Map<string, number>;
  readonly annual: Float64Array; // 12 × monthly_value, NaN when missing
  readonly first: Int32Array; // first row of customer c
  readonly end: Int32Array; // one past its last row
  readonly month: Int32Array; // row → landmark month
  readonly stratum: Int32Array;
  readonly churned: Uint8Array;
  readonly strata: number;
}

async function population(db: Store, asOf: Date, windowMonths: number): Promise<Population> {
  const customers = await db.all<{
    id: string;
    cm: number;
    xm: number | null;
    seg: string;
    plan: string;
    mv: number | null;
  }>(sql`
    SELECT id, year(created_at) * 12 + month(created_at) - 1 AS cm,
           CASE WHEN churned_at < ${asOf} THEN year(churned_at) * 12 + month(churned_at) - 1 END AS xm,
           coalesce(segment, '(missing)') AS seg, coalesce(plan, '(missing)') AS plan, monthly_value AS mv
    FROM customers WHERE created_at IS NOT NULL AND created_at < ${asOf} ORDER BY id`);
  const activity = await db.all<{ customer_id: string; m: number; n: number }>(sql`
    SELECT customer_id, year(ts) * 12 + month(ts) - 1 AS m, count(*) AS n FROM events
    WHERE customer_id IS NOT NULL AND ts < ${asOf} GROUP BY ALL`);
  const index = new Map(customers.map((c, i) => [c.id, i]));
  const perCustomer = new Map<number, Map<number, number>>();
  for (const a of activity) {
    const c = index.get(a.customer_id);
    if (c === undefined) continue;
    let m = perCustomer.get(c);
    if (!m) {
      m = new Map();
      perCustomer.set(c, m);
    }
    m.set(Number(a.m), Number(a.n));
  }
  // landmark m = the start of month m; the month's churn is fully observed when month m + 1 starts by as-of
  const last = monthOf(asOf) - 1;
  const month: number[] = [];
  const stratum: number[] = [];
  const churned: number[] = [];
  const keys = new Map<string, number>();
  const first = new Int32Array(customers.length);
  const end = new Int32Array(customers.length);
  const annual = new Float64Array(customers.length);
  customers.forEach((c, i) => {
    first[i] = month.length;
    annual[i] = c.mv === null || c.mv === undefined ? Number.NaN : 12 * Number(c.mv);
    const counts = perCustomer.get(i);
    const stop = Math.min(last, c.xm ?? last);
    for (let m = c.cm + 1; m <= stop; m++) {
      let events = 0;
      if (counts) for (let k = m - windowMonths; k < m; k++) events += counts.get(k) ?? 0;
      const key = `${c.seg}\u0000${c.plan}\u0000${tenureBand(m - c.cm)}\u0000${activityBand(events)}`;
      let s = keys.get(key);
      if (s === undefined) {
        s = keys.size;
        keys.set(key, s);
      }
      month.push(m);
      stratum.push(s);
      churned.push(c.xm === m ? 1 : 0);
    }
    end[i] = month.length;
  });
  return {
    ids: customers.map((c) => c.id),
    index,
    annual,
    first,
    end,
    month: Int32Array.from(month),
    stratum: Int32Array.from(stratum),
    churned: Uint8Array.from(churned),
    strata: keys.size,
  };
}

/**
 * The business case of every finding of the latest run of each analysis (docs/health.md §Business case).
 */
export async function getBusinessCase(
  db: Store,
  params: BusinessCaseParams,
  ctx: OperationContext = {},
  only?: { readonly ids: ReadonlySet<string>; readonly draws: Map<string, Draws> },
): Promise<BusinessCaseResult> {
  const p = BusinessCaseParams.parse(params);
  const asOf = await resolveAsOf(db, p.asOf);
  const yearAgo = new Date(asOf.getTime() - 365 * 86_400_000);
  const k = p.windowMonths;
  const B = p.replicates;
  const pop = await population(db, asOf, k);
  const S = pop.strata;
  const rows = pop.month.length;
  const W = poissonWeights(pop.ids.length, B, seeded(p.seed));
  // totals per stratum, point and per replicate
  const tn = new Float64Array(S);
  const td = new Float64Array(S);
  const TN = new Float64Array(S * B);
  const TD = new Float64Array(S * B);
  for (let c = 0; c < pop.ids.length; c++) {
    for (let r = pop.first[c]!; r < pop.end[c]!; r++) {
      const s = pop.stratum[r]!;
      const d = pop.churned[r]!;
      tn[s]! += 1;
      td[s]! += d;
      const base = s * B;
      for (let b = 0; b < B; b++) {
        const w = W[c * B + b]!;
        if (w === 0) continue;
        TN[base + b]! += w;
        if (d) TD[base + b]! += w;
      }
    }
  }
  const findings = (
    await listFindings(db, { limit: 10_000, ...(p.analysis ? { analysis: p.analysis } : {}) })
  ).filter((f) => !only || only.ids.has(f.id));
  const cases: BusinessCase[] = [];
  let done = 0;
  for (const f of findings) {
    ctx.onProgress?.({ phase: 'business case', done: done++, total: findings.length, unit: 'findings' });
    cases.push(
      await caseOf(db, f, pop, { tn, td, TN, TD }, W, {
        asOf,
        yearAgo,
        k,
        B,
        costPerContact: p.costPerContact,
        ...(only ? { draws: only.draws } : {}),
      }),
    );
  }
  const order = (c: BusinessCase) => c.revenueAtRisk?.value ?? Number.NEGATIVE_INFINITY;
  cases.sort(
    (a, b) =>
      order(b) - order(a) || a.analysis.localeCompare(b.analysis) || a.findingId.localeCompare(b.findingId),
  );
  if (p.write) await writeBusinessCases(db, cases, p, asOf, ctx.now?.() ?? new Date());
  return {
    asOf: asOf.toISOString(),
    windowMonths: k,
    costPerContact: p.costPerContact,
    replicates: B,
    customers: pop.ids.length,
    customerMonths: rows,
    strata: S,
    cases,
    totals: {
      // findings overlap (the same customers behind a theme and a driver): a sum would count them twice
      revenueAtRisk: null,
      costToServe: cases.reduce((s, c) => s + (c.costToServe ?? 0), 0),
    },
  };
}

/** A finding's bootstrap replicates (the same customer weights for every finding, so sums keep their dependence). */
export interface Draws {
  readonly excess: readonly number[];
  readonly money: readonly number[];
  /** Extra leavers a year: affected × excess churn. */
  readonly customers: readonly number[];
}

interface Totals {
  readonly tn: Float64Array;
  readonly td: Float64Array;
  readonly TN: Float64Array;
  readonly TD: Float64Array;
}

async function caseOf(
  db: Store,
  f: StoredFinding,
  pop: Population,
  t: Totals,
  W: Uint8Array,
  o: {
    asOf: Date;
    yearAgo: Date;
    k: number;
    B: number;
    costPerContact: number;
    draws?: Map<string, Draws>;
  },
): Promise<BusinessCase> {
  const head = {
    findingId: f.id,
    runId: f.runId,
    analysis: f.analysis,
    kind: f.kind,
    p: f.p,
    title: f.title,
    slice: f.slice,
  };
  const exposure = exposureOf(f);
  if (exposure.query === null)
    return {
      ...head,
      definition: null,
      affectedYear: null,
      exposedCustomers: 0,
      exposedMonths: 0,
      churnExposed: null,
      churnComparable: null,
      excessChurn: null,
      annualValue: null,
      revenueAtRisk: null,
      contactsYear: null,
      costToServe: null,
      smallSample: true,
      notes: [`revenue at risk: ${exposure.reason}`],
    };
  const hits = await db.all<{ customer_id: string; m: number; recent: boolean; contacts: number | null }>(sql`
    WITH x AS (${exposure.query})
    SELECT customer_id, year(ts) * 12 + month(ts) - 1 AS m, bool_or(ts >= ${o.yearAgo}) AS recent,
           sum(contacts) FILTER (WHERE ts >= ${o.yearAgo}) AS contacts
    FROM x WHERE ts < ${o.asOf} GROUP BY ALL`);
  const months = new Map<number, number[]>();
  const recent = new Set<number>();
  let contacts = 0;
  for (const h of hits) {
    const c = pop.index.get(h.customer_id);
    if (c === undefined) continue;
    let list = months.get(c);
    if (!list) {
      list = [];
      months.set(c, list);
    }
    list.push(Number(h.m));
    if (h.recent) recent.add(c);
    contacts += Number(h.contacts ?? 0);
  }
  const { k, B } = o;
  const S = pop.strata;
  const nE = new Float64Array(S);
  const dE = new Float64Array(S);
  const NE = new Float64Array(S * B);
  const DE = new Float64Array(S * B);
  let exposedCustomers = 0;
  let exposedMonths = 0;
  for (const [c, list] of months) {
    let any = false;
    for (let r = pop.first[c]!; r < pop.end[c]!; r++) {
      const m = pop.month[r]!;
      // affected within the k months before the landmark (never in the landmark's own month)
      if (!list.some((e) => e >= m - k && e < m)) continue;
      any = true;
      exposedMonths++;
      const s = pop.stratum[r]!;
      const d = pop.churned[r]!;
      nE[s]! += 1;
      dE[s]! += d;
      for (let b = 0; b < B; b++) {
        const w = W[c * B + b]!;
        if (w === 0) continue;
        NE[s * B + b]! += w;
        if (d) DE[s * B + b]! += w;
      }
    }
    if (any) exposedCustomers++;
  }
  const notes: string[] = [];
  const windowChurn = (h: number) => 1 - (1 - h) ** k;
  const compare = (get: (s: number) => StratumCounts) => {
    const strata: StratumCounts[] = [];
    for (let s = 0; s < S; s++) strata.push(get(s));
    return standardisedDifference(strata);
  };
  const point = compare((s) => ({ nE: nE[s]!, dE: dE[s]!, nU: t.tn[s]! - nE[s]!, dU: t.td[s]! - dE[s]! }));
  const affectedYear = recent.size;
  // annual value of the affected of the last year, point and per replicate
  const recentList = [...recent];
  const meanValue = (b: number | null) => {
    let sw = 0;
    let sv = 0;
    for (const c of recentList) {
      const v = pop.annual[c]!;
      if (!Number.isFinite(v)) continue;
      const w = b === null ? 1 : W[c * B + b]!;
      sw += w;
      sv += w * v;
    }
    return sw === 0 ? Number.NaN : sv / sw;
  };
  const value = meanValue(null);
  let excessChurn: Estimate | null = null;
  let annualValue: Estimate | null = null;
  let revenueAtRisk: Estimate | null = null;
  if (point.exposedCompared === 0) notes.push('revenue at risk: no affected customer-month to compare');
  else {
    const excess = windowChurn(point.exposedRate) - windowChurn(point.comparableRate);
    const ex: number[] = [];
    const vals: number[] = [];
    const money: number[] = [];
    for (let b = 0; b < B; b++) {
      const r = compare((s) => {
        const ne = NE[s * B + b]!;
        const de = DE[s * B + b]!;
        return { nE: ne, dE: de, nU: t.TN[s * B + b]! - ne, dU: t.TD[s * B + b]! - de };
      });
      const e = windowChurn(r.exposedRate) - windowChurn(r.comparableRate);
      const v = meanValue(b);
      ex.push(e);
      vals.push(v);
      money.push(affectedYear * e * v);
    }
    excessChurn = { value: excess, low: percentile(ex, 0.025), high: percentile(ex, 0.975) };
    if (point.exposedUnmatched > 0)
      notes.push(
        `${point.exposedUnmatched} affected customer-months had no comparable customer and are left out`,
      );
    if (affectedYear === 0) notes.push('revenue at risk: no customer affected in the last 12 months');
    else if (!Number.isFinite(value))
      notes.push('revenue at risk: the affected customers have no monthly_value');
    else {
      annualValue = { value, low: percentile(vals, 0.025), high: percentile(vals, 0.975) };
      revenueAtRisk = {
        value: affectedYear * excess * value,
        low: percentile(money, 0.025),
        high: percentile(money, 0.975),
      };
      o.draws?.set(f.id, { excess: ex, money, customers: ex.map((e) => affectedYear * e) });
    }
  }
  const smallSample = exposedCustomers < 30;
  if (smallSample)
    notes.push(`small sample: ${exposedCustomers} affected customers observed after being affected`);
  if (!exposure.contactDriven) notes.push('cost to serve: not a contact-driven finding');
  return {
    ...head,
    definition: exposure.definition,
    affectedYear,
    exposedCustomers,
    exposedMonths,
    churnExposed: point.exposedCompared ? point.exposedRate : null,
    churnComparable: point.exposedCompared ? point.comparableRate : null,
    excessChurn,
    annualValue,
    revenueAtRisk,
    contactsYear: exposure.contactDriven ? contacts : null,
    costToServe: exposure.contactDriven ? contacts * o.costPerContact : null,
    smallSample,
    notes,
  };
}

const CASE_COLUMNS = [
  { name: 'run_id', type: 'varchar' },
  { name: 'finding_id', type: 'varchar' },
  { name: 'computed_at', type: 'timestamp' },
  { name: 'analysis', type: 'varchar' },
  { name: 'kind', type: 'varchar' },
  { name: 'definition', type: 'varchar' },
  { name: 'affected_year', type: 'bigint' },
  { name: 'exposed_customers', type: 'bigint' },
  { name: 'exposed_months', type: 'bigint' },
  { name: 'churn_exposed', type: 'double' },
  { name: 'churn_comparable', type: 'double' },
  { name: 'excess_churn', type: 'double' },
  { name: 'excess_churn_low', type: 'double' },
  { name: 'excess_churn_high', type: 'double' },
  { name: 'annual_value', type: 'double' },
  { name: 'revenue_at_risk', type: 'double' },
  { name: 'revenue_at_risk_low', type: 'double' },
  { name: 'revenue_at_risk_high', type: 'double' },
  { name: 'contacts_year', type: 'bigint' },
  { name: 'cost_to_serve', type: 'double' },
  { name: 'small_sample', type: 'boolean' },
  { name: 'null_reason', type: 'varchar' },
  { name: 'params', type: 'json' },
] as const;

const fin = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? null : v;

/** The money onto the findings rows and the detail into `business_cases`, in one transaction. */
async function writeBusinessCases(
  db: Store,
  cases: readonly BusinessCase[],
  p: z.output<typeof BusinessCaseParams>,
  asOf: Date,
  now: Date,
): Promise<void> {
  const params = JSON.stringify({ ...p, asOf: asOf.toISOString() });
  await db.transaction(async (tx) => {
    await tx.createTemp('business_cases_in', CASE_COLUMNS);
    await tx.append(
      'business_cases_in',
      CASE_COLUMNS,
      cases.map((c) => [
        c.runId,
        c.findingId,
        now,
        c.analysis,
        c.kind,
        c.definition,
        c.affectedYear,
        c.exposedCustomers,
        c.exposedMonths,
        fin(c.churnExposed),
        fin(c.churnComparable),
        fin(c.excessChurn?.value),
        fin(c.excessChurn?.low),
        fin(c.excessChurn?.high),
        fin(c.annualValue?.value),
        fin(c.revenueAtRisk?.value),
        fin(c.revenueAtRisk?.low),
        fin(c.revenueAtRisk?.high),
        c.contactsYear,
        fin(c.costToServe),
        c.smallSample,
        c.notes.filter((n) => /^(revenue at risk|cost to serve):/.test(n)).join('; ') || null,
        params,
      ]),
    );
    await tx.exec(
      sql`DELETE FROM business_cases WHERE (run_id, finding_id) IN (SELECT (run_id, finding_id) FROM business_cases_in)`,
    );
    await tx.exec(sql`INSERT INTO business_cases SELECT * FROM business_cases_in`);
    await tx.exec(sql`
      UPDATE findings SET revenue_at_risk = b.revenue_at_risk, revenue_at_risk_low = b.revenue_at_risk_low,
             revenue_at_risk_high = b.revenue_at_risk_high, cost_to_serve = b.cost_to_serve
      FROM business_cases_in b WHERE findings.run_id = b.run_id AND findings.id = b.finding_id`);
    await tx.exec(sql`DROP TABLE business_cases_in`);
  });
}

const money = (v: number) => Math.round(v).toLocaleString('en-US');
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

export const businessCaseOperation = defineOperation({
  area: 'health',
  verb: 'business-case',
  summary:
    'What each finding costs: affected customers, excess churn against comparable customers, revenue at risk per year, cost to serve',
  params: BusinessCaseParams,
  mode: 'write',
  listField: 'cases',
  run: (db, params, ctx) => getBusinessCase(db, params, ctx),
  present: (r): Section[] => [
    {
      title: `Business case of ${r.cases.length} findings (as of ${r.asOf.slice(0, 10)}; churn within ${r.windowMonths} months of being affected, against comparable customers in ${r.strata} strata of segment × plan × tenure × activity; ${r.replicates} bootstrap replicates)`,
      rows: r.cases.map((c) => ({
        analysis: c.analysis,
        kind: c.kind,
        p: c.p,
        slice: Object.values(c.slice).join(' · '),
        'affected/yr': c.affectedYear ?? '',
        'excess churn': c.excessChurn
          ? `${pct(c.excessChurn.value)} [${pct(c.excessChurn.low)}, ${pct(c.excessChurn.high)}]`
          : '',
        'revenue at risk/yr': c.revenueAtRisk
          ? `${money(c.revenueAtRisk.value)} [${money(c.revenueAtRisk.low)}, ${money(c.revenueAtRisk.high)}]`
          : '',
        'cost to serve/yr': c.costToServe === null ? '' : money(c.costToServe),
        note: c.notes.join('; '),
      })),
    },
    {
      text: `Revenue at risk = customers affected in the last year × excess churn × mean annual value (12 × monthly_value); an interval that spans 0 is no evidence of an effect. Findings overlap (a theme and its driver share customers), so their figures are not summed. Cost to serve at ${r.costPerContact} per contact: ${money(r.totals.costToServe)} a year over contact-driven findings.`,
    },
  ],
});
