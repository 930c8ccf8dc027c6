import { z } from 'zod';
import { caseMetricsCtes } from '../cases/index.js';
import { TouchpointError } from '../core/errors.js';
import { defineOperation } from '../core/operation.js';
import { resolveInstant, TimeFrameParams } from '../core/time.js';
import { join, raw, type SqlFragment, type Store, sql } from '../store/index.js';

/**
 * Behavioural features per customer, computed in the engine (docs/personas.md, "Features"). Every
 * count is over the customer's *inbound* events (what the customer did; outbound messages are what
 * the company did) before `as_of`. "Life" is from sign-up (`customers.created_at`, else the first
 * event) to `as_of` or churn, whichever is first, at least 30 days so a new customer's rates are not
 * inflated: `months = greatest(life_days, 30) / 30`.
 *
 * | feature | formula |
 * |---|---|
 * | events | inbound events |
 * | active_days | distinct calendar days (UTC) with an inbound event |
 * | frequency | active_days / months (active days a month) |
 * | tenure_days | as_of − sign-up, in days |
 * | recency_days | as_of − last inbound event, in days (null without events) |
 * | value | customers.monthly_value |
 * | breadth | distinct touchpoints used |
 * | stage_reached | position of the furthest stage of the default journey reached (1 = first) |
 * | stage_share | stage_reached / number of stages of that journey |
 * | channel mix | share of the customer's channel-days per channel (the `channels` most used in the data): a
 *   channel-day is a UTC day with at least one inbound event on that channel, so the five clicks of one
 *   web order count once, as one visit, and a customer's mix is not a few lumpy sessions |
 * | self_service_share | share of channel-days on a channel that is not staffed (not phone, chat or store) |
 * | switch_rate | consecutive channel-days (ordered by their first event) on different channels / consecutive
 *   pairs of channel-days: a visit that moves from web to phone is one switch, however many clicks |
 * | cases, contact_rate | support cases opened; cases / months |
 * | top_reason | the most frequent case reason (ties: alphabetical first) |
 * | handoffs, handoffs_per_case | team handoffs of the customer's cases (cases' one definition); / cases |
 * | nps, csat, ces | mean answer (0–10, 1–5, 1–7; higher is better on all three) |
 * | sentiment | mean comment sentiment score (−1…1) of the analysed comments |
 * | top_theme | most frequent primary theme of the customer's comments |
 * | churned | customers.churned_at before as_of; without a date, the source's churn flag |
 * | thin | fewer than `minEvents` (3) inbound events, fewer than `minActiveDays` (3) active days, or
 *   under `minTenureDays` (30) days of tenure: too little history to describe a habit; kept, assigned
 *   to the nearest persona, and left out of the discovery sample and of the persona descriptions |
 */

/** Staffed channels: an interaction on them is assisted; every other channel is self-service. */
export const ASSISTED_CHANNELS = ['phone', 'chat', 'store'] as const;
/** At most this many channels get a share column of their own (the most used); the rest are "other". */
export const MAX_CHANNELS = 8;

export interface FeatureOptions {
  /** Reference instant (ISO); default: the day after the last event (else of the last sign-up). */
  readonly asOf?: string | null;
  /** Only these customers (the mix columns are still the data's most used channels). */
  readonly customerIds?: readonly string[] | null;
  readonly minEvents?: number;
  readonly minActiveDays?: number;
  readonly minTenureDays?: number;
  /**
   * The channels given a share column, in this order (default: the data's most used). Pinned personas
   * pass their run's channels, so a new customer's mix lines up with the stored centroids even when
   * the data's most used channels have changed since.
   */
  readonly channels?: readonly string[] | null;
  /**
   * Only what discovery and assignment read (activity, mix, switching, cases, value, tenure): the
   * journey stage, scores, sentiment and themes come back null. Cards compute those themselves.
   */
  readonly lean?: boolean;
}

export interface FeatureRow {
  readonly customer_id: string;
  readonly events: number;
  readonly active_days: number;
  readonly frequency: number;
  readonly tenure_days: number;
  readonly recency_days: number | null;
  readonly value: number | null;
  readonly breadth: number;
  readonly stage_reached: number | null;
  readonly stage_share: number | null;
  readonly self_service_share: number | null;
  readonly switch_rate: number | null;
  readonly cases: number;
  readonly contact_rate: number;
  readonly top_reason: string | null;
  readonly handoffs: number;
  readonly handoffs_per_case: number | null;
  readonly nps: number | null;
  readonly csat: number | null;
  readonly ces: number | null;
  readonly sentiment: number | null;
  readonly top_theme: string | null;
  readonly churned: boolean;
  readonly thin: boolean;
  /** Share of channel-days per channel, in the order of `FeatureTable.channels` (0 without events). */
  readonly mix: readonly number[];
}

