import { z } from 'zod';
import { defineOperation, type Section } from '../core/operation.js';
import { SCORE_SCALES } from '../core/score-scales.js';
import { parseYamlWith } from '../core/yaml.js';
import { percentile } from '../stats/index.js';
import { join, type SqlFragment, type Store, sql } from '../store/index.js';
import { asOfParam, resolveAsOf } from './population.js';

/**
 * Each customer's life-cycle stage as of a date, from rules a CX team can edit (docs/health.md
 * §Life cycle). The rules are checked in order; the first that holds sets the stage:
 *
 * 1. **churned** — `churned_at` at or before the date;
 * 2. **onboarding** — signed up less than `onboardingDays` ago;
 * 3. **dormant** — no inbound event in the last `dormantDays`;
 * 4. **won back** — came back (an inbound event after a silence of at least `dormantDays`) in the
 *    last `wonBackDays`;
 * 5. **at risk** — no inbound event in the last `activeDays` (lapsing), or a bad score in the last
 *    `atRisk.lowScoreDays` (NPS ≤ 6, CSAT ≤ 2, CES ≤ 3: the shared score scales);
 * 6. **active** — everyone else.
 */
export const STAGES = ['onboarding', 'active', 'at risk', 'dormant', 'won back', 'churned'] as const;
export type Stage = (typeof STAGES)[number];

/** One-letter codes of the stages (for a compact path per customer). */
const CODE: Readonly<Record<Stage, string>> = {
  onboarding: 'o',
  active: 'a',
  'at risk': 'r',
  dormant: 'd',
  'won back': 'w',
  churned: 'c',
};
const STAGE_OF: Readonly<Record<string, Stage>> = Object.fromEntries(STAGES.map((s) => [CODE[s], s]));
const codeCases = (): SqlFragment =>
  join(
    STAGES.map((s) => sql`WHEN ${s} THEN ${CODE[s]}`),
    sql` `,
  );

const days = (what: string, d: number) => z.number().int().positive().max(3650).default(d).describe(what);

export const LifecycleRules = z
  .object({
    version: z.literal(1).default(1),
    onboardingDays: days('signed up less than this many days ago: onboarding', 30),
    activeDays: days('an inbound event within this many days: active (else at risk)', 30),
    dormantDays: days('no inbound event for this many days: dormant', 90),
    wonBackDays: days('came back after a dormant spell within this many days: won back', 60),
    atRisk: z
      .object({
        lowScoreDays: z
          .number()
          .int()
          .min(0)
          .max(3650)
          .default(90)
          .describe('a bad NPS, CSAT or CES answer within this many days: at risk (0: never)'),
      })
      .strict()
      .default({ lowScoreDays: 90 }),
  })
  .strict()
  .refine((r) => r.activeDays < r.dormantDays, {
    message: 'activeDays must be shorter than dormantDays',
    path: ['activeDays'],
  });
export type LifecycleRules = z.output<typeof LifecycleRules>;

/** The default rules as a YAML file a team can copy and edit (`touchpoint health lifecycle --print-rules`). */
export const DEFAULT_RULES_YAML = `# Touchpoint life-cycle rules (docs/health.md §Life cycle). Checked in order:
# churned → onboarding → dormant → won back → at risk → active; the first that holds sets the stage.
version: 1
onboardingDays: 30   # signed up less than this many days ago
activeDays: 30       # an inbound event within this many days; else at risk (lapsing)
dormantDays: 90      # no inbound event for this many days
wonBackDays: 60      # came back after a dormant spell within this many days
atRisk:
  lowScoreDays: 90   # a bad NPS (≤ 6), CSAT (≤ 2) or CES (≤ 3) answer within this many days; 0: never
`;

/** Rules from YAML text; errors name the line and the field. */
export function lifecycleRulesFromYaml(text: string, file = 'lifecycle.yaml'): LifecycleRules {
  return parseYamlWith(text, LifecycleRules, file);
}

export const LifecycleParams = z.object({
  asOf: asOfParam,
  months: z.number().int().min(1).max(36).default(12).describe('monthly snapshots before as-of'),
  rulesFile: z.string().optional().describe('life-cycle rules, a YAML file (CLI: read into rules)'),
  rules: z.string().optional().describe('life-cycle rules as YAML text (default: the documented defaults)'),
  printRules: z.boolean().default(false).describe('print the default rules as YAML and stop'),
});
export type LifecycleParams = z.input<typeof LifecycleParams>;

