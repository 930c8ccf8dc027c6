import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation } from '../core/operation.js';
import { type Interval, mean, nps, wilson } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { descriptionOf } from './describe.js';
import { latestRun, type PersonaRow, personasOf } from './runs.js';

/**
 * A persona card (docs/personas.md, "Cards"): who they are (size, share, value, revenue share), how
 * they reach the company (preferred channels, most used touchpoints), what they need (contact reasons,
 * themes of their comments), how they fare (NPS, CSAT, CES, churn — each with n and a 95% interval)
 * and the plain-words description of what sets them apart. All figures are over the persona's members
 * in the newest run; shares of channels and touchpoints are of inbound events.
 */

export const ShowParams = z.object({ id: z.string().min(1).describe('persona id (p1, p2, …)') });

export interface Share {
  readonly name: string;
  readonly share: number;
  /** The same share among all customers. */
  readonly overall: number;
}

export interface PersonaCard {
  readonly runId: string;
  readonly id: string;
  readonly name: string;
  readonly note: string | null;
  readonly status: PersonaRow['status'];
  readonly stability: PersonaRow['stability'];
  readonly jaccard: number | null;
  readonly size: number;
  readonly share: number;
  /** Mean monthly value with its t interval. */
  readonly value: Interval;
  readonly revenueShare: number;
  readonly channels: readonly Share[];
  readonly touchpoints: readonly Share[];
  readonly contactReasons: readonly Share[];
  /** Cases per member (support contacts), and the share of members with at least one. */
  readonly contactRate: number;
  readonly themes: readonly Share[];
  readonly nps: Interval;
  /** Share of CSAT answers 4–5, Wilson interval. */
  readonly csat: Interval;
  /** Mean CES (1–7, higher is easier), t interval. */
  readonly ces: Interval;
  /** Share of members who churned, Wilson interval. */
  readonly churn: Interval;
  readonly description: string;
  readonly distinguishing: PersonaRow['distinguishing'];
}

const num = (x: unknown): number => (x === null || x === undefined ? 0 : Number(x));

/** Shares of `key` among members and among everyone, the `top` largest by members' share. */
async function shares(
  db: Store,
  runId: string,
  personaId: string,
  rel: 'channel' | 'touchpoint' | 'reason' | 'theme',
  top: number,
): Promise<Share[]> {
  const source =
    rel === 'channel' || rel === 'touchpoint'
      ? sql`SELECT customer_id, ${rel === 'channel' ? sql`channel` : sql`touchpoint`} AS k FROM events
          WHERE customer_id IS NOT NULL AND direction = 'inbound'`
      : rel === 'reason'
        ? sql`SELECT customer_id, reason AS k FROM cases WHERE customer_id IS NOT NULL AND reason IS NOT NULL`
        : sql`SELECT f.customer_id, t.primary_theme AS k FROM feedback f JOIN feedback_text t ON t.feedback_id = f.id
            WHERE f.customer_id IS NOT NULL AND t.primary_theme IS NOT NULL`;
  const rows = await db.all<{
    k: string;
    mine: number;
    allk: number;
    mine_total: number;
    all_total: number;
  }>(sql`
    WITH s AS (SELECT s.k, cp.persona_id = ${personaId} AS mine FROM (${source}) s
      JOIN customer_personas cp ON cp.customer_id = s.customer_id AND cp.run_id = ${runId}),
    g AS (SELECT k, count(*) FILTER (WHERE mine) AS mine, count(*) AS allk FROM s GROUP BY k)
    SELECT k, mine, allk, sum(mine) OVER () AS mine_total, sum(allk) OVER () AS all_total FROM g
    ORDER BY mine DESC, k LIMIT ${top}`);
  return rows
    .filter((r) => num(r.mine) > 0)
    .map((r) => ({
      name: r.k,
      share: num(r.mine) / num(r.mine_total),
      overall: num(r.allk) / num(r.all_total),
    }));
}

