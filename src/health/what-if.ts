import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation, type OperationContext, type Section } from '../core/operation.js';
import { percentile } from '../stats/index.js';
import type { Store } from '../store/index.js';
import { BusinessCaseParams, type Draws, type Estimate, getBusinessCase } from './business-case.js';

/**
 * What fixing findings would be worth (docs/health.md §What-if): for each chosen finding and an
 * expected improvement — the share of its excess churn the fix removes (halving the delivery wait
 * taken to halve its excess churn: a linear, stated assumption) — the customers retained and the
 * revenue kept per year, with the business case's bootstrap interval carried through, and the total
 * across the chosen fixes computed replicate by replicate (every finding shares the same customer
 * weights, so the total's interval keeps their dependence).
 */
export const WhatIfParams = z.object({
  fix: z
    .array(z.string())
    .min(1)
    .describe(
      'a finding id, optionally with its improvement: ID or ID=0.5 (share of its excess churn removed)',
    ),
  improvement: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('expected improvement for fixes given without one: the share of excess churn removed'),
  asOf: BusinessCaseParams.shape.asOf,
  windowMonths: BusinessCaseParams.shape.windowMonths,
  replicates: BusinessCaseParams.shape.replicates,
  seed: BusinessCaseParams.shape.seed,
});
export type WhatIfParams = z.input<typeof WhatIfParams>;

export interface WhatIfFix {
  readonly findingId: string;
  readonly title: string;
  readonly improvement: number;
  /** Customers kept a year: improvement × affected × excess churn. */
  readonly retainedCustomers: Estimate | null;
  /** Revenue kept a year: improvement × revenue at risk. */
  readonly retainedRevenue: Estimate | null;
  readonly note: string | null;
}

export interface WhatIfResult {
  readonly fixes: readonly WhatIfFix[];
  readonly total: { readonly retainedCustomers: Estimate; readonly retainedRevenue: Estimate } | null;
  readonly assumptions: readonly string[];
}

const estimate = (point: number, draws: readonly number[]): Estimate => ({
  value: point,
  low: percentile(draws, 0.025),
  high: percentile(draws, 0.975),
});

export async function getWhatIf(
  db: Store,
  params: WhatIfParams,
  ctx: OperationContext = {},
): Promise<WhatIfResult> {
  const p = WhatIfParams.parse(params);
  const wanted = p.fix.map((f, i) => {
    const m = /^(.+?)(?:=([0-9.]+))?$/.exec(f.trim());
    const improvement = m?.[2] === undefined ? p.improvement : Number(m[2]);
    if (!m || !Number.isFinite(improvement) || improvement < 0 || improvement > 1)
      throw new TouchpointError(
        'invalid_input',
        `fix ${i + 1}: "${f}" is not ID or ID=share (a share from 0 to 1)`,
        {
          details: [{ field: `fix.${i}`, message: 'expected ID or ID=0.5' }],
        },
      );
    return { id: m[1]!, improvement };
  });
  const draws = new Map<string, Draws>();
  const r = await getBusinessCase(
    db,
    { asOf: p.asOf, windowMonths: p.windowMonths, replicates: p.replicates, seed: p.seed, write: false },
    ctx,
    { ids: new Set(wanted.map((w) => w.id)), draws },
  );
  const byId = new Map(r.cases.map((c) => [c.findingId, c]));
  const missing = wanted.filter((w) => !byId.has(w.id));
  if (missing.length)
    throw new TouchpointError(
      'not_found',
      `no finding ${missing.map((m) => `"${m.id}"`).join(', ')} in the latest runs (touchpoint findings list shows the ids)`,
    );
  const B = r.replicates;
  const totalCustomers = new Array<number>(B).fill(0);
  const totalMoney = new Array<number>(B).fill(0);
  let pointCustomers = 0;
  let pointMoney = 0;
  let any = false;
  const fixes = wanted.map((w): WhatIfFix => {
    const c = byId.get(w.id)!;
    const d = draws.get(w.id);
    if (!d || !c.revenueAtRisk || c.affectedYear === null || !c.excessChurn)
      return {
        findingId: w.id,
        title: c.title,
        improvement: w.improvement,
        retainedCustomers: null,
        retainedRevenue: null,
        note: c.notes.find((n) => n.startsWith('revenue at risk:')) ?? 'no revenue at risk to keep',
      };
    any = true;
    const customers = d.customers.map((x) => w.improvement * x);
    const money = d.money.map((x) => w.improvement * x);
    const pc = w.improvement * c.affectedYear * c.excessChurn.value;
    const pm = w.improvement * c.revenueAtRisk.value;
    for (let b = 0; b < B; b++) {
      totalCustomers[b]! += customers[b]!;
      totalMoney[b]! += money[b]!;
    }
    pointCustomers += pc;
    pointMoney += pm;
    return {
      findingId: w.id,
      title: c.title,
      improvement: w.improvement,
      retainedCustomers: estimate(pc, customers),
      retainedRevenue: estimate(pm, money),
      note: c.excessChurn.low <= 0 ? 'its excess churn is not distinguishable from 0' : null,
    };
  });
  return {
    fixes,
    total: any
      ? {
          retainedCustomers: estimate(pointCustomers, totalCustomers),
          retainedRevenue: estimate(pointMoney, totalMoney),
        }
      : null,
    assumptions: [
      'a fix removes its improvement share of the finding’s excess churn (linear), and nothing else changes',
      `excess churn within ${r.windowMonths} months of being affected, against comparable customers (docs/health.md §Business case); revenue is a year of each kept customer's 12 × monthly_value`,
      'the total adds the fixes: findings that share customers (a theme and its driver) are counted twice',
      `95% intervals: ${B} bootstrap replicates over customers, the same for every fix`,
    ],
  };
}

const money = (v: number) => Math.round(v).toLocaleString('en-US');
const iv = (e: Estimate | null, f: (v: number) => string) =>
  e ? `${f(e.value)} [${f(e.low)}, ${f(e.high)}]` : '';

export const whatIfOperation = defineOperation({
  area: 'health',
  verb: 'what-if',
  summary: 'What fixing findings would keep: customers and revenue a year, with intervals, and the total',
  params: WhatIfParams,
  mode: 'read',
  run: (db, params, ctx) => getWhatIf(db, params, ctx),
  present: (r): Section[] => [
    {
      title: 'Retained a year if fixed',
      rows: [
        ...r.fixes.map((f) => ({
          finding: f.title,
          improvement: `${Math.round(100 * f.improvement)}%`,
          customers: iv(f.retainedCustomers, (v) => v.toFixed(1)),
          revenue: iv(f.retainedRevenue, money),
          note: f.note ?? '',
        })),
        ...(r.total
          ? [
              {
                finding: 'total',
                improvement: '',
                customers: iv(r.total.retainedCustomers, (v) => v.toFixed(1)),
                revenue: iv(r.total.retainedRevenue, money),
                note: '',
              },
            ]
          : []),
      ],
    },
    { text: `Assumptions: ${r.assumptions.join('; ')}.` },
  ],
});
