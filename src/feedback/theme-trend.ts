import { z } from 'zod';
import { FilterParams, resolveFilters } from '../core/filters.js';
import { defineOperation } from '../core/operation.js';
import { validate } from '../core/params.js';
import { instant, resolveInstant, resolveTimeFrame, TimeFrameParams } from '../core/time.js';
import { isSmallSample, twoProportions, wilson } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { window } from './base.js';

export const ThemeTrendParams = z.object({
  theme: z.string().min(1).optional().describe('the theme to follow (default: the most raised themes)'),
  top: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(5)
    .describe('without --theme: how many of the most raised themes'),
  by: z.enum(['week', 'month']).default('week').describe('the period of each point'),
  at: instant
    .optional()
    .describe(
      'a dated change (e.g. a policy from 2026-05-01): the theme before vs from this date, with its test',
    ),
  ...TimeFrameParams,
  ...FilterParams,
});
export type ThemeTrendParams = z.input<typeof ThemeTrendParams>;

/** A share with its Wilson 95 % interval (0…1) and what it is out of. */
export interface Share {
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly n: number;
  readonly smallSample: boolean;
}

export interface ThemePoint {
  /** Start of the week (Monday) or month, `YYYY-MM-DD`. */
  readonly period: string;
  /** Comments raising the theme. */
  readonly mentions: number;
  /** All comments of the period. */
  readonly comments: number;
  /** mentions / comments. */
  readonly share: Share;
  /** Negative comments among the mentions (the theme's sentiment). */
  readonly negative: Share;
}

export interface BeforeAfter {
  readonly at: string;
  readonly before: { readonly share: Share; readonly negative: Share };
  readonly after: { readonly share: Share; readonly negative: Share };
  /** after − before of the share of comments raising the theme, with its 95 % interval and p. */
  readonly shareChange: {
    readonly difference: number;
    readonly low: number;
    readonly high: number;
    readonly p: number;
  };
  /** after − before of the negative share among its mentions. */
  readonly negativeChange: {
    readonly difference: number;
    readonly low: number;
    readonly high: number;
    readonly p: number;
  } | null;
  readonly significant: boolean;
}

export interface ThemeTrend {
  readonly theme: string;
  readonly mentions: number;
  readonly points: readonly ThemePoint[];
  readonly beforeAfter: BeforeAfter | null;
}

export interface ThemeTrendResult {
  readonly by: 'week' | 'month';
  readonly themes: readonly ThemeTrend[];
  /**
   * Comments in the period that the text analysis has not read yet (it runs with `feedback themes`,
   * a write): they are not in the figures. A read never writes the analysis itself.
   */
  readonly unanalysed: number;
}

function share(k: number, n: number): Share {
  if (n === 0) return { value: null, low: null, high: null, n: 0, smallSample: true };
  const iv = wilson(k, n);
  return { value: iv.value, low: iv.low, high: iv.high, n, smallSample: isSmallSample(iv) };
}

function change(k1: number, n1: number, k0: number, n0: number) {
  if (n1 === 0 || n0 === 0) return null;
  const t = twoProportions(k1, n1, k0, n0);
  return { difference: t.difference, low: t.low, high: t.high, p: t.p };
}

/**
 * Themes over time: per week (or month) the comments raising a theme, their share of all comments
 * and the negative share among them, each with its Wilson 95 % interval; with `at`, the theme before
 * vs from that date (two-proportion z-tests on both shares), so a dated change shows as a step and is
 * tested. Themes and sentiment are the text analysis's (`feedback themes`): comments it has not read
 * yet are counted in `unanalysed`, not analysed here (a read must not write, nor race another writer).
 */
