import { z } from 'zod';
import { FilterParams, personaSlice, personasToRunEach } from '../core/filters.js';
import { defineOperation, type OperationContext } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { type Finding, type P, writeFindings } from '../findings/index.js';
import { normalTwoSidedP, olsGrouped, Z95 } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { ensureAnalysis } from './analyze.js';
import { answersIn, ownerOf } from './base.js';
import { loadTaxonomy } from './taxonomy.js';

export const DriversParams = z.object({
  kind: z.enum(['nps', 'csat']).default('nps').describe('the score to explain'),
  ...TimeFrameParams,
  ...FilterParams,
  minMentions: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('themes raised fewer times are left out of the model'),
  by: z
    .enum(['none', 'persona'])
    .optional()
    .describe('persona: one model per persona (newest run), each driver naming its persona'),
});
export type DriversParams = z.output<typeof DriversParams>;

export interface Driver {
  /** With `--by persona`: the persona (id) whose answers the model was fitted on. */
  readonly persona?: string;
  readonly theme: string;
  readonly name: string;
  readonly p: P;
  /** answers whose comment raises the theme */
  readonly mentions: number;
  readonly share: number;
  /** effect of raising the theme on the answer's score (NPS points or CSAT points of share satisfied), other themes and touchpoint held fixed */
  readonly effect: number;
  readonly low: number;
  readonly high: number;
  readonly p_value: number;
  /** effect × share: points of the overall score the theme costs (negative) or earns */
  readonly impact: number;
  readonly smallSample: boolean;
  readonly ownerTeam: string | null;
}

export interface DriversResult {
  readonly kind: DriversParams['kind'];
  /** answers with an analysed comment in the model */
  readonly n: number;
  readonly r2: number;
  readonly drivers: readonly Driver[];
  readonly touchpoints: readonly {
    readonly touchpoint: string;
    readonly effect: number;
    readonly low: number;
    readonly high: number;
    readonly n: number;
  }[];
  readonly reference: string | null;
  readonly findings: number;
  /** With `--by persona`: each persona's model (answers, R²); r2 above is then NaN. */
  readonly models?: readonly { readonly persona: string; readonly n: number; readonly r2: number }[];
}

interface PatternRow {
  tp: string;
  themes: string[];
  n: number;
  s: number;
  ss: number;
}

/**
 * Drivers: least squares of each answer's score — NPS coded +100 promoter / 0 passive / −100
 * detractor (so coefficients are NPS points), CSAT coded 100 satisfied (4–5) / 0 — on theme presence
 * with touchpoint fixed effects (reference: the busiest touchpoint). SQL reduces answers to
 * (touchpoint, theme set) patterns with n, Σy, Σy²; the weighted normal equations on the patterns
 * give the exact fit. Intervals: β ± 1.96·se with se from σ²(XᵀX)⁻¹. Negative drivers are written as
 * findings of kind `driver`, ranked by effect size (most negative first; impact = effect × share of
 * answers raising it is reported beside it, not used to rank: ranking by impact would put any
 * high-volume theme with a slight negative lean on top — the decoy of DESIGN.md §4). Small sample:
 * fewer than 30 mentions or an interval wider than ±20 points (±10 on the −1…1 proportion scale).
 * An association, not a proof of cause (DESIGN.md §6).
 */
export async function getDrivers(
  db: Store,
  params: DriversParams,
  ctx: OperationContext = {},
): Promise<DriversResult> {
  if (params.by === 'persona') return driversByPersona(db, params, ctx);
  const r = await fitDrivers(db, params, ctx);
  await writeFindings(db, 'feedback.drivers', r.fp, r.findings, ctx.now?.() ?? new Date());
  return r.result;
}

/**
 * `--by persona`: the model fitted on each persona's answers (its filter), the drivers listed
 * persona by persona, the negative ones written as findings naming their persona.
 */
