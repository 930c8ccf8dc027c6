import { z } from 'zod';
import { FilterParams, filterSql, resolveFilters } from '../core/filters.js';
import { defineOperation } from '../core/operation.js';
import { validate } from '../core/params.js';
import { scaleSpan } from '../core/score-scales.js';
import { TimeFrameParams } from '../core/time.js';
import { isSmallSample, mean } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import {
  HOUR,
  journeyParam,
  loadJourney,
  ownerJoin,
  PERSON,
  personOf,
  resolveFrame,
  round,
} from './journey.js';
import { journeyLayer } from './journey-layer.js';
import { personIndex } from './person-index.js';
import { type Rate, rate } from './rate.js';

export const MapParams = z.object({
  journey: journeyParam,
  windowDays: z
    .number()
    .positive()
    .default(30)
    .describe('a step into the next stage counts as conversion within this many days'),
  contactDays: z
    .number()
    .positive()
    .default(7)
    .describe('contact rate: cases opened within this many days after the touchpoint'),
  feedbackKind: z
    .enum(['csat', 'nps', 'ces'])
    .default('csat')
    .describe('which score the emotion column averages'),
  ...TimeFrameParams,
  ...FilterParams,
});
export type MapParams = z.input<typeof MapParams>;

export interface Score {
  readonly mean: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly n: number;
  readonly smallSample: boolean;
}

export interface MapCell {
  readonly stage: string;
  readonly position: number;
  readonly touchpoint: string;
  readonly channel: string;
  readonly owner: string | null;
  /** Distinct people with an inbound event at this touchpoint on this channel in the period. */
  readonly customers: number;
  /** customers / distinct people with any inbound event in the stage. */
  readonly shareOfStage: number;
  /**
   * People with an event in the next stage within windowDays after their first event here, over the
   * people whose window had elapsed at as-of or who converted. Null at the last stage.
   */
  readonly conversion: Rate | null;
  readonly inProgress: number;
  readonly medianHoursToNext: number | null;
  readonly p90HoursToNext: number | null;
  /** Mean feedback score given at this touchpoint and channel in the period (feedbackKind). */
  readonly feedback: Score;
  /** People with a case opened within contactDays after their first event here / customers. */
  readonly contactRate: Rate;
}

/**
 * One touchpoint of the journey with its people, by the one counting rule every panel uses (the map's
 * cards, the assumed-vs-observed check, the worst-touchpoint list): distinct people (stitched, the
 * person index's key) with any event there in the period, whoever started it. `inbound` = people who
 * acted there themselves (what conversion and time to next stage are measured on); `outbound` = people
 * the company reached there (an order confirmation, a shipping notice).
 */
export interface TouchpointPeople {
  readonly stage: string;
  readonly position: number;
  readonly touchpoint: string;
  readonly people: number;
  readonly inbound: number;
  readonly outbound: number;
  readonly owner: string | null;
}

export interface OutboundRow {
  readonly stage: string | null;
  readonly channel: string;
  readonly contacts: number;
  readonly peopleContacted: number;
  /** contacts / people reached by the journey in the period. */
  readonly perCustomer: number;
}

export interface MapResult {
  readonly journey: string;
  readonly stages: readonly string[];
  readonly from: string | null;
  readonly to: string | null;
  readonly asOf: string;
  readonly people: number;
  readonly cells: readonly MapCell[];
  /** Every touchpoint mapped to a stage with its people (inbound and outbound: `TouchpointPeople`). */
  readonly touchpoints: readonly TouchpointPeople[];
  readonly outbound: readonly OutboundRow[];
}

interface CellRow {
  stage: string;
  position: number;
  touchpoint: string;
  channel: string;
  owner: string | null;
  customers: number;
  stage_people: number;
  converted: number;
  in_progress: number;
  med: number | null;
  p90: number | null;
  contacted: number;
  people: number;
}

/**
 * The live journey map: one row per stage × touchpoint × channel of the journey's inbound events.
 * Each person's first event in the cell anchors the conversion, time-to-next-stage and contact-rate
 * figures; see MapCell for each definition.
 */
