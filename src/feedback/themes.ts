import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { FilterParams, personaSlice, personasToRunEach } from '../core/filters.js';
import { defineOperation, type OperationContext } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { type Finding, type P, writeFindings } from '../findings/index.js';
import { isSmallSample, nps, wilson } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { type AnalysisSummary, analyzeWorkspace } from './analyze.js';
import { answersIn, ownerOf } from './base.js';
import { loadTaxonomy } from './taxonomy.js';

export const ThemesParams = z.object({
  ...TimeFrameParams,
  ...FilterParams,
  discover: z
    .boolean()
    .optional()
    .describe(
      'propose new sub-themes for comments no theme covers (default: only when the taxonomy is empty)',
    ),
  examples: z.number().int().min(0).max(20).default(3).describe('example comments per theme'),
  by: z
    .enum(['none', 'persona'])
    .optional()
    .describe(
      "persona: each persona's themes (newest run) against its own baseline, each naming its persona",
    ),
});
export type ThemesParams = z.output<typeof ThemesParams>;

export interface ThemeStats {
  /** With `--by persona`: the persona (id) whose comments these are. */
  readonly persona?: string;
  readonly id: string;
  readonly p: P;
  readonly name: string;
  readonly status: string;
  /** comments raising the theme */
  readonly volume: number;
  readonly share: number;
  readonly customers: number;
  readonly sentiment: { readonly mean: number; readonly negative: number; readonly positive: number };
  /** share of its comments that are negative, with a Wilson interval */
  readonly negativeShare: { readonly value: number; readonly low: number; readonly high: number };
  /** NPS of the answers whose comment raises the theme */
  readonly nps: {
    readonly value: number | null;
    readonly low: number | null;
    readonly high: number | null;
    readonly n: number;
  };
  readonly trend: readonly { readonly month: string; readonly volume: number }[];
  readonly touchpoints: readonly { readonly touchpoint: string; readonly volume: number }[];
  readonly teams: readonly { readonly team: string; readonly volume: number }[];
  readonly examples: readonly { readonly id: string; readonly text: string; readonly sentiment: number }[];
  readonly smallSample: boolean;
}

export interface ThemesResult {
  readonly comments: number;
  readonly scorer: string;
  readonly baseline: { readonly negativeShare: number; readonly nps: number | null };
  readonly proposals: readonly string[];
  readonly themes: readonly ThemeStats[];
  readonly findings: number;
  /** The sentiment model version (and what it is) behind every figure here. */
  readonly sentimentModel: AnalysisSummary['sentimentModel'];
  /** With `--by persona`: each persona's comments and baseline (`baseline` above is then the first persona's). */
  readonly baselines?: readonly {
    readonly persona: string;
    readonly comments: number;
    readonly negativeShare: number;
    readonly nps: number | null;
  }[];
}

interface AggRow {
  theme: string;
  n: number;
  customers: number;
  neg: number;
  pos: number;
  sentiment: number;
  nps_n: number;
  prom: number;
  det: number;
  neg_customers: number;
}

const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * Themes under the 4 P's: analyses every comment (sentiment + theme assignment, see analyze.ts),
 * then per theme its volume, sentiment, the NPS of those who raise it, monthly trend, touchpoints,
 * owning teams and examples. Themes whose comments are more often negative than comments overall
 * are written as findings of kind `theme`, ranked by how much more often they are negative (points of
 * negative share above the overall share; small samples after the rest). Volume is not the rank: a
 * theme raised often with a normal rate is not a problem (DESIGN.md §4).
 */
export async function getThemes(
  db: Store,
  params: ThemesParams,
  ctx: OperationContext = {},
): Promise<ThemesResult> {
  const now = ctx.now?.() ?? new Date();
  if (params.by === 'persona') return themesByPersona(db, params, ctx, now);
  const r = await themeStats(db, params, ctx, now);
  await writeFindings(db, 'feedback.themes', r.fp, r.findings, now);
  return r.result;
}

/**
 * `--by persona`: the theme statistics of each persona's comments against that persona's own
 * baseline, themes listed persona by persona, the negative ones written as findings naming it.
 */
