import { z } from 'zod';
import { defineOperation } from '../core/operation.js';
import { type Finding, type StoredFinding, writeFindings } from '../findings/index.js';
import { isSmallSample, twoProportions, wilson } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import {
  asOfParam,
  fromParam,
  HOUR,
  journeyEvents,
  journeyParam,
  loadJourney,
  ownerJoin,
  PERSON,
  resolveFrame,
  round,
  toParam,
} from './journey.js';

export const PainPointsParams = z.object({
  journey: journeyParam,
  windowDays: z
    .number()
    .positive()
    .default(7)
    .describe('drop-off: no next journey event at the same or a later stage within this many days'),
  episodeDays: z
    .number()
    .positive()
    .default(14)
    .describe(
      'wait: only gaps up to this long count (a longer gap is the customer coming back on their own)',
    ),
  longWaitHours: z.number().positive().default(48).describe('wait: a gap longer than this is a long wait'),
  switchHours: z
    .number()
    .positive()
    .default(24)
    .describe('channel switch: the next contact on another channel within this many hours'),
  minEvents: z.number().int().min(1).default(20).describe('leave out slices with fewer events than this'),
  limit: z.number().int().min(1).max(500).default(50).describe('how many findings to keep'),
  write: z.boolean().default(true).describe('store the findings (touchpoint findings list)'),
  from: fromParam,
  to: toParam,
  asOf: asOfParam,
});
export type PainPointsParams = z.input<typeof PainPointsParams>;

export interface PainPointsResult {
  readonly journey: string;
  readonly asOf: string;
  readonly findings: readonly (Finding & { readonly id?: string; readonly rank?: number })[];
}

interface SliceRow {
  kind: 'drop-off' | 'wait' | 'channel-switch';
  stage: string | null;
  touchpoint: string;
  channel: string | null;
  /** events measured in the slice */
  n: number;
  /** events with the bad outcome (drop-off, long wait, switch) */
  k: number;
  /** the same over the baseline (rest of the comparison set) */
  bn: number;
  bk: number;
  people: number;
  median_h: number | null;
  top_to: string | null;
  owner: string | null;
}

const KIND_ORDER = { 'drop-off': 0, wait: 1, 'channel-switch': 2 } as const;

/**
 * Pain points of a journey, each a Finding measured against the journey's own baseline:
 * - drop-off (per touchpoint × channel): share of the journey's inbound events at the touchpoint whose
 *   person's next journey event within `windowDays` is not at the same or a later stage (nothing
 *   more, or back to an earlier stage; the last stage is the journey's end, not a drop-off); baseline = the same touchpoint on the other channels. Events
 *   whose window had not elapsed at as-of and have no next event are left out.
 * - wait (per touchpoint): share of arrivals at the touchpoint whose gap since the person's previous
 *   journey event (at most `episodeDays`) exceeds `longWaitHours`; baseline = all other arrivals in
 *   the journey.
 * - channel-switch (per touchpoint × channel): share of events followed, within `switchHours`, by the
 *   person's next inbound contact (any touchpoint) on another channel; baseline = the journey's other
 *   touchpoint × channel cells.
 * A slice is a finding when its rate is worse than its baseline. Within a kind, findings rank by the
 * excess people affected, conservatively: n × (lower bound of the rate difference). Kinds measure
 * different things, so the list takes the worst of each kind in turn (drop-off, wait, switch), and
 * small samples (DESIGN.md §6) always come after well-measured ones.
 */