export async function getJourneyMap(db: Store, input: MapParams): Promise<MapResult> {
  const p = validate(MapParams, input);
  const j = await loadJourney(db, p.journey);
  const frame = await resolveFrame(db, p);
  const lastPosition = j.stages.length;
  const windowSeconds = Math.round(p.windowDays * 86400);
  const contactSeconds = Math.round(p.contactDays * 86400);
  // the shared filters (segment, channel, persona) narrow the people and records the map counts
  const filters = await resolveFilters(db, p);
  const who = filterSql(filters, { customer: sql`customer_id`, channel: sql`channel` });
  const inRange = sql`ts >= coalesce(${frame.from}::TIMESTAMP, TIMESTAMP '-infinity') AND ts < coalesce(${frame.to}::TIMESTAMP, TIMESTAMP 'infinity')
    AND ${who}`;
  // each cell's first event per person, with the first event of the next stage at or after it
  const layer = await journeyLayer(db, j);
  const cells = await db.all<CellRow>(sql`
    WITH cell AS (${
      frame.from
        ? sql`SELECT stage, position, touchpoint, channel, pk AS person, min(ts) AS t0,
              arg_min({'ns': next_stage_ts}, ts).ns AS ns
            FROM ${layer} WHERE position IS NOT NULL AND ts <= ${frame.asOf} AND ${inRange}
            GROUP BY stage, position, touchpoint, channel, pk`
        : // the period starts at the beginning: each person's first event in the cell opens it
          sql`SELECT stage, position, touchpoint, channel, pk AS person, ts AS t0, next_stage_ts AS ns
            FROM ${layer} WHERE first_in_cell AND ts <= ${frame.asOf} AND ${inRange}`
    }),
    stage_people AS (SELECT position, count(DISTINCT person) AS n FROM cell GROUP BY position),
    case_times AS (
      SELECT ${personOf('customer_id')} AS person, list(opened_at) AS times FROM cases
      WHERE customer_id IS NOT NULL AND opened_at <= ${frame.asOf} GROUP BY ALL
    ),
    conv AS (
      SELECT c.*,
        CASE WHEN c.ns <= ${frame.asOf} AND c.ns <= c.t0 + to_seconds(${windowSeconds}::BIGINT) THEN c.ns END AS next_ts,
        len(list_filter(k.times, x -> x > c.t0 AND x <= c.t0 + to_seconds(${contactSeconds}::BIGINT))) > 0 AS contacted
      FROM cell c
      LEFT JOIN case_times k ON k.person = c.person
    ),
    agg AS (
      SELECT stage, position, touchpoint, channel, count(*) AS customers,
        count(next_ts) AS converted,
        count(*) FILTER (next_ts IS NULL AND t0 + to_seconds(${windowSeconds}::BIGINT) > ${frame.asOf}) AS in_progress,
        median(epoch(next_ts) - epoch(t0)) AS med,
        quantile_cont(epoch(next_ts) - epoch(t0), 0.9) AS p90,
        count(*) FILTER (contacted) AS contacted
      FROM conv GROUP BY ALL
    )
    SELECT a.*, sp.n AS stage_people, (SELECT count(DISTINCT person) FROM cell) AS people, ${ownerJoin(sql`a.touchpoint`, sql`a.channel`)} AS owner
    FROM agg a JOIN stage_people sp USING (position)
    ORDER BY a.position, a.customers DESC, a.touchpoint, a.channel`);

  const fb = await db.all<{
    touchpoint: string;
    channel: string | null;
    n: number;
    s: number;
    ss: number;
  }>(sql`
    SELECT touchpoint, channel, count(*) AS n, sum(score) AS s, sum(score * score) AS ss
    FROM feedback
    WHERE kind = ${p.feedbackKind} AND score IS NOT NULL AND touchpoint IS NOT NULL AND ts <= ${frame.asOf}
      AND ${inRange}
    GROUP BY ALL`);
  // a score's interval is judged on its scale's range: ±10% of it, like ±10 points for a rate
  const range = scaleSpan(p.feedbackKind);
  const fbKey = new Map(fb.map((f) => [`${f.touchpoint}\u001f${f.channel ?? ''}`, f]));

  const outbound = await db.all<{
    stage: string | null;
    channel: string;
    contacts: number;
    people: number;
  }>(sql`
    SELECT coalesce(jt.stage, ev.stage) AS stage, ev.channel, count(*) AS contacts,
      count(DISTINCT ${PERSON}) AS people
    FROM events ev
    LEFT JOIN journey_touchpoints jt ON jt.journey_id = ${j.id} AND jt.touchpoint = ev.touchpoint
    WHERE ev.direction = 'outbound' AND ev.ts <= ${frame.asOf} AND ${inRange}
    GROUP BY ALL ORDER BY contacts DESC, stage, channel`);
  const totalPeople = cells[0]?.people ?? 0;
  // the one counting rule for people at a touchpoint (the same person index as `journey check`)
  const idx = await personIndex(db);
  const tps = await db.all<{
    stage: string;
    touchpoint: string;
    people: number;
    inbound: number;
    outbound: number;
    owner: string | null;
  }>(sql`
    SELECT jt.stage, x.touchpoint, x.people, x.inbound, x.outbound,
      ${ownerJoin(sql`x.touchpoint`, sql`NULL`)} AS owner
    FROM (
      -- one pass: each person once per touchpoint, with whether they acted there and were reached there
      SELECT touchpoint, count(*) AS people, count(*) FILTER (i) AS inbound, count(*) FILTER (o) AS outbound
      FROM (
        SELECT touchpoint, pk, bool_or(inbound) AS i, bool_or(NOT inbound) AS o
        FROM ${idx} WHERE ts <= ${frame.asOf} AND ${inRange} GROUP BY touchpoint, pk
      ) GROUP BY touchpoint
    ) x
    JOIN journey_touchpoints jt ON jt.journey_id = ${j.id} AND jt.touchpoint = x.touchpoint
    ORDER BY x.people DESC, x.touchpoint`);

  return {
    journey: j.id,
    stages: j.stages,
    from: frame.from?.toISOString() ?? null,
    to: frame.to?.toISOString() ?? null,
    asOf: frame.asOf.toISOString(),
    people: totalPeople,
    cells: cells.map((c) => {
      const f = fbKey.get(`${c.touchpoint}\u001f${c.channel}`);
      const m = f ? mean({ n: f.n, sum: f.s, sumSq: f.ss }) : null;
      return {
        stage: c.stage,
        position: c.position,
        touchpoint: c.touchpoint,
        channel: c.channel,
        owner: c.owner,
        customers: c.customers,
        shareOfStage: round(c.customers / c.stage_people) ?? 0,
        conversion: c.position === lastPosition ? null : rate(c.converted, c.customers - c.in_progress),
        inProgress: c.position === lastPosition ? 0 : c.in_progress,
        medianHoursToNext: c.med === null ? null : round(c.med / HOUR),
        p90HoursToNext: c.p90 === null ? null : round(c.p90 / HOUR),
        feedback: m
          ? {
              mean: round(m.value),
              low: round(m.low),
              high: round(m.high),
              n: m.n,
              smallSample:
                !Number.isFinite(m.low) ||
                isSmallSample({ n: m.n, low: m.low / range, high: m.high / range }),
            }
          : { mean: null, low: null, high: null, n: 0, smallSample: true },
        contactRate: rate(c.contacted, c.customers),
      };
    }),
    touchpoints: tps
      .filter((t) => j.stages.includes(t.stage))
      .map((t) => ({
        stage: t.stage,
        position: j.stages.indexOf(t.stage) + 1,
        touchpoint: t.touchpoint,
        people: t.people,
        inbound: t.inbound,
        outbound: t.outbound,
        owner: t.owner,
      }))
      .sort((a, b) => a.position - b.position || b.people - a.people),
    outbound: outbound.map((o) => ({
      stage: o.stage,
      channel: o.channel,
      contacts: o.contacts,
      peopleContacted: o.people,
      perCustomer: totalPeople ? (round(o.contacts / totalPeople) ?? 0) : 0,
    })),
  };
}

const pct = (r: Rate | null) => (r?.value === null || r === null ? null : round(100 * r.value, 1));

export const mapOperation = defineOperation({
  area: 'journey',
  verb: 'map',
  summary:
    'The live journey map: stage × touchpoint × channel with reach, conversion, time, emotion, contact rate, owner',
  params: MapParams,
  mode: 'read',
  cache: {},
  listField: 'cells',
  run: (db, params) => getJourneyMap(db, params),
  present: (r) => [
    {
      title: `Journey ${r.journey}: ${r.stages.join(' → ')} (${r.people} people, as of ${r.asOf.slice(0, 16)})`,
      rows: r.cells.map((c) => ({
        stage: c.stage,
        touchpoint: c.touchpoint,
        channel: c.channel,
        customers: c.customers,
        'share %': round(100 * c.shareOfStage, 1),
        'conv. %': pct(c.conversion),
        'median h': c.medianHoursToNext,
        'p90 h': c.p90HoursToNext,
        score: c.feedback.mean,
        'score n': c.feedback.n,
        'contact %': pct(c.contactRate),
        owner: c.owner,
      })),
    },
    { title: 'Outbound contacts', rows: r.outbound.map((o) => ({ ...o })) },
  ],
});