async function themesByPersona(
  db: Store,
  params: ThemesParams,
  ctx: OperationContext,
  now: Date,
): Promise<ThemesResult> {
  const ids = await personasToRunEach(db, params.persona);
  const themes: ThemeStats[] = [];
  const findings: Finding[] = [];
  const baselines: NonNullable<ThemesResult['baselines']>[number][] = [];
  let first: ThemesResult | null = null;
  for (const persona_id of ids) {
    const r = await themeStats(db, { ...params, by: undefined, persona: persona_id }, ctx, now);
    first ??= r.result;
    themes.push(...r.result.themes.map((t) => ({ persona: persona_id, ...t })));
    findings.push(...r.findings);
    baselines.push({ persona: persona_id, comments: r.result.comments, ...r.result.baseline });
  }
  await writeFindings(
    db,
    'feedback.themes',
    { from: params.from ?? null, to: params.to ?? null, by: 'persona' },
    findings,
    now,
  );
  if (!first) throw new TouchpointError('unavailable', 'by: the newest persona run has no personas');
  return {
    ...first,
    comments: baselines.reduce((a, b) => a + b.comments, 0),
    themes,
    findings: findings.length,
    baselines,
  };
}

async function themeStats(
  db: Store,
  params: ThemesParams,
  ctx: OperationContext,
  now: Date,
): Promise<{ result: ThemesResult; findings: Finding[]; fp: Record<string, unknown> }> {
  const summary = await analyzeWorkspace(db, { discover: params.discover, now }, ctx);
  const taxonomy = await loadTaxonomy(db);
  const byId = new Map(taxonomy.themes.map((t) => [t.id, t]));
  const w = await answersIn(db, params);
  const base = await db.one<{
    n: number;
    neg: number;
    nps_n: number;
    prom: number;
    pas: number;
    det: number;
  }>(sql`
    SELECT count(*) AS n, count(*) FILTER (WHERE t.label = 'negative') AS neg,
      count(*) FILTER (WHERE f.kind = 'nps') AS nps_n,
      count(*) FILTER (WHERE f.kind = 'nps' AND f.score >= 9) AS prom,
      count(*) FILTER (WHERE f.kind = 'nps' AND f.score >= 7 AND f.score < 9) AS pas,
      count(*) FILTER (WHERE f.kind = 'nps' AND f.score <= 6) AS det
    FROM feedback_text t JOIN feedback f ON f.id = t.feedback_id WHERE ${w}`);
  const total = base?.n ?? 0;
  const baseNeg = total > 0 ? (base?.neg ?? 0) / total : 0;
  const baseNps = base && base.nps_n > 0 ? nps(base.prom, base.pas, base.det).value : null;
  const mentions = sql`mentions AS (
    SELECT t.feedback_id, unnest(t.themes) AS theme, t.label, t.score AS sentiment,
      f.kind, f.score, f.touchpoint, f.channel, f.customer_id, f.ts, f.comment, ${ownerOf} AS team
    FROM feedback_text t JOIN feedback f ON f.id = t.feedback_id WHERE ${w}
  )`;
  const agg = await db.all<AggRow>(sql`WITH ${mentions}
    SELECT theme, count(*) AS n, count(DISTINCT customer_id) AS customers,
      count(*) FILTER (WHERE label = 'negative') AS neg, count(*) FILTER (WHERE label = 'positive') AS pos,
      avg(sentiment) AS sentiment,
      count(*) FILTER (WHERE kind = 'nps') AS nps_n,
      count(*) FILTER (WHERE kind = 'nps' AND score >= 9) AS prom,
      count(*) FILTER (WHERE kind = 'nps' AND score <= 6) AS det,
      count(DISTINCT customer_id) FILTER (WHERE label = 'negative') AS neg_customers
    FROM mentions GROUP BY theme ORDER BY n DESC, theme`);
  const parts = await db.all<{ theme: string; dim: string; key: string; n: number }>(sql`WITH ${mentions}
    SELECT theme, 'touchpoint' AS dim, coalesce(touchpoint, '(none)') AS key, count(*) AS n FROM mentions GROUP BY ALL
    UNION ALL
    SELECT theme, 'team', coalesce(team, '(unowned)'), count(*) FROM mentions GROUP BY ALL
    UNION ALL
    SELECT theme, 'month', strftime(ts, '%Y-%m'), count(*) FROM mentions GROUP BY ALL
    ORDER BY theme, dim, n DESC, key`);
  const examples = await db.all<{
    theme: string;
    id: string;
    text: string;
    sentiment: number;
  }>(sql`WITH ${mentions}
    SELECT theme, feedback_id AS id, comment AS text, sentiment FROM mentions
    QUALIFY row_number() OVER (PARTITION BY theme ORDER BY sentiment, feedback_id) <= ${params.examples}
    ORDER BY theme, sentiment, id`);
  const themes: ThemeStats[] = agg.map((r) => {
    const t = byId.get(r.theme);
    const of = (dim: string) => parts.filter((x) => x.theme === r.theme && x.dim === dim);
    const negIv = wilson(r.neg, r.n);
    const npsIv = nps(r.prom, r.nps_n - r.prom - r.det, r.det);
    return {
      id: r.theme,
      p: t?.p ?? 'product',
      name: t?.name ?? r.theme,
      status: t?.status ?? 'unknown',
      volume: r.n,
      share: total > 0 ? r.n / total : 0,
      customers: r.customers,
      sentiment: { mean: r.sentiment, negative: r.neg, positive: r.pos },
      negativeShare: { value: negIv.value, low: negIv.low, high: negIv.high },
      nps: { value: fin(npsIv.value), low: fin(npsIv.low), high: fin(npsIv.high), n: r.nps_n },
      trend: of('month')
        .map((x) => ({ month: x.key, volume: x.n }))
        .sort((a, b) => a.month.localeCompare(b.month)),
      touchpoints: of('touchpoint')
        .slice(0, 5)
        .map((x) => ({ touchpoint: x.key, volume: x.n })),
      teams: of('team')
        .slice(0, 3)
        .map((x) => ({ team: x.key, volume: x.n })),
      examples: examples
        .filter((x) => x.theme === r.theme)
        .map(({ id, text, sentiment }) => ({ id, text, sentiment })),
      smallSample: isSmallSample(negIv),
    };
  });
  const findings: Finding[] = themes
    .filter((t) => t.negativeShare.value > baseNeg)
    .map((t) => {
      const r = agg.find((a) => a.theme === t.id)!;
      return {
        kind: 'theme',
        p: t.p,
        title: `${t.name}: ${Math.round(100 * t.negativeShare.value)}% of ${t.volume} comments negative (overall ${Math.round(100 * baseNeg)}%)`,
        slice: { theme: t.id, ...personaSlice(params) },
        metric: 'negative comment share',
        value: t.negativeShare.value,
        baseline: baseNeg,
        ciLow: t.negativeShare.low,
        ciHigh: t.negativeShare.high,
        n: t.volume,
        smallSample: t.smallSample,
        score: 100 * (t.negativeShare.value - baseNeg),
        customersAffected: r.neg_customers,
        evidence: {
          analysis: 'feedback.themes',
          params: { ...params, theme: t.id },
          sentimentModel: summary.scorer,
          examples: t.examples.map((e) => ({ kind: 'comment' as const, id: e.id, text: e.text })),
          nps: t.nps,
          touchpoints: t.touchpoints,
        },
        ownerTeam: t.teams[0] && t.teams[0].team !== '(unowned)' ? t.teams[0].team : null,
      };
    });
  const result: ThemesResult = {
    comments: summary.comments,
    scorer: summary.scorer,
    baseline: { negativeShare: baseNeg, nps: baseNps },
    proposals: summary.proposals.map((p) => p.id),
    themes,
    findings: findings.length,
    sentimentModel: summary.sentimentModel,
  };
  return { result, findings, fp: { from: params.from ?? null, to: params.to ?? null } };
}

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(100 * x)}%`);

export const themesOperation = defineOperation({
  area: 'feedback',
  verb: 'themes',
  summary:
    'Themes under the 4 P’s in every comment: volume, sentiment, NPS, trend, touchpoints, teams; negative ones as findings',
  params: ThemesParams,
  mode: 'write',
  listField: 'themes',
  run: (db, params, ctx) => getThemes(db, params, ctx),
  present: (r) => [
    {
      title: `${r.comments} comments, sentiment model ${r.scorer}; overall ${pct(r.baseline.negativeShare)} negative${r.proposals.length ? `; proposed ${r.proposals.length} new sub-themes (see feedback taxonomy)` : ''}`,
      rows: r.themes.map((t) => ({
        ...(t.persona ? { persona: t.persona } : {}),
        theme: t.id,
        p: t.p,
        comments: t.volume,
        negative: pct(t.negativeShare.value),
        nps: t.nps.value === null ? '—' : t.nps.value.toFixed(0),
        'top touchpoint': t.touchpoints[0]?.touchpoint ?? '',
        team: t.teams[0]?.team ?? '',
        flag: t.smallSample ? 'small sample' : '',
      })),
    },
  ],
});