export interface LifecycleResult {
  readonly asOf: string;
  readonly rules: LifecycleRules;
  /** Set when `printRules`: the default rules, nothing computed. */
  readonly rulesYaml?: string;
  /** Customers per stage at as-of. */
  readonly stages: readonly { readonly stage: Stage; readonly customers: number; readonly share: number }[];
  /** Customers per stage at each snapshot (the first of each month, then as-of). */
  readonly snapshots: readonly { readonly at: string; readonly counts: Readonly<Record<Stage, number>> }[];
  /** Moves between consecutive snapshots; `from` = 'new' for customers who signed up in between. */
  readonly transitions: readonly {
    readonly from: string;
    readonly to: string;
    readonly at: string;
    readonly customers: number;
  }[];
  /**
   * Time in the current stage at as-of (days since the first snapshot of the customer's current run
   * of that stage): quartiles; `censored` counts the runs that began at the first snapshot (at least
   * that long).
   */
  readonly timeInStage: readonly {
    readonly stage: Stage;
    readonly customers: number;
    readonly medianDays: number | null;
    readonly p25Days: number | null;
    readonly p75Days: number | null;
    readonly censored: number;
  }[];
}

/** The snapshots: the first instant of each of the `months` months before as-of's month, then as-of. */
export function snapshotDates(asOf: Date, months: number): Date[] {
  const out: Date[] = [];
  for (let i = months; i >= 1; i--)
    out.push(new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth() - i + 1, 1)));
  if (out.at(-1)!.getTime() >= asOf.getTime()) out.pop();
  out.push(asOf);
  return out;
}

/** SQL: (id, t, stage) for every customer signed up before each snapshot t. */
export function stagesSql(dates: readonly Date[], rules: LifecycleRules): SqlFragment {
  const r = rules;
  return sql`
    WITH snaps AS (SELECT unnest(${dates.map((d) => d.toISOString())}::TIMESTAMP[]) AS t),
    ev AS (SELECT customer_id, ts FROM events WHERE customer_id IS NOT NULL AND direction = 'inbound'),
    rets AS (
      SELECT customer_id, ts FROM (
        SELECT customer_id, ts, lag(ts) OVER (PARTITION BY customer_id ORDER BY ts) AS prev FROM ev)
      WHERE prev IS NOT NULL AND ts - prev >= to_days(${r.dormantDays}::BIGINT)),
    low AS (
      SELECT customer_id, ts FROM feedback WHERE customer_id IS NOT NULL
        AND ((kind = 'nps' AND score <= ${SCORE_SCALES.nps.badAtMost})
          OR (kind = 'csat' AND score <= ${SCORE_SCALES.csat.badAtMost})
          OR (kind = 'ces' AND score <= ${SCORE_SCALES.ces.badAtMost}))),
    pop AS (
      SELECT c.id, c.created_at, c.churned_at, s.t FROM customers c JOIN snaps s ON c.created_at < s.t
      WHERE c.created_at IS NOT NULL),
    -- the latest event, return and bad score before each snapshot (equality join on the customer, then
    -- the time filter: an ASOF join planned a nested loop over 13 snapshots)
    a AS (SELECT p.id, p.t, max(e.ts) AS last_event FROM pop p JOIN ev e ON e.customer_id = p.id AND e.ts < p.t GROUP BY ALL),
    b AS (SELECT p.id, p.t, max(r.ts) AS last_return FROM pop p JOIN rets r ON r.customer_id = p.id AND r.ts < p.t GROUP BY ALL),
    c AS (SELECT p.id, p.t, max(l.ts) AS last_low FROM pop p JOIN low l ON l.customer_id = p.id AND l.ts < p.t GROUP BY ALL),
    x AS (SELECT pop.*, a.last_event, b.last_return, c.last_low FROM pop
          LEFT JOIN a USING (id, t) LEFT JOIN b USING (id, t) LEFT JOIN c USING (id, t))
    SELECT id, t,
      CASE
        WHEN churned_at IS NOT NULL AND churned_at <= t THEN 'churned'
        WHEN created_at > t - to_days(${r.onboardingDays}::BIGINT) THEN 'onboarding'
        WHEN last_event IS NULL OR last_event <= t - to_days(${r.dormantDays}::BIGINT) THEN 'dormant'
        WHEN last_return > t - to_days(${r.wonBackDays}::BIGINT) THEN 'won back'
        WHEN last_event <= t - to_days(${r.activeDays}::BIGINT)
          OR (${r.atRisk.lowScoreDays} > 0 AND last_low > t - to_days(${r.atRisk.lowScoreDays}::BIGINT)) THEN 'at risk'
        ELSE 'active'
      END AS stage
    FROM x`;
}