export async function getPainPoints(db: Store, input: PainPointsParams): Promise<PainPointsResult> {
  const p = PainPointsParams.parse(input);
  const j = await loadJourney(db, p.journey);
  const frame = await resolveFrame(db, p);
  const inRange = sql`ts >= coalesce(${frame.from}::TIMESTAMP, TIMESTAMP '-infinity') AND ts < coalesce(${frame.to}::TIMESTAMP, TIMESTAMP 'infinity')`;
  const windowS = Math.round(p.windowDays * 86400);
  const rows = await db.all<SliceRow>(sql`
    WITH ev AS (
      SELECT person, ts, channel, touchpoint, stage, position,
        lead(position) OVER w AS next_position, lead(ts) OVER w AS next_ts,
        epoch(ts) - epoch(lag(ts) OVER w) AS gap
      FROM (${journeyEvents(j, frame, { inboundOnly: true })})
      WINDOW w AS (PARTITION BY person ORDER BY ts, position, touchpoint)
    ),
    measured AS (
      SELECT *,
        CASE
          WHEN position = ${j.stages.length} THEN NULL
          WHEN next_ts IS NOT NULL AND next_ts <= ts + to_seconds(${windowS}::BIGINT) THEN next_position < position
          WHEN ts + to_seconds(${windowS}::BIGINT) <= ${frame.asOf} THEN true
        END AS dropped
      FROM ev WHERE ${inRange}
    ),
    drop_cells AS (
      SELECT stage, touchpoint, channel, count(dropped) AS n, count(*) FILTER (dropped) AS k,
        count(DISTINCT person) FILTER (dropped) AS people
      FROM measured GROUP BY ALL
    ),
    drops AS (
      SELECT 'drop-off' AS kind, stage, touchpoint, channel, n, k,
        sum(n) OVER (PARTITION BY touchpoint) - n AS bn, sum(k) OVER (PARTITION BY touchpoint) - k AS bk,
        people, NULL::DOUBLE AS median_h, NULL::VARCHAR AS top_to
      FROM drop_cells
    ),
    wait_cells AS (
      SELECT stage, touchpoint, count(*) AS n,
        count(*) FILTER (gap > ${p.longWaitHours * HOUR}) AS k,
        count(DISTINCT person) FILTER (gap > ${p.longWaitHours * HOUR}) AS people,
        median(gap) / ${HOUR} AS median_h
      FROM measured WHERE gap IS NOT NULL AND gap <= ${p.episodeDays * 86400}
      GROUP BY ALL
    ),
    waits AS (
      SELECT 'wait', stage, touchpoint, NULL::VARCHAR, n, k, sum(n) OVER () - n, sum(k) OVER () - k,
        people, median_h, NULL::VARCHAR
      FROM wait_cells
    ),
    contacts AS (
      SELECT ${PERSON} AS person, ts, channel, touchpoint,
        lead(channel) OVER w AS next_channel, lead(ts) OVER w AS next_ts
      FROM events WHERE direction = 'inbound' AND ts <= ${frame.asOf}
      WINDOW w AS (PARTITION BY ${PERSON} ORDER BY ts, touchpoint)
    ),
    switch_events AS (
      SELECT m.stage, c.touchpoint, c.channel, c.person,
        c.next_channel <> c.channel AND c.next_ts <= c.ts + to_seconds(${Math.round(p.switchHours * HOUR)}::BIGINT) AS switched,
        c.next_channel
      FROM contacts c
      JOIN (SELECT DISTINCT touchpoint, stage FROM measured) m ON m.touchpoint = c.touchpoint
      WHERE ${inRange} AND (c.next_ts IS NOT NULL OR c.ts + to_seconds(${Math.round(p.switchHours * HOUR)}::BIGINT) <= ${frame.asOf})
    ),
    switch_cells AS (
      SELECT stage, touchpoint, channel, count(*) AS n, count(*) FILTER (switched) AS k,
        count(DISTINCT person) FILTER (switched) AS people,
        mode(next_channel) FILTER (switched) AS top_to
      FROM switch_events GROUP BY ALL
    ),
    switches AS (
      SELECT 'channel-switch', stage, touchpoint, channel, n, k, sum(n) OVER () - n, sum(k) OVER () - k,
        people, NULL::DOUBLE, top_to
      FROM switch_cells
    ),
    slices AS (SELECT * FROM drops UNION ALL SELECT * FROM waits UNION ALL SELECT * FROM switches)
    SELECT s.*, ${ownerJoin(sql`s.touchpoint`, sql`coalesce(s.channel, '*')`)} AS owner
    FROM slices s
    WHERE s.n >= ${p.minEvents} AND s.bn > 0 AND s.k * s.bn > s.bk * s.n
    ORDER BY s.kind, s.touchpoint, s.channel`);

  const params = { ...p, write: undefined };
  const candidates = rows.map((r) => toFinding(j.id, r, params));
  // round-robin over kinds: the worst of each kind first, well-measured before small samples
  const byKind = new Map<string, Finding[]>();
  for (const f of candidates.sort((a, b) => b.score - a.score)) {
    const list = byKind.get(f.kind) ?? [];
    list.push(f);
    byKind.set(f.kind, list);
  }
  const ordered: Finding[] = [];
  for (const measuredWell of [true, false]) {
    const lists = [...byKind.entries()]
      .sort(
        (a, b) => KIND_ORDER[a[0] as keyof typeof KIND_ORDER] - KIND_ORDER[b[0] as keyof typeof KIND_ORDER],
      )
      .map(([, l]) => l.filter((f) => f.smallSample !== measuredWell));
    for (let i = 0; lists.some((l) => i < l.length); i++) {
      const round_ = lists.map((l) => l[i]).filter((f): f is Finding => f !== undefined);
      ordered.push(...round_.sort((a, b) => b.score - a.score));
    }
  }
  const kept = ordered.slice(0, p.limit).map((f, i) => ({ ...f, score: round(p.limit - i, 6) ?? 0 }));
  const stored: readonly (Finding & { id?: string; rank?: number })[] = p.write
    ? await writeFindings(db, 'journey.pain-points', params, kept)
    : kept;
  return { journey: j.id, asOf: frame.asOf.toISOString(), findings: stored };
}