export async function getThemeTrend(db: Store, input: ThemeTrendParams): Promise<ThemeTrendResult> {
  const p = validate(ThemeTrendParams, input);
  const frame = await resolveTimeFrame(db, p);
  const filters = await resolveFilters(db, p);
  const at = await resolveInstant(db, p.at, 'at');
  const grain = p.by === 'week' ? sql`'week'` : sql`'month'`;
  const base = sql`
    SELECT f.ts, date_trunc(${grain}, f.ts)::DATE::VARCHAR AS period, t.themes, t.label
    FROM feedback f JOIN feedback_text t ON t.feedback_id = f.id
    WHERE f.comment IS NOT NULL AND ${window(frame, filters)}`;
  const themes = p.theme
    ? [p.theme]
    : (
        await db.all<{ theme: string }>(sql`
          SELECT theme FROM (SELECT unnest(themes) AS theme FROM (${base}))
          GROUP BY theme ORDER BY count(*) DESC, theme LIMIT ${p.top}`)
      ).map((r) => r.theme);
  const out: ThemeTrend[] = [];
  // every theme's counts per period in one pass (the base read once, not once per theme)
  const SEP = '\u001f';
  const wanted = sql`string_split(${themes.join(SEP)}, ${SEP})`;
  const all =
    themes.length === 0
      ? []
      : await db.all<{
          theme: string;
          period: string;
          comments: number;
          mentions: number;
          negative: number;
        }>(sql`
      WITH b AS (${base}),
      totals AS (SELECT period, count(*) AS comments FROM b GROUP BY period),
      m AS (
        SELECT period, theme, count(*) AS mentions, count(*) FILTER (label = 'negative') AS negative
        FROM (SELECT period, label, unnest(list_distinct(themes)) AS theme FROM b)
        WHERE list_contains(${wanted}, theme) GROUP BY ALL
      )
      SELECT th.theme, t.period, t.comments, coalesce(m.mentions, 0) AS mentions, coalesce(m.negative, 0) AS negative
      FROM totals t CROSS JOIN (SELECT unnest(${wanted}) AS theme) th
      LEFT JOIN m ON m.period = t.period AND m.theme = th.theme
      ORDER BY th.theme, t.period`);
  for (const theme of themes) {
    const rows = all.filter((r) => r.theme === theme);
    const points = rows.map((r) => ({
      period: r.period,
      mentions: Number(r.mentions),
      comments: Number(r.comments),
      share: share(Number(r.mentions), Number(r.comments)),
      negative: share(Number(r.negative), Number(r.mentions)),
    }));
    let beforeAfter: BeforeAfter | null = null;
    if (at) {
      const ba = await db.all<{ after: boolean; comments: number; mentions: number; negative: number }>(sql`
        SELECT ts >= ${at}::TIMESTAMP AS after, count(*) AS comments,
          count(*) FILTER (list_contains(themes, ${theme})) AS mentions,
          count(*) FILTER (list_contains(themes, ${theme}) AND label = 'negative') AS negative
        FROM (${base}) GROUP BY ALL`);
      const b = ba.find((r) => !r.after) ?? { comments: 0, mentions: 0, negative: 0 };
      const a = ba.find((r) => r.after) ?? { comments: 0, mentions: 0, negative: 0 };
      const [bc, bm, bn, ac, am, an] = [
        b.comments,
        b.mentions,
        b.negative,
        a.comments,
        a.mentions,
        a.negative,
      ].map(Number) as [number, number, number, number, number, number];
      const sc = change(am, ac, bm, bc);
      if (sc) {
        const nc = change(an, am, bn, bm);
        beforeAfter = {
          at: at.toISOString(),
          before: { share: share(bm, bc), negative: share(bn, bm) },
          after: { share: share(am, ac), negative: share(an, am) },
          shareChange: sc,
          negativeChange: nc,
          significant: sc.p < 0.05,
        };
      }
    }
    out.push({ theme, mentions: points.reduce((s, x) => s + x.mentions, 0), points, beforeAfter });
  }
  const missing = await db.one<{ n: number }>(sql`
    SELECT count(*) AS n FROM feedback f
    WHERE f.comment IS NOT NULL AND trim(f.comment) <> '' AND ${window(frame, filters)}
      AND NOT EXISTS (SELECT 1 FROM feedback_text t WHERE t.feedback_id = f.id)`);
  return { by: p.by, themes: out, unanalysed: Number(missing?.n ?? 0) };
}

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);

export const themeTrendOperation = defineOperation({
  area: 'feedback',
  verb: 'theme-trend',
  summary:
    'Themes over time: share of comments and negative share by week or month with intervals, and a before/after test for a date',
  params: ThemeTrendParams,
  mode: 'read',
  cache: {},
  run: (db, params) => getThemeTrend(db, params),
  present: (r) => [
    ...(r.unanalysed > 0
      ? [
          {
            text: `${r.unanalysed} comments are not analysed yet: run \`touchpoint feedback themes\` to include them.`,
          },
        ]
      : []),
    ...r.themes.flatMap((t) => [
      {
        title: `${t.theme}: ${t.mentions} comments, by ${r.by}`,
        rows: t.points.map((x) => ({
          [r.by]: x.period,
          mentions: x.mentions,
          comments: x.comments,
          share: pct(x.share.value),
          '95% interval': `${pct(x.share.low)} – ${pct(x.share.high)}`,
          negative: pct(x.negative.value),
        })),
      },
      ...(t.beforeAfter
        ? [
            {
              text: `From ${t.beforeAfter.at.slice(0, 10)}: ${pct(t.beforeAfter.before.share.value)} → ${pct(t.beforeAfter.after.share.value)} of comments raise ${t.theme} (change ${pct(t.beforeAfter.shareChange.difference)}, 95% interval ${pct(t.beforeAfter.shareChange.low)} – ${pct(t.beforeAfter.shareChange.high)}, p = ${t.beforeAfter.shareChange.p.toPrecision(2)}${t.beforeAfter.significant ? '' : ', not significant'}).`,
            },
          ]
        : []),
    ]),
  ],
});
