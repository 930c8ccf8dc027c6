import { z } from 'zod';
import { FilterParams, filterSql, personaSlice, personasToRunEach, resolveFilters } from '../core/filters.js';
import { defineOperation } from '../core/operation.js';
import { validate } from '../core/params.js';
import { TimeFrameParams } from '../core/time.js';
import { type Finding, type StoredFinding, writeFindingMembers, writeFindings } from '../findings/index.js';
import { isSmallSample, stratifiedRiskDifference, wilson } from '../stats/index.js';
import { type SqlFragment, type Store, sql } from '../store/index.js';
import { HOUR, journeyParam, loadJourney, ownerJoin, resolveFrame, round, textList } from './journey.js';
import { journeyLayer } from './journey-layer.js';

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
  minDifference: z
    .number()
    .min(0)
    .max(1)
    .default(0.02)
    .describe(
      'leave out slices less than this much worse than their baseline (0.02 = 2 points), however certain',
    ),
  limit: z.number().int().min(1).max(500).default(50).describe('how many findings to keep'),
  write: z.boolean().default(true).describe('store the findings (touchpoint findings list)'),
  by: z
    .enum(['none', 'persona'])
    .default('none')
    .describe('persona: the pain points of each persona (newest run), ranked together'),
  ...TimeFrameParams,
  ...FilterParams,
});
export type PainPointsParams = z.input<typeof PainPointsParams>;

export interface PainPointsResult {
  readonly journey: string;
  readonly asOf: string;
  readonly findings: readonly (Finding & { readonly id?: string; readonly rank?: number })[];
}

interface StratumRow {
  kind: 'drop-off' | 'wait' | 'channel-switch';
  stage: string;
  touchpoint: string;
  channel: string | null;
  stratum: string;
  n: number;
  k: number;
  bn: number;
  bk: number;
  people: number;
  median_h: number | null;
  top_to: string | null;
  owner: string | null;
}

/**
 * Sums a slice's strata and compares it with its baseline within strata (anonymous visitors and
 * each customer segment apart), so a channel that simply serves more anonymous visitors is not
 * called worse. Keeps slices worse than their baseline.
 */
function combine(rows: readonly StratumRow[], minEvents: number, minDifference: number): SliceRow[] {
  const groups = new Map<string, StratumRow[]>();
  for (const r of rows) {
    const key = [r.kind, r.stage, r.touchpoint, r.channel ?? ''].join('\u001f');
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const out: SliceRow[] = [];
  for (const list of groups.values()) {
    const first = list[0]!;
    const sum = (f: (r: StratumRow) => number) => list.reduce((s, r) => s + f(r), 0);
    const n = sum((r) => r.n);
    const bn = sum((r) => r.bn);
    if (n < minEvents || bn === 0) continue;
    const strat = stratifiedRiskDifference(list.map((r) => ({ k1: r.k, n1: r.n, k2: r.bk, n2: r.bn })));
    if (!(strat.difference > 0) || strat.difference < minDifference) continue;
    out.push({
      kind: first.kind,
      stage: first.stage,
      touchpoint: first.touchpoint,
      channel: first.channel,
      n,
      k: sum((r) => r.k),
      bn,
      bk: sum((r) => r.bk),
      people: first.people,
      median_h: first.median_h,
      top_to: first.top_to,
      owner: first.owner,
      strat,
    });
  }
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.touchpoint.localeCompare(b.touchpoint));
}