async function driversByPersona(
  db: Store,
  params: DriversParams,
  ctx: OperationContext,
): Promise<DriversResult> {
  const ids = await personasToRunEach(db, params.persona);
  const drivers: Driver[] = [];
  const findings: Finding[] = [];
  const models: { persona: string; n: number; r2: number }[] = [];
  for (const persona_id of ids) {
    const r = await fitDrivers(db, { ...params, by: undefined, persona: persona_id }, ctx);
    drivers.push(...r.result.drivers.map((d) => ({ persona: persona_id, ...d })));
    findings.push(...r.findings);
    models.push({ persona: persona_id, n: r.result.n, r2: r.result.r2 });
  }
  const fp = { kind: params.kind, from: params.from ?? null, to: params.to ?? null, by: 'persona' };
  await writeFindings(db, 'feedback.drivers', fp, findings, ctx.now?.() ?? new Date());
  return {
    kind: params.kind,
    n: models.reduce((a, m) => a + m.n, 0),
    r2: Number.NaN,
    drivers,
    touchpoints: [],
    reference: null,
    findings: findings.length,
    models,
  };
}

async function fitDrivers(
  db: Store,
  params: DriversParams,
  ctx: OperationContext,
): Promise<{ result: DriversResult; findings: Finding[]; fp: Record<string, unknown> }> {
  const frame = await answersIn(db, params);
  await ensureAnalysis(db, ctx);
  const y =
    params.kind === 'nps'
      ? sql`CASE WHEN f.score >= 9 THEN 100 WHEN f.score <= 6 THEN -100 ELSE 0 END`
      : sql`CASE WHEN f.score >= 4 THEN 100 ELSE 0 END`;
  const rows = await db.all<PatternRow>(sql`
    SELECT coalesce(f.touchpoint, '(none)') AS tp, list_sort(t.themes) AS themes,
      count(*) AS n, sum(${y}) AS s, sum(${y} * ${y}) AS ss
    FROM feedback f JOIN feedback_text t ON t.feedback_id = f.id
    WHERE f.kind = ${params.kind} AND f.score IS NOT NULL AND ${frame}
    GROUP BY ALL ORDER BY tp, themes`);
  const N = rows.reduce((a, r) => a + r.n, 0);
  const mentions = new Map<string, number>();
  const tpCount = new Map<string, number>();
  for (const r of rows) {
    for (const t of r.themes) mentions.set(t, (mentions.get(t) ?? 0) + r.n);
    tpCount.set(r.tp, (tpCount.get(r.tp) ?? 0) + r.n);
  }
  const themes = [...mentions.entries()]
    .filter(([, c]) => c >= params.minMentions && c < N)
    .map(([t]) => t)
    .sort();
  const tps = [...tpCount.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t]) => t);
  const reference = tps[0] ?? null;
  const others = tps.slice(1);
  const p = 1 + themes.length + others.length;
  const empty: DriversResult = {
    kind: params.kind,
    n: N,
    r2: 0,
    drivers: [],
    touchpoints: [],
    reference,
    findings: 0,
  };
  if (N <= p || themes.length === 0) {
    return { result: empty, findings: [], fp: { kind: params.kind } };
  }
  const xOf = (r: PatternRow) => {
    const x = new Array<number>(p).fill(0);
    x[0] = 1;
    for (const t of r.themes) {
      const j = themes.indexOf(t);
      if (j >= 0) x[1 + j] = 1;
    }
    const k = others.indexOf(r.tp);
    if (k >= 0) x[1 + themes.length + k] = 1;
    return x;
  };
  const fit = olsGrouped(rows.map((r) => ({ x: xOf(r), n: r.n, sumY: r.s, sumYY: r.ss })));
  const beta = fit.beta;
  const se = (j: number) => fit.se[j]!;
  const pOf = (b: number, s: number) => (s === 0 ? 1 : normalTwoSidedP(b / s));
  const taxonomy = await loadTaxonomy(db);
  const byId = new Map(taxonomy.themes.map((t) => [t.id, t]));
  const owners = await db.all<{ theme: string; team: string; n: number }>(sql`
    WITH m AS (
      SELECT unnest(t.themes) AS theme, ${ownerOf} AS team
      FROM feedback f JOIN feedback_text t ON t.feedback_id = f.id
      WHERE f.kind = ${params.kind} AND ${frame}
    )
    SELECT theme, team, count(*) AS n FROM m WHERE team IS NOT NULL GROUP BY theme, team
    QUALIFY row_number() OVER (PARTITION BY theme ORDER BY n DESC, team) = 1`);
  const drivers: Driver[] = themes
    .map((t, j) => {
      const b = beta[1 + j]!;
      const s = se(1 + j);
      const m = mentions.get(t)!;
      const def = byId.get(t);
      return {
        theme: t,
        name: def?.name ?? t,
        p: def?.p ?? ('product' as P),
        mentions: m,
        share: m / N,
        effect: b,
        low: b - Z95 * s,
        high: b + Z95 * s,
        p_value: pOf(b, s),
        impact: (b * m) / N,
        smallSample: m < 30 || Z95 * s > 20,
        ownerTeam: owners.find((o) => o.theme === t)?.team ?? null,
      };
    })
    .sort(
      (a, b) =>
        Number(a.smallSample) - Number(b.smallSample) ||
        a.effect - b.effect ||
        a.theme.localeCompare(b.theme),
    );
  const findings: Finding[] = drivers
    .filter((d) => d.effect < 0)
    .map((d) => ({
      kind: 'driver',
      p: d.p,
      title: `${d.name}: ${d.effect.toFixed(0)} ${params.kind.toUpperCase()} points when raised (${d.mentions} answers), ${d.impact.toFixed(1)} points overall`,
      slice: { theme: d.theme, ...personaSlice(params) },
      metric: params.kind === 'nps' ? 'NPS points (regression effect)' : 'CSAT points (regression effect)',
      value: d.effect,
      baseline: 0,
      ciLow: d.low,
      ciHigh: d.high,
      n: d.mentions,
      smallSample: d.smallSample,
      score: -d.effect,
      customersAffected: null,
      evidence: {
        analysis: 'feedback.drivers',
        params: { ...params, theme: d.theme },
        impact: d.impact,
        p: d.p_value,
        controls: 'touchpoint fixed effects and all other themes',
      },
      ownerTeam: d.ownerTeam,
    }));
  const fp = { kind: params.kind, from: params.from ?? null, to: params.to ?? null };
  const result: DriversResult = {
    kind: params.kind,
    n: N,
    r2: fit.r2,
    drivers,
    touchpoints: others.map((tp, k) => {
      const j = 1 + themes.length + k;
      return {
        touchpoint: tp,
        effect: beta[j]!,
        low: beta[j]! - Z95 * se(j),
        high: beta[j]! + Z95 * se(j),
        n: tpCount.get(tp)!,
      };
    }),
    reference,
    findings: findings.length,
  };
  return { result, findings, fp };
}

export const driversOperation = defineOperation({
  area: 'feedback',
  verb: 'drivers',
  summary:
    'Which themes move NPS or CSAT: regression on theme presence controlling for touchpoint, with intervals',
  params: DriversParams,
  mode: 'write',
  listField: 'drivers',
  run: (db, params, ctx) => getDrivers(db, params, ctx),
  present: (r) => [
    {
      title: `${r.kind.toUpperCase()} drivers: ${r.n} answers with comments, R² ${r.r2.toFixed(2)}, reference touchpoint ${r.reference ?? '—'}`,
      rows: r.drivers.map((d) => ({
        ...(d.persona ? { persona: d.persona } : {}),
        theme: d.theme,
        p: d.p,
        answers: d.mentions,
        effect: d.effect.toFixed(1),
        '95% interval': `${d.low.toFixed(1)} … ${d.high.toFixed(1)}`,
        impact: d.impact.toFixed(2),
        owner: d.ownerTeam ?? '',
        flag: d.smallSample ? 'small sample' : '',
      })),
    },
  ],
});