export interface FeatureTable {
  readonly asOf: string;
  readonly channels: readonly string[];
  readonly stages: number;
  readonly rows: readonly FeatureRow[];
}

/** The reference instant: as given, else the UTC day after the last event (else last sign-up, else today). */
export async function resolveAsOf(db: Store, asOf?: string | null): Promise<string> {
  // one time parser: a zone-less time is read in the workspace zone
  const given = await resolveInstant(db, asOf, 'asOf');
  if (given) return given.toISOString();
  const r = await db.one<{ t: string | null }>(sql`SELECT strftime(coalesce(
      (SELECT date_trunc('day', max(ts)) + INTERVAL 1 DAY FROM events),
      (SELECT date_trunc('day', max(created_at)) + INTERVAL 1 DAY FROM customers),
      current_date::TIMESTAMP), '%Y-%m-%dT%H:%M:%S.000Z') AS t`);
  return r!.t!;
}

/** The channels with the most inbound customer events (at most MAX_CHANNELS), most used first. */
export async function topChannels(db: Store, asOf: string): Promise<string[]> {
  const rows = await db.all<{ channel: string }>(sql`SELECT channel FROM events
    WHERE customer_id IS NOT NULL AND direction = 'inbound' AND ts < ${asOf}::TIMESTAMP
    GROUP BY channel ORDER BY count(*) DESC, channel LIMIT ${MAX_CHANNELS}`);
  return rows.map((r) => r.channel);
}

/** The default journey's id and stage count (null when no journey is drawn). */
async function defaultJourney(db: Store): Promise<{ id: string; stages: number } | null> {
  const j = await db.one<{ id: string; stages: number }>(sql`SELECT j.id,
      (SELECT count(*) FROM journey_stages s WHERE s.journey_id = j.id) AS stages
    FROM journeys j ORDER BY j.is_default DESC, j.id LIMIT 1`);
  return j && j.stages > 0 ? j : null;
}