interface SliceRow {
  strat: ReturnType<typeof stratifiedRiskDifference>;
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
 * Every comparison is made within strata (anonymous visitors, each customer segment) with
 * `stratifiedRiskDifference`. A slice is a finding when it is at least `minDifference` worse than its
 * baseline: a busy touchpoint a fraction of a point off is measured precisely but is not a pain point. Within a kind, findings rank by the
 * excess people affected, conservatively: n × (lower bound of the rate difference). Kinds measure
 * different things, so the list takes the worst of each kind in turn (drop-off, wait, switch), and
 * small samples (DESIGN.md §6) always come after well-measured ones.
 */
export async function getPainPoints(db: Store, input: PainPointsParams): Promise<PainPointsResult> {
  const p = validate(PainPointsParams, input);
  if (p.by === 'persona') return painPointsByPersona(db, p);
  const j = await loadJourney(db, p.journey);
  const frame = await resolveFrame(db, p);
  // the shared filters narrow the people measured (a persona's pain points), not the journey
  const filters = await resolveFilters(db, p);
  const inRange = sql`ts >= coalesce(${frame.from}::TIMESTAMP, TIMESTAMP '-infinity') AND ts < coalesce(${frame.to}::TIMESTAMP, TIMESTAMP 'infinity')`;
  const windowS = Math.round(p.windowDays * 86400);
  const switchS = Math.round(p.switchHours * HOUR);
  const longS = p.longWaitHours * HOUR;
  // Every journey event with its next and previous journey event and its next inbound contact (on
  // the journey or not), from the journey layer; a next event after as-of is no next event.
  const layer = await journeyLayer(db, j);
  const nextAny = sql`l.next_any_ts <= ${frame.asOf}`;
  const nextJourney = sql`l.next_journey_ts <= ${frame.asOf}`;
  // each journey event in the period with its three outcomes (null: not measured), per person
  const measuredCtes = sql`
    w AS (
      SELECT l.pk AS person, l.customer_id, l.ts, l.channel, l.touchpoint, l.stage, l.position,
        CASE WHEN l.customer_id IS NULL THEN 'anonymous' ELSE coalesce(c.segment, 'customer') END AS stratum,
        CASE WHEN ${nextAny} THEN l.next_any_ts END AS next_ts,
        CASE WHEN ${nextAny} THEN l.next_any_channel END AS next_channel,
        CASE WHEN ${nextAny} THEN l.next_any_touchpoint END AS next_touchpoint,
        CASE WHEN ${nextAny} THEN l.next_any_position END AS next_any_position,
        CASE WHEN ${nextJourney} THEN l.next_position END AS next_position,
        CASE WHEN ${nextJourney} THEN l.next_journey_ts END AS next_journey_ts,
        l.prev_journey_ts
      FROM ${layer} l LEFT JOIN customers c ON c.id = l.customer_id
      WHERE l.ts <= ${frame.asOf} AND ${filterSql(filters, { customer: sql`l.customer_id`, channel: sql`l.channel` })}
    ),
    measured AS (
      SELECT w.person, w.customer_id, w.ts, w.stage, w.touchpoint, w.channel,
        w.stratum,
        CASE
          WHEN w.position = ${j.stages.length} THEN NULL
          WHEN w.next_journey_ts IS NOT NULL AND w.next_journey_ts <= w.ts + to_seconds(${windowS}::BIGINT)
            THEN w.next_position < w.position
          WHEN w.ts + to_seconds(${windowS}::BIGINT) <= ${frame.asOf} THEN true
        END AS dropped,
        CASE WHEN epoch(w.ts) - epoch(w.prev_journey_ts) <= ${p.episodeDays * 86400}
          THEN epoch(w.ts) - epoch(w.prev_journey_ts) END AS gap,
        CASE
          WHEN w.next_ts IS NOT NULL AND w.next_ts <= w.ts + to_seconds(${switchS}::BIGINT)
            THEN w.next_channel <> w.channel AND (w.next_any_position IS NULL OR w.next_any_position < w.position
              OR w.next_touchpoint = w.touchpoint)
          WHEN w.ts + to_seconds(${switchS}::BIGINT) <= ${frame.asOf} THEN false
        END AS switched,
        CASE WHEN w.next_channel <> w.channel THEN w.next_channel END AS next_channel
      FROM w
      WHERE w.position IS NOT NULL AND ${inRange}
    )`;
  const rows = await db.all<StratumRow>(sql`
    WITH ${measuredCtes},
    cells AS (
      SELECT stage, touchpoint, channel, stratum,
        count(dropped) AS dn, count(*) FILTER (dropped) AS dk,
        count(gap) AS wn, count(*) FILTER (gap > ${longS}) AS wk,
        count(switched) AS sn, count(*) FILTER (switched) AS sk
      FROM measured GROUP BY ALL
    ),
    people AS (
      SELECT stage, touchpoint, channel, 0 AS gc,
        count(DISTINCT person) FILTER (dropped) AS dp, NULL::BIGINT AS wp,
        count(DISTINCT person) FILTER (switched) AS sp, NULL::DOUBLE AS median_h,
        mode(next_channel) FILTER (switched) AS top_to
      FROM measured GROUP BY stage, touchpoint, channel
      UNION ALL
      SELECT stage, touchpoint, NULL, 1, NULL, count(DISTINCT person) FILTER (gap > ${longS}), NULL,
        median(gap) / ${HOUR}, NULL
      FROM measured GROUP BY stage, touchpoint
    ),
    strata AS (
      SELECT 'drop-off' AS kind, stage, touchpoint, channel, stratum, dn AS n, dk AS k,
        sum(dn) OVER (PARTITION BY touchpoint, stratum) - dn AS bn,
        sum(dk) OVER (PARTITION BY touchpoint, stratum) - dk AS bk
      FROM cells
      UNION ALL
      SELECT 'wait', stage, touchpoint, NULL, stratum, sum(wn), sum(wk),
        sum(sum(wn)) OVER (PARTITION BY stratum) - sum(wn), sum(sum(wk)) OVER (PARTITION BY stratum) - sum(wk)
      FROM cells GROUP BY stage, touchpoint, stratum
      UNION ALL
      SELECT 'channel-switch', stage, touchpoint, channel, stratum, sn, sk,
        sum(sn) OVER (PARTITION BY stratum) - sn, sum(sk) OVER (PARTITION BY stratum) - sk
      FROM cells
    )
    SELECT s.kind, s.stage, s.touchpoint, s.channel, s.stratum, s.n, s.k, s.bn, s.bk,
      CASE s.kind WHEN 'drop-off' THEN p.dp WHEN 'wait' THEN p.wp ELSE p.sp END AS people,
      CASE WHEN s.kind = 'wait' THEN p.median_h END AS median_h,
      CASE WHEN s.kind = 'channel-switch' THEN p.top_to END AS top_to,
      ${ownerJoin(sql`s.touchpoint`, sql`coalesce(s.channel, '*')`)} AS owner
    FROM strata s
    JOIN people p ON p.stage = s.stage AND p.touchpoint = s.touchpoint
      AND (CASE WHEN s.kind = 'wait' THEN p.gc = 1 ELSE p.gc = 0 AND p.channel = s.channel END)
    ORDER BY s.kind, s.touchpoint, s.channel, s.stratum`);
  const cellsOut = combine(rows, p.minEvents, p.minDifference);

  const params = { ...p, write: undefined };
  const candidates = cellsOut.map((r) => toFinding(j.id, r, params));
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
  if (!p.write) return { journey: j.id, asOf: frame.asOf.toISOString(), findings: kept };
  const stored = await writeFindings(db, 'journey.pain-points', params, kept);
  // the people behind each finding, by the same rule that counted its customers affected
  if (stored.length > 0)
    await writeFindingMembers(
      db,
      stored[0]!.runId,
      painPointMembers(measuredCtes, stored, longS, p.switchHours),
    );
  return { journey: j.id, asOf: frame.asOf.toISOString(), findings: stored };
}

/**
 * `--by persona`: each persona's pain points (the analysis with that persona's filter: its slices
 * against its own baselines), ranked together — well-measured first, then by their rank within their
 * persona, so every persona's worst come before anyone's second — each with the persona in its slice.
 */
async function painPointsByPersona(
  db: Store,
  p: z.output<typeof PainPointsParams>,
): Promise<PainPointsResult> {
  const ids = await personasToRunEach(db, p.persona);
  const all: Finding[] = [];
  let head: { journey: string; asOf: string } | null = null;
  for (const persona_id of ids) {
    const r = await getPainPoints(db, { ...p, by: 'none', persona: persona_id, write: false });
    head ??= { journey: r.journey, asOf: r.asOf };
    all.push(...r.findings);
  }
  const ordered = all.sort(
    (a, b) =>
      Number(a.smallSample) - Number(b.smallSample) ||
      b.score - a.score ||
      (a.slice.persona ?? '').localeCompare(b.slice.persona ?? ''),
  );
  const kept = ordered.slice(0, p.limit).map((f, i) => ({ ...f, score: round(p.limit - i, 6) ?? 0 }));
  const params = { ...p, write: undefined };
  const stored = p.write ? await writeFindings(db, 'journey.pain-points', params, kept) : kept;
  const j = head ?? {
    journey: (await loadJourney(db, p.journey)).id,
    asOf: (await resolveFrame(db, p)).asOf.toISOString(),
  };
  return { journey: j.journey, asOf: j.asOf, findings: stored };
}

/**
 * One row per person and finding, exactly those its `customersAffected` counts: for a drop-off or
 * a channel switch, the distinct people with that outcome at the touchpoint on the channel; for a
 * wait, the people who waited longer than `longWaitHours` to arrive at the touchpoint (any channel).
 * When they first showed it, and what it was.
 */
function painPointMembers(
  measuredCtes: SqlFragment,
  findings: readonly StoredFinding[],
  longS: number,
  switchHours: number,
): SqlFragment {
  const col = (f: (x: StoredFinding) => string | undefined) => textList(findings.map((x) => f(x) ?? ''));
  return sql`
    WITH ${measuredCtes},
    want AS (
      SELECT unnest(${col((f) => f.id)}) AS finding_id, unnest(${col((f) => f.kind)}) AS kind,
        unnest(${col((f) => f.slice.stage)}) AS stage, unnest(${col((f) => f.slice.touchpoint)}) AS touchpoint,
        unnest(${col((f) => f.slice.channel)}) AS channel
    ),
    hit AS (
      SELECT w.finding_id, w.kind, m.*
      FROM measured m JOIN want w ON m.touchpoint = w.touchpoint AND coalesce(m.stage, '') = w.stage
        AND (w.kind = 'wait' OR coalesce(m.channel, '') = w.channel)
      WHERE CASE w.kind WHEN 'drop-off' THEN m.dropped WHEN 'wait' THEN m.gap > ${longS} ELSE m.switched END
    )
    SELECT finding_id, person, any_value(customer_id) AS customer_id, min(ts) AS seen_at,
      any_value(touchpoint) || coalesce(' · ' || CASE WHEN any_value(kind) = 'wait' THEN NULL ELSE any_value(channel) END, '') AS what,
      CASE any_value(kind)
        WHEN 'drop-off' THEN 'dropped off here ' || count(*) || (CASE WHEN count(*) = 1 THEN ' time' ELSE ' times' END)
        WHEN 'wait' THEN 'waited ' || round(max(gap) / 3600, 1) || ' h at the longest (' || count(*) || (CASE WHEN count(*) = 1 THEN ' long wait)' ELSE ' long waits)' END)
        ELSE 'switched to ' || coalesce(arg_min(next_channel, ts), 'another channel') || ' within ' || ${switchHours} || ' h, ' || count(*) || (CASE WHEN count(*) = 1 THEN ' time' ELSE ' times' END)
      END AS detail
    FROM hit GROUP BY finding_id, person`;
}

function toFinding(journey: string, r: SliceRow, params: Record<string, unknown>): Finding {
  const value = wilson(r.k, r.n);
  // the baseline is what this slice's rate would be at the comparison set's rates, given its own mix
  const diff = r.strat;
  const baseline = Math.min(1, Math.max(0, (value.value ?? 0) - diff.difference));
  const excessLow = Math.max(0, diff.low) * r.n;
  const slice = {
    journey,
    ...personaSlice(params as { persona?: string }),
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
      // the drill-down: where people went before and after this touchpoint
      analysis: 'journey.paths',
      params: Object.fromEntries(
        Object.entries({ around: r.touchpoint, from: params.from, to: params.to, asOf: params.asOf }).filter(
          ([, v]) => v !== undefined,
        ),
      ),
      source: { analysis: 'journey.pain-points', params },
      excessEvents: round(excessLow, 1),
      difference: {
        value: round(diff.difference),
        low: round(diff.low),
        high: round(diff.high),
        p: diff.p,
        strata: diff.strata,
        stratifiedBy: 'anonymous visitor or customer segment',
      },
      crudeBaseline: round(r.bk / r.bn),
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
