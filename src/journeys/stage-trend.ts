import { z } from 'zod';
import { defineOperation } from '../core/operation.js';
import { validate } from '../core/params.js';
import { TimeFrameParams } from '../core/time.js';
import { listExperiments } from '../experiments/index.js';
import { listPolicies } from '../policies/index.js';
import { type Store, sql } from '../store/index.js';
import { type EmotionFigure, placedAnswers, sentimentOf } from './emotion.js';
import { journeyParam, loadJourney, resolveFrame } from './journey.js';
import { journeyLayer } from './journey-layer.js';
import { type Rate, rate } from './rate.js';

export const StageTrendParams = z.object({
  journey: journeyParam,
  windowDays: z
    .number()
    .positive()
    .default(30)
    .describe('a step into the next stage counts as conversion within this many days (as the map)'),
  placeDays: z
    .number()
    .positive()
    .default(14)
    .describe(
      'an answer without a touchpoint is placed at the respondent’s last own event at most this many days before it (as the emotion curve)',
    ),
  ...TimeFrameParams,
});
export type StageTrendParams = z.input<typeof StageTrendParams>;

/** One stage in one complete month. */
export interface StagePoint {
  /** The month's first day (UTC), `YYYY-MM-01`. */
  readonly month: string;
  /** People with an event in the stage that month (each person once per stage and month). */
  readonly people: number;
  /**
   * Of them, those who reached the next stage within windowDays of their first event there that
   * month, over those whose window had elapsed at as-of or who converted; null at the last stage.
   */
  readonly conversion: Rate | null;
  /** People whose window had not elapsed and who had not converted (left out of the rate). */
  readonly inProgress: number;
  /** Net sentiment of the comments placed at the stage's touchpoints that month (−100…100). */
  readonly sentiment: EmotionFigure;
}

export interface StageTrend {
  readonly stage: string;
  readonly position: number;
  readonly points: readonly StagePoint[];
}

/** A dated change marked on the chart: an experiment's start (and end) or a policy's effective date. */
export interface DatedEvent {
  readonly at: string;
  readonly kind: 'experiment start' | 'experiment end' | 'policy';
  readonly id: string;
  readonly name: string;
  /** Touchpoints a policy names (empty: the whole journey or not said). */
  readonly touchpoints: readonly string[];
}

export interface StageTrendResult {
  readonly journey: string;
  readonly asOf: string;
  readonly windowDays: number;
  /** Complete months only: not the running one, not the one the data starts inside. */
  readonly months: readonly string[];
  readonly stages: readonly StageTrend[];
  readonly events: readonly DatedEvent[];
}