function toFinding(journey: string, r: SliceRow, params: Record<string, unknown>): Finding {
  const value = wilson(r.k, r.n);
  const baseline = r.bk / r.bn;
  const diff = twoProportions(r.k, r.n, r.bk, r.bn);
  const excessLow = Math.max(0, diff.low) * r.n;
  const slice = {
    journey,
    ...(r.stage ? { stage: r.stage } : {}),
    touchpoint: r.touchpoint,
    ...(r.channel ? { channel: r.channel } : {}),
    ...(r.kind === 'channel-switch' && r.top_to ? { to: r.top_to } : {}),
  };
  const where = `${r.touchpoint}${r.channel ? ` (${r.channel})` : ''}`;
  const pts = (x: number) => `${(100 * x).toFixed(1)}%`;
  const title =
    r.kind === 'drop-off'
      ? `${where}: ${pts(value.value)} drop off, vs ${pts(baseline)} on other channels`
      : r.kind === 'wait'
        ? `${where}: ${pts(value.value)} wait over ${params.longWaitHours} h (median ${round(r.median_h ?? 0, 1)} h), vs ${pts(baseline)} in the journey`
        : `${where}: ${pts(value.value)} switch channel${r.top_to ? ` (mostly to ${r.top_to})` : ''} within ${params.switchHours} h, vs ${pts(baseline)} in the journey`;
  return {
    kind: r.kind,
    p: 'process',
    title,
    slice,
    metric:
      r.kind === 'drop-off'
        ? 'drop-off rate'
        : r.kind === 'wait'
          ? `share of waits over ${params.longWaitHours} h`
          : `channel switch rate within ${params.switchHours} h`,
    value: round(value.value),
    baseline: round(baseline),
    ciLow: round(value.low),
    ciHigh: round(value.high),
    n: r.n,
    smallSample: isSmallSample(value),
    // excess events beyond the baseline rate, at the lower end of the difference's interval
    score: round(excessLow + diff.statistic / 1000, 6) ?? 0,
    customersAffected: r.people,
    evidence: {
      analysis: r.kind === 'drop-off' ? 'journey.funnel' : 'journey.paths',
      params: {
        ...(r.kind === 'drop-off' ? { level: 'touchpoint', by: ['channel'] } : { around: r.touchpoint }),
        from: params.from,
        to: params.to,
        asOf: params.asOf,
      },
      source: { analysis: 'journey.pain-points', params },
      excessEvents: round(excessLow, 1),
      difference: { value: round(diff.difference), low: round(diff.low), high: round(diff.high), p: diff.p },
      ...(r.median_h !== null ? { medianHours: round(r.median_h, 2) } : {}),
    },
    ownerTeam: r.owner,
  };
}

export const painPointsOperation = defineOperation({
  area: 'journey',
  verb: 'pain-points',
  summary: 'Rank drop-offs, waits and channel switches against the journey’s own baseline; writes findings',
  params: PainPointsParams,
  mode: 'write',
  listField: 'findings',
  run: (db, params) => getPainPoints(db, params),
  present: (r) => [
    {
      title: `Pain points of ${r.journey} (as of ${r.asOf.slice(0, 16)})`,
      rows: r.findings.map((f, i) => ({
        rank: i + 1,
        kind: f.kind,
        touchpoint: f.slice.touchpoint,
        channel: f.slice.channel ?? '',
        value: f.value,
        baseline: f.baseline,
        n: f.n,
        customers: f.customersAffected,
        owner: f.ownerTeam,
        flag: f.smallSample ? 'small sample' : '',
      })),
    },
  ],
});