/** The SELECT computing one row per customer (see the table above); channel shares as ch_0…ch_n. */
export function featuresQuery(
  asOf: string,
  channels: readonly string[],
  journey: { id: string; stages: number } | null,
  o: FeatureOptions = {},
): SqlFragment {
  const minEvents = o.minEvents ?? 3;
  const minTenure = o.minTenureDays ?? 30;
  const minDays = o.minActiveDays ?? 3;
  const ids = o.customerIds ?? null;
  const lean = o.lean === true;
  // a hashed semi-join on the unnested ids, not list_contains per row (10k ids × every row)
  const only = (col: SqlFragment) => (ids ? sql`AND ${col} IN (SELECT unnest(${ids}::VARCHAR[]))` : sql``);
  const mix = channels.map(
    (ch, i) =>
      sql`, coalesce(count(*) FILTER (WHERE d.channel = ${ch}) / nullif(count(*), 0), 0)::DOUBLE AS ${raw(`ch_${i}`)}`,
  );
  const mixOut = channels.map((_, i) => raw(`, coalesce(mx.ch_${i}, 0) AS ch_${i}`));
  const journeyId = journey?.id ?? null;
  const stages = journey?.stages ?? null;
  return sql`WITH ${caseMetricsCtes({ asOf })},
  p_ev AS (
    SELECT e.id, e.customer_id, e.ts, e.channel, e.touchpoint, e.stage FROM events e
    WHERE e.customer_id IS NOT NULL AND e.direction = 'inbound' AND e.ts < ${asOf}::TIMESTAMP ${only(sql`e.customer_id`)}
  ),
  p_cd AS (
    SELECT customer_id, channel, CAST(ts AS DATE) AS day, min(ts) AS first_ts FROM p_ev GROUP BY ALL
  ),
  -- distinct counts as group-bys of distinct pairs: DISTINCT aggregates were 1.7 of the 4.7 s
  p_ea AS (
    SELECT * FROM (SELECT customer_id, count(*) AS events, min(ts) AS first_ts, max(ts) AS last_ts
      FROM p_ev GROUP BY customer_id)
    JOIN (SELECT customer_id, count(*) AS active_days FROM (SELECT DISTINCT customer_id, day FROM p_cd) GROUP BY ALL)
      USING (customer_id)
    JOIN (SELECT customer_id, count(*) AS breadth FROM (SELECT DISTINCT customer_id, touchpoint FROM p_ev) GROUP BY ALL)
      USING (customer_id)
  ),
  p_mix AS (
    SELECT d.customer_id,
      count(*) FILTER (WHERE d.channel NOT IN (${raw(ASSISTED_CHANNELS.map((c) => `'${c}'`).join(', '))}))::DOUBLE / count(*) AS self_service_share
      ${join(mix, raw(''))}
    FROM p_cd d GROUP BY d.customer_id
  ),
  p_sw AS (
    SELECT customer_id, count(prev) AS pairs, count(*) FILTER (WHERE prev <> channel) AS switches
    FROM (SELECT customer_id, channel, lag(channel) OVER (PARTITION BY customer_id ORDER BY first_ts, channel) AS prev FROM p_cd)
    GROUP BY customer_id
  ),
  p_st AS (${
    lean
      ? sql`SELECT NULL::VARCHAR AS customer_id, NULL::INTEGER AS pos WHERE false`
      : sql`SELECT e.customer_id, max(js.position) AS pos
    FROM p_ev e
    LEFT JOIN journey_touchpoints jt ON jt.journey_id = ${journeyId} AND jt.touchpoint = e.touchpoint
    JOIN journey_stages js ON js.journey_id = ${journeyId} AND js.stage = coalesce(jt.stage, e.stage)
    GROUP BY e.customer_id`
  }),
  p_stage_min AS (SELECT min(position) AS p0 FROM journey_stages WHERE journey_id = ${journeyId}),
  p_ca AS (
    SELECT customer_id, count(*) AS cases, sum(team_handoffs) AS handoffs,
      arg_max(reason, n_reason) AS top_reason
    FROM (SELECT customer_id, team_handoffs, reason,
        count(*) OVER (PARTITION BY customer_id, reason) * 1e6 - dense_rank() OVER (PARTITION BY customer_id ORDER BY reason) AS n_reason
      FROM case_metrics2 WHERE customer_id IS NOT NULL ${only(sql`customer_id`)})
    GROUP BY customer_id
  ),
  p_fb AS (${
    lean
      ? sql`SELECT NULL::VARCHAR AS customer_id, NULL::DOUBLE AS nps, NULL::DOUBLE AS csat, NULL::DOUBLE AS ces,
      NULL::DOUBLE AS sentiment WHERE false`
      : sql`SELECT f.customer_id,
      avg(f.score) FILTER (WHERE f.kind = 'nps') AS nps,
      avg(f.score) FILTER (WHERE f.kind = 'csat') AS csat,
      avg(f.score) FILTER (WHERE f.kind = 'ces') AS ces,
      avg(t.score) AS sentiment
    FROM feedback f LEFT JOIN feedback_text t ON t.feedback_id = f.id
    WHERE f.customer_id IS NOT NULL AND f.ts < ${asOf}::TIMESTAMP ${only(sql`f.customer_id`)}
    GROUP BY f.customer_id`
  }),
  p_th AS (${
    lean
      ? sql`SELECT NULL::VARCHAR AS customer_id, NULL::VARCHAR AS top_theme WHERE false`
      : sql`SELECT customer_id, arg_max(theme, k) AS top_theme FROM (
      SELECT f.customer_id, t.primary_theme AS theme,
        count(*) * 1e6 - dense_rank() OVER (PARTITION BY f.customer_id ORDER BY t.primary_theme) AS k
      FROM feedback f JOIN feedback_text t ON t.feedback_id = f.id
      WHERE f.customer_id IS NOT NULL AND t.primary_theme IS NOT NULL AND f.ts < ${asOf}::TIMESTAMP ${only(sql`f.customer_id`)}
      GROUP BY f.customer_id, t.primary_theme)
    GROUP BY customer_id`
  }),
  p_base AS (
    SELECT c.id AS customer_id, c.monthly_value AS value,
      coalesce(c.created_at, ea.first_ts) AS start_ts,
      coalesce(c.churned_at < ${asOf}::TIMESTAMP, c.churned, false) AS churned,
      least(${asOf}::TIMESTAMP, coalesce(c.churned_at, ${asOf}::TIMESTAMP)) AS end_ts
    FROM customers c LEFT JOIN p_ea ea ON ea.customer_id = c.id
    WHERE (c.created_at IS NULL OR c.created_at < ${asOf}::TIMESTAMP) ${only(sql`c.id`)}
  ),
  p_life AS (
    SELECT *, greatest(coalesce(epoch(${asOf}::TIMESTAMP - start_ts) / 86400, 0), 0) AS tenure_days,
      greatest(coalesce(epoch(end_ts - start_ts) / 86400, 0), 30) / 30 AS months
    FROM p_base
  )
  SELECT l.customer_id,
    coalesce(ea.events, 0) AS events,
    coalesce(ea.active_days, 0) AS active_days,
    coalesce(ea.active_days, 0) / l.months AS frequency,
    l.tenure_days,
    epoch(${asOf}::TIMESTAMP - ea.last_ts) / 86400 AS recency_days,
    l.value,
    coalesce(ea.breadth, 0) AS breadth,
    st.pos - (SELECT p0 FROM p_stage_min) + 1 AS stage_reached,
    (st.pos - (SELECT p0 FROM p_stage_min) + 1)::DOUBLE / ${stages}::DOUBLE AS stage_share,
    mx.self_service_share,
    CASE WHEN sw.pairs > 0 THEN sw.switches::DOUBLE / sw.pairs END AS switch_rate,
    coalesce(ca.cases, 0) AS cases,
    coalesce(ca.cases, 0) / l.months AS contact_rate,
    ca.top_reason,
    coalesce(ca.handoffs, 0) AS handoffs,
    ca.handoffs::DOUBLE / ca.cases AS handoffs_per_case,
    fb.nps, fb.csat, fb.ces, fb.sentiment, th.top_theme,
    l.churned,
    coalesce(ea.events, 0) < ${minEvents} OR coalesce(ea.active_days, 0) < ${minDays}
      OR l.tenure_days < ${minTenure} AS thin
    ${join(mixOut, raw(''))}
  FROM p_life l
  LEFT JOIN p_ea ea ON ea.customer_id = l.customer_id
  LEFT JOIN p_mix mx ON mx.customer_id = l.customer_id
  LEFT JOIN p_sw sw ON sw.customer_id = l.customer_id
  LEFT JOIN p_st st ON st.customer_id = l.customer_id
  LEFT JOIN p_ca ca ON ca.customer_id = l.customer_id
  LEFT JOIN p_fb fb ON fb.customer_id = l.customer_id
  LEFT JOIN p_th th ON th.customer_id = l.customer_id
  ORDER BY l.customer_id`;
}

