import { z } from 'zod';
import { defineOperation } from '../core/operation.js';
import { SCORE_SCALES } from '../core/score-scales.js';
import { type Interval, wilson } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { getPersonaCard, type PersonaCard, type Share } from './cards.js';
import { type ListResult, listPersonas } from './runs.js';

/**
 * `touchpoint personas board`: every persona card of the newest run side by side (what the cockpit's
 * Personas page draws, what a workshop prints), each card with two more answers:
 *
 * - **least used touchpoints**: the touchpoints (each at least `MIN_TOUCHPOINT_SHARE` of everyone's
 *   inbound events) whose share among the persona's inbound events is lowest relative to everyone's
 *   (ratio persona share / overall share, ascending) — what this persona avoids;
 * - **pain points**: the touchpoints where the persona's score answers (NPS, CSAT, CES together) are
 *   most often bad — at or below each scale's `badAtMost` (src/core/score-scales.ts) — ranked by the
 *   lower end of the Wilson interval, with at least `MIN_PAIN_ANSWERS` answers, next to everyone's
 *   bad share at that touchpoint.
 */

export const MIN_TOUCHPOINT_SHARE = 0.01;
export const MIN_PAIN_ANSWERS = 20;

export interface PainPoint {
  readonly touchpoint: string;
  /** Share of the persona's answers at this touchpoint that are bad, Wilson interval and n. */
  readonly bad: Interval;
  /** Everyone's bad share at this touchpoint. */
  readonly overall: number;
}

export interface BoardCard extends PersonaCard {
  readonly leastTouchpoints: readonly Share[];
  readonly painPoints: readonly PainPoint[];
}

export interface BoardResult {
  readonly run: ListResult['run'];
  readonly personas: readonly BoardCard[];
}

const num = (x: unknown): number => (x === null || x === undefined ? 0 : Number(x));

async function leastTouchpoints(db: Store, runId: string, personaId: string, top: number): Promise<Share[]> {
  const rows = await db.all<{
    k: string;
    mine: number;
    mine_total: number;
    allk: number;
    all_total: number;
  }>(sql`
    WITH s AS (SELECT e.touchpoint AS k, cp.persona_id = ${personaId} AS mine FROM events e
      JOIN customer_personas cp ON cp.customer_id = e.customer_id AND cp.run_id = ${runId}
      WHERE e.direction = 'inbound'),
    g AS (SELECT k, count(*) FILTER (WHERE mine) AS mine, count(*) AS allk FROM s GROUP BY k),
    t AS (SELECT k, mine, allk, sum(mine) OVER () AS mine_total, sum(allk) OVER () AS all_total FROM g)
    SELECT * FROM t WHERE allk >= ${MIN_TOUCHPOINT_SHARE} * all_total AND mine_total > 0
    ORDER BY (mine / mine_total) / (allk / all_total), k LIMIT ${top}`);
  return rows.map((r) => ({
    name: r.k,
    share: num(r.mine) / num(r.mine_total),
    overall: num(r.allk) / num(r.all_total),
  }));
}

async function painPoints(db: Store, runId: string, personaId: string, top: number): Promise<PainPoint[]> {
  const bad = sql`((f.kind = 'nps' AND f.score <= ${SCORE_SCALES.nps.badAtMost})
    OR (f.kind = 'csat' AND f.score <= ${SCORE_SCALES.csat.badAtMost})
    OR (f.kind = 'ces' AND f.score <= ${SCORE_SCALES.ces.badAtMost}))`;
  const rows = await db.all<{ touchpoint: string; n: number; k: number; all_n: number; all_k: number }>(sql`
    SELECT f.touchpoint, count(*) FILTER (WHERE cp.persona_id = ${personaId}) AS n,
      count(*) FILTER (WHERE cp.persona_id = ${personaId} AND ${bad}) AS k,
      count(*) AS all_n, count(*) FILTER (WHERE ${bad}) AS all_k
    FROM feedback f JOIN customer_personas cp ON cp.customer_id = f.customer_id AND cp.run_id = ${runId}
    WHERE f.kind IN ('nps', 'csat', 'ces') AND f.score IS NOT NULL AND f.touchpoint IS NOT NULL
    GROUP BY f.touchpoint`);
  return rows
    .filter((r) => num(r.n) >= MIN_PAIN_ANSWERS && num(r.k) > 0)
    .map((r) => ({
      touchpoint: r.touchpoint,
      bad: wilson(num(r.k), num(r.n)),
      overall: num(r.all_k) / num(r.all_n),
    }))
    .sort((a, b) => b.bad.low - a.bad.low || a.touchpoint.localeCompare(b.touchpoint))
    .slice(0, top);
}

export async function getBoard(db: Store): Promise<BoardResult> {
  const list = await listPersonas(db);
  const live = list.personas.filter((p) => p.status !== 'retired');
  const personas: BoardCard[] = [];
  for (const p of live) {
    const card = await getPersonaCard(db, { id: p.id });
    personas.push({
      ...card,
      leastTouchpoints: await leastTouchpoints(db, list.run.id, p.id, 3),
      painPoints: await painPoints(db, list.run.id, p.id, 3),
    });
  }
  return { run: list.run, personas };
}

const pc = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '—');

export const boardOperation = defineOperation({
  area: 'personas',
  verb: 'board',
  summary: 'Every persona card side by side, with least used touchpoints and pain points',
  params: z.object({}),
  mode: 'read',
  run: (db) => getBoard(db),
  present: (r) => [
    {
      rows: r.personas.map((c) => ({
        id: c.id,
        name: c.name,
        customers: c.size,
        share: pc(c.share),
        'revenue share': pc(c.revenueShare),
        churn: `${pc(c.churn.value)} (${pc(c.churn.low)} … ${pc(c.churn.high)})`,
        'least used': c.leastTouchpoints.map((t) => t.name).join(', ') || '—',
        'pain points':
          c.painPoints
            .map((x) => `${x.touchpoint} ${pc(x.bad.value)} bad (all ${pc(x.overall)})`)
            .join(', ') || '—',
      })),
    },
  ],
});