const MONTH = (d: Date) => `${d.toISOString().slice(0, 7)}-01`;
const addMonth = (m: string) => {
  const d = new Date(`${m}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return MONTH(d);
};

/**
 * How each stage moved month by month: the people in the stage, their conversion to the next stage
 * (the map's definition, per month: each person's first event in the stage that month anchors the
 * window) and the net sentiment of the comments placed at the stage's touchpoints (the emotion
 * curve's), each with its 95 % interval and n; plus the experiments and policies dated in the span,
 * to read a step against. Complete months only: the month the data starts inside and the running
 * month (the one holding as-of) are left out, so a half month never reads as a drop.
 */
export async function getStageTrend(db: Store, input: StageTrendParams): Promise<StageTrendResult> {
  const p = validate(StageTrendParams, input);
  const j = await loadJourney(db, p.journey);
  const frame = await resolveFrame(db, p);
  const first = await db.one<{ t: string | null }>(sql`SELECT min(ts)::VARCHAR AS t FROM events`);
  const empty = { journey: j.id, asOf: frame.asOf.toISOString(), windowDays: p.windowDays, events: [] };
  if (!first?.t) return { ...empty, months: [], stages: [] };
  const firstTs = new Date(`${first.t.replace(' ', 'T')}Z`);
  // the first complete month: the data's first month when it starts on its first instant, else the next
  let start = MONTH(firstTs);
  if (new Date(`${start}T00:00:00Z`).getTime() !== firstTs.getTime()) start = addMonth(start);
  if (frame.from && frame.from.getTime() > new Date(`${start}T00:00:00Z`).getTime()) {
    start = MONTH(frame.from);
    if (new Date(`${start}T00:00:00Z`).getTime() !== frame.from.getTime()) start = addMonth(start);
  }
  // the end (exclusive): the month holding as-of is running; a `to` inside a month cuts it off too
  let end = MONTH(frame.asOf);
  if (frame.to && frame.to.getTime() < new Date(`${end}T00:00:00Z`).getTime()) end = MONTH(frame.to);
  const months: string[] = [];
  for (let m = start; m < end; m = addMonth(m)) months.push(m);
  if (months.length === 0) return { ...empty, months: [], stages: [] };
  const from = new Date(`${start}T00:00:00Z`);
  const to = new Date(`${end}T00:00:00Z`);
  const windowS = Math.round(p.windowDays * 86400);
  const layer = await journeyLayer(db, j);
  const conv = await db.all<{
    position: number;
    month: string;
    people: number;
    converted: number;
    in_progress: number;
  }>(sql`
    WITH entry AS (
      SELECT position, pk, date_trunc('month', ts) AS month, min(ts) AS t0,
        arg_min({'ns': next_stage_ts}, ts).ns AS ns
      FROM ${layer}
      WHERE position IS NOT NULL AND ts >= ${from} AND ts < ${to} AND ts <= ${frame.asOf}
      GROUP BY position, pk, month
    ),
    judged AS (
      SELECT position, month,
        ns IS NOT NULL AND ns <= ${frame.asOf} AND ns <= t0 + to_seconds(${windowS}::BIGINT) AS converted,
        t0 + to_seconds(${windowS}::BIGINT) > ${frame.asOf} AS open
      FROM entry
    )
    SELECT position, strftime(month, '%Y-%m-01') AS month, count(*)::INTEGER AS people,
      count(*) FILTER (converted)::INTEGER AS converted,
      count(*) FILTER (NOT converted AND open)::INTEGER AS in_progress
    FROM judged GROUP BY ALL`);
  const placed = placedAnswers(sql`f.ts >= ${from} AND f.ts < ${to} AND f.ts <= ${frame.asOf}`, p.placeDays);
  const sent = await db.all<{ stage: string; month: string; pos: number; neu: number; neg: number }>(sql`
    SELECT jt.stage, strftime(date_trunc('month', f.ts), '%Y-%m-01') AS month,
      count(*) FILTER (t.label = 'positive')::INTEGER AS pos,
      count(*) FILTER (t.label = 'neutral')::INTEGER AS neu,
      count(*) FILTER (t.label = 'negative')::INTEGER AS neg
    FROM (${placed}) f
    JOIN feedback_text t ON t.feedback_id = f.id
    JOIN journey_touchpoints jt ON jt.journey_id = ${j.id} AND jt.touchpoint = f.touchpoint
    WHERE f.comment IS NOT NULL
    GROUP BY ALL`);
  const convBy = new Map(conv.map((r) => [`${r.position}|${r.month}`, r]));
  const sentBy = new Map(sent.map((r) => [`${r.stage}|${r.month}`, r]));
  const last = j.stages.length;
  const stages: StageTrend[] = j.stages.map((stage, i) => ({
    stage,
    position: i + 1,
    points: months.map((month) => {
      const c = convBy.get(`${i + 1}|${month}`);
      const s = sentBy.get(`${stage}|${month}`);
      const people = c?.people ?? 0;
      const inProgress = i + 1 === last ? 0 : (c?.in_progress ?? 0);
      return {
        month,
        people,
        conversion: i + 1 === last ? null : rate(c?.converted ?? 0, people - inProgress),
        inProgress,
        sentiment: sentimentOf(s?.pos ?? 0, s?.neu ?? 0, s?.neg ?? 0),
      };
    }),
  }));
  const inSpan = (iso: string | null) => {
    if (!iso) return false;
    const t = new Date(iso).getTime();
    return t >= from.getTime() && t < to.getTime();
  };
  const events: DatedEvent[] = [];
  for (const e of await listExperiments(db)) {
    if (inSpan(e.start))
      events.push({ at: e.start, kind: 'experiment start', id: e.id, name: e.name, touchpoints: [] });
    if (inSpan(e.end))
      events.push({ at: e.end!, kind: 'experiment end', id: e.id, name: e.name, touchpoints: [] });
  }
  for (const pol of await listPolicies(db))
    if (inSpan(pol.effectiveAt))
      events.push({
        at: pol.effectiveAt,
        kind: 'policy',
        id: pol.id,
        name: pol.name,
        touchpoints: pol.touchpoints,
      });
  events.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  return { ...empty, months, stages, events };
}

const pct = (r: Rate | null) =>
  r?.value === null || r === null ? '' : `${(100 * r.value).toFixed(1)}% (${r.n})`;

export const stageTrendOperation = defineOperation({
  area: 'journey',
  verb: 'stage-trend',
  summary:
    'Each stage month by month: conversion and comment sentiment with intervals and n, with the experiments and policies dated in the span',
  params: StageTrendParams,
  mode: 'read',
  cache: {},
  run: (db, params) => getStageTrend(db, params),
  present: (r) => [
    {
      title: `Conversion to the next stage within ${r.windowDays} days, by complete month (${r.journey}, as of ${r.asOf.slice(0, 10)})`,
      rows: r.months.map((m, k) => ({
        month: m.slice(0, 7),
        ...Object.fromEntries(
          r.stages.filter((s) => s.points[k]?.conversion).map((s) => [s.stage, pct(s.points[k]!.conversion)]),
        ),
      })),
    },
    {
      title: 'Net sentiment of comments (% positive − % negative), by complete month',
      rows: r.months.map((m, k) => ({
        month: m.slice(0, 7),
        ...Object.fromEntries(
          r.stages.map((s) => {
            const f = s.points[k]!.sentiment;
            return [s.stage, f.value === null ? '' : `${f.value.toFixed(0)} (${f.n})`];
          }),
        ),
      })),
    },
    {
      title: 'Dated changes',
      rows: r.events.map((e) => ({ date: e.at.slice(0, 10), kind: e.kind, name: e.name, id: e.id })),
    },
  ],
});