type RawRow = Omit<FeatureRow, 'mix'> & Record<string, unknown>;

/** Features of every customer (or of `customerIds`), one row each, ordered by customer id. */
export async function computeFeatures(db: Store, o: FeatureOptions = {}): Promise<FeatureTable> {
  const asOf = await resolveAsOf(db, o.asOf);
  const channels = o.channels ? [...o.channels] : await topChannels(db, asOf);
  const journey = await defaultJourney(db);
  const raws = await db.all<RawRow>(featuresQuery(asOf, channels, journey, o));
  const rows = raws.map((r) => {
    const mix = channels.map((_, i) => Number(r[`ch_${i}`] ?? 0));
    const out: Record<string, unknown> = { ...r, mix };
    for (let i = 0; i < channels.length; i++) delete out[`ch_${i}`];
    return out as unknown as FeatureRow;
  });
  return { asOf, channels, stages: journey?.stages ?? 0, rows };
}

export const FeaturesParams = z.object({
  customer: z.string().min(1).describe('customer id'),
  // reference instant; default the day after the last event
  asOf: TimeFrameParams.asOf,
});

export interface CustomerFeatures extends Omit<FeatureRow, 'mix'> {
  readonly as_of: string;
  readonly channel_mix: Readonly<Record<string, number>>;
}

/** `touchpoint personas features CUSTOMER`: one customer's behavioural features. */
export async function getCustomerFeatures(
  db: Store,
  params: z.output<typeof FeaturesParams>,
): Promise<CustomerFeatures> {
  const t = await computeFeatures(db, { asOf: params.asOf ?? null, customerIds: [params.customer] });
  const row = t.rows[0];
  if (!row) throw new TouchpointError('not_found', `no customer ${params.customer}`);
  const { mix, ...rest } = row;
  const channel_mix = Object.fromEntries(t.channels.map((c, i) => [c, mix[i]!]));
  return { ...rest, as_of: t.asOf, channel_mix };
}

const fmt = (v: unknown): string =>
  v === null || v === undefined
    ? '—'
    : typeof v === 'number'
      ? String(Math.round(v * 1000) / 1000)
      : String(v);

export const featuresOperation = defineOperation({
  area: 'personas',
  verb: 'features',
  summary: "One customer's behavioural features (channel mix, frequency, recency, value, contacts, scores…)",
  params: FeaturesParams,
  mode: 'read',
  positional: ['customer'],
  run: (db, params) => getCustomerFeatures(db, params),
  present: (r) => [
    {
      title: `Features of ${r.customer_id} as of ${r.as_of.slice(0, 10)}${r.thin ? ' (thin history: too little to describe)' : ''}`,
      rows: Object.entries(r)
        .filter(([k]) => k !== 'channel_mix' && k !== 'customer_id' && k !== 'as_of')
        .map(([feature, v]) => ({ feature, value: fmt(v) })),
    },
    {
      title: 'Channel mix (share of inbound events)',
      rows: Object.entries(r.channel_mix).map(([channel, share]) => ({ channel, share: fmt(share) })),
    },
  ],
});