export async function getPersonaCard(db: Store, params: z.output<typeof ShowParams>): Promise<PersonaCard> {
  const run = await latestRun(db);
  const p = (await personasOf(db, run.id)).find((x) => x.id === params.id);
  if (!p) throw new TouchpointError('not_found', `no persona ${params.id} in run ${run.id}`);
  const base = await db.one<{
    n: number;
    value_n: number;
    value_sum: number;
    value_ss: number;
    revenue: number;
    revenue_all: number;
    churned: number;
  }>(sql`SELECT count(*) FILTER (WHERE mine) AS n,
      count(c.monthly_value) FILTER (WHERE mine) AS value_n,
      sum(c.monthly_value) FILTER (WHERE mine) AS value_sum,
      sum(c.monthly_value * c.monthly_value) FILTER (WHERE mine) AS value_ss,
      sum(c.monthly_value) FILTER (WHERE mine) AS revenue,
      sum(c.monthly_value) AS revenue_all,
      count(*) FILTER (WHERE mine AND (c.churned_at IS NOT NULL OR coalesce(c.churned, false))) AS churned
    FROM (SELECT customer_id, persona_id = ${p.id} AS mine FROM customer_personas WHERE run_id = ${run.id}) cp
    JOIN customers c ON c.id = cp.customer_id`);
  const fb = await db.one<Record<string, number>>(sql`SELECT
      count(*) FILTER (WHERE kind = 'nps' AND score >= 9) AS promoters,
      count(*) FILTER (WHERE kind = 'nps' AND score BETWEEN 7 AND 8) AS passives,
      count(*) FILTER (WHERE kind = 'nps' AND score <= 6) AS detractors,
      count(*) FILTER (WHERE kind = 'csat') AS csat_n,
      count(*) FILTER (WHERE kind = 'csat' AND score >= 4) AS csat_top,
      count(*) FILTER (WHERE kind = 'ces') AS ces_n,
      sum(score) FILTER (WHERE kind = 'ces') AS ces_sum,
      sum(score * score) FILTER (WHERE kind = 'ces') AS ces_ss
    FROM feedback f JOIN customer_personas cp ON cp.customer_id = f.customer_id
    WHERE cp.run_id = ${run.id} AND cp.persona_id = ${p.id}`);
  const cases = await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM cases c
    JOIN customer_personas cp ON cp.customer_id = c.customer_id WHERE cp.run_id = ${run.id} AND cp.persona_id = ${p.id}`);
  const n = num(base?.n);
  const [channels, touchpoints, contactReasons, themes] = await Promise.all([
    shares(db, run.id, p.id, 'channel', 3),
    shares(db, run.id, p.id, 'touchpoint', 5),
    shares(db, run.id, p.id, 'reason', 3),
    shares(db, run.id, p.id, 'theme', 3),
  ]);
  return {
    runId: run.id,
    id: p.id,
    name: p.name,
    note: p.note,
    status: p.status,
    stability: p.stability,
    jaccard: p.jaccard,
    size: n,
    share: run.customers > 0 ? n / run.customers : 0,
    value: mean({ n: num(base?.value_n), sum: num(base?.value_sum), sumSq: num(base?.value_ss) }),
    revenueShare: num(base?.revenue_all) > 0 ? num(base?.revenue) / num(base?.revenue_all) : 0,
    channels,
    touchpoints,
    contactReasons,
    contactRate: n > 0 ? num(cases?.n) / n : 0,
    themes,
    nps: nps(num(fb?.promoters), num(fb?.passives), num(fb?.detractors)),
    csat: wilson(num(fb?.csat_top), num(fb?.csat_n)),
    ces: mean({ n: num(fb?.ces_n), sum: num(fb?.ces_sum), sumSq: num(fb?.ces_ss) }),
    churn: wilson(num(base?.churned), n),
    description: descriptionOf(p.distinguishing),
    distinguishing: p.distinguishing,
  };
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');
const pc = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '—');
const iv = (i: Interval, fmt: (x: number) => string) =>
  `${fmt(i.value)} (${fmt(i.low)} … ${fmt(i.high)}, n=${i.n})`;
const list = (xs: readonly Share[]) =>
  xs.map((x) => `${x.name} ${Math.round(100 * x.share)}% (all ${Math.round(100 * x.overall)}%)`).join(', ') ||
  '—';

export const showOperation = defineOperation({
  area: 'personas',
  verb: 'show',
  summary: "A persona's card: size, value, channels, needs, scores and churn with intervals, description",
  params: ShowParams,
  mode: 'read',
  positional: ['id'],
  run: (db, params) => getPersonaCard(db, params),
  present: (c) => [
    { title: `${c.id} — ${c.name}${c.note ? ` (${c.note})` : ''}`, text: c.description },
    {
      rows: [
        { figure: 'customers', value: `${c.size} (${pc(c.share)} of all)` },
        { figure: 'monthly value', value: iv(c.value, f1) },
        { figure: 'revenue share', value: pc(c.revenueShare) },
        { figure: 'preferred channels', value: list(c.channels) },
        { figure: 'most used touchpoints', value: list(c.touchpoints) },
        { figure: 'support cases per customer', value: c.contactRate.toFixed(2) },
        { figure: 'top contact reasons', value: list(c.contactReasons) },
        { figure: 'themes they raise', value: list(c.themes) },
        { figure: 'NPS', value: iv(c.nps, f1) },
        { figure: 'CSAT (4–5)', value: iv(c.csat, pc) },
        { figure: 'CES (1–7)', value: iv(c.ces, (x) => (Number.isFinite(x) ? x.toFixed(2) : '—')) },
        { figure: 'churn', value: iv(c.churn, pc) },
        { figure: 'stability', value: `${c.stability} (bootstrap Jaccard ${c.jaccard?.toFixed(2) ?? '—'})` },
      ],
    },
  ],
});