export async function getLifecycle(db: Store, params: LifecycleParams): Promise<LifecycleResult> {
  const p = LifecycleParams.parse(params);
  const rules = p.rules ? lifecycleRulesFromYaml(p.rules, p.rulesFile ?? 'rules') : LifecycleRules.parse({});
  const asOf = await resolveAsOf(db, p.asOf);
  if (p.printRules)
    return {
      asOf: asOf.toISOString(),
      rules,
      rulesYaml: DEFAULT_RULES_YAML,
      stages: [],
      snapshots: [],
      transitions: [],
      timeInStage: [],
    };
  const dates = snapshotDates(asOf, p.months);
  const staged = stagesSql(dates, rules);
  // one pass: each customer's stages over the snapshots as a string of codes, aligned to the last
  // snapshot (a customer signed up before t is in every later snapshot)
  const codes = await db.all<{ path: string; n: number }>(sql`
    SELECT path, count(*) AS n FROM (
      SELECT id, string_agg(CASE stage ${codeCases()} END, '' ORDER BY t) AS path FROM (${staged}) GROUP BY id)
    GROUP BY path`);
  const empty = (): Record<Stage, number> =>
    Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  const snapshots = dates.map((d) => ({ at: d.toISOString(), counts: empty() }));
  const moves = new Map<string, number>();
  const spells = new Map<Stage, { days: number[]; censored: number }>();
  const T = dates.length;
  for (const { path, n: count } of codes) {
    const n = Number(count);
    const offset = T - path.length;
    let prev: string | null = null;
    for (let i = 0; i < path.length; i++) {
      const stage = STAGE_OF[path[i]!]!;
      snapshots[offset + i]!.counts[stage] += n;
      if (offset + i > 0 && stage !== prev) {
        const key = `${offset + i}\u0000${prev ?? 'new'}\u0000${stage}`;
        moves.set(key, (moves.get(key) ?? 0) + n);
      }
      prev = stage;
    }
    // the current run: back from the last snapshot while the stage stays the same
    const last = path.at(-1)!;
    let j = path.length - 1;
    while (j > 0 && path[j - 1] === last) j--;
    const stage = STAGE_OF[last]!;
    const s = spells.get(stage) ?? { days: [], censored: 0 };
    spells.set(stage, s);
    const began = dates[offset + j]!.getTime();
    for (let k = 0; k < n; k++) s.days.push((asOf.getTime() - began) / 86_400_000);
    if (offset + j === 0) s.censored += n;
  }
  const transitions = [...moves]
    .map(([key, customers]) => {
      const [i, from, to] = key.split('\u0000') as [string, string, string];
      return { from, to, at: dates[Number(i)]!.toISOString(), customers };
    })
    .sort(
      (a, b) =>
        a.at.localeCompare(b.at) ||
        b.customers - a.customers ||
        a.from.localeCompare(b.from) ||
        a.to.localeCompare(b.to),
    );
  const last = snapshots.at(-1)!.counts;
  const total = STAGES.reduce((s, k) => s + last[k], 0);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return {
    asOf: asOf.toISOString(),
    rules,
    stages: STAGES.map((stage) => ({
      stage,
      customers: last[stage],
      share: total ? last[stage] / total : 0,
    })),
    snapshots,
    transitions,
    timeInStage: STAGES.map((stage) => {
      const x = spells.get(stage);
      const q = (p: number) => (x?.days.length ? round(percentile(x.days, p)) : null);
      return {
        stage,
        customers: x?.days.length ?? 0,
        medianDays: q(0.5),
        p25Days: q(0.25),
        p75Days: q(0.75),
        censored: x?.censored ?? 0,
      };
    }),
  };
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

export const lifecycleOperation = defineOperation({
  area: 'health',
  verb: 'lifecycle',
  summary: 'Each customer’s life-cycle stage from editable rules: stage counts, monthly moves, time in stage',
  params: LifecycleParams,
  mode: 'read',
  cache: {},
  fileInputs: { rulesFile: 'rules' },
  run: (db, params) => getLifecycle(db, params),
  present: (r): Section[] => {
    if (r.rulesYaml) return [{ text: r.rulesYaml }];
    const lastMonth = r.transitions.filter((t) => t.at === r.asOf);
    return [
      {
        title: `Life-cycle stages as of ${r.asOf.slice(0, 10)} (rules: onboarding ${r.rules.onboardingDays} d, active ${r.rules.activeDays} d, dormant ${r.rules.dormantDays} d, won back ${r.rules.wonBackDays} d, bad score ${r.rules.atRisk.lowScoreDays} d)`,
        rows: r.stages.map((s) => {
          const t = r.timeInStage.find((x) => x.stage === s.stage)!;
          return {
            stage: s.stage,
            customers: s.customers,
            share: pct(s.share),
            'median days in stage': t.medianDays ?? '',
            'days p25–p75': t.p25Days === null ? '' : `${t.p25Days}–${t.p75Days}`,
            'at least (since first snapshot)': t.censored,
          };
        }),
      },
      {
        title: `Stages at the start of each month (${r.snapshots.length} snapshots)`,
        rows: r.snapshots.map((s) => ({ at: s.at.slice(0, 10), ...s.counts })),
      },
      {
        title: `Moves since the previous snapshot (${r.snapshots.at(-2)?.at.slice(0, 10) ?? '–'} → ${r.asOf.slice(0, 10)})`,
        rows: lastMonth.map((t) => ({ from: t.from, to: t.to, customers: t.customers })),
      },
    ];
  },
});
