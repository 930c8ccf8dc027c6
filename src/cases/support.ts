import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { FilterParams } from '../core/filters.js';
import { defineOperation, type Section } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { mean, quantileRanks } from '../stats/index.js';
import { type SqlFragment, type Store, sql } from '../store/index.js';
import { caseMetricsCtes } from './case-metrics.js';
import { CSAT_FALLBACK_DAYS, communicationWindow, csatLink, csatSource } from './communication.js';
import { pct, type Rate, rate, ratePct, round } from './figures.js';
import { caseMetricsFor } from './metrics-store.js';

/**
 * The small-group rule (issue 18): a CSAT figure for a team or an agent needs at least this many
 * answers; fewer shows no figure ("fewer than 5"), so one unhappy customer cannot name a person and a
 * figure on three answers is not read as a verdict. Not lowered by a parameter.
 */
export const MIN_CSAT_ANSWERS = 5;
/** The most periods the backlog draws (a day over 2.7 years); more asks for weeks. */
const MAX_PERIODS = 1000;

export const SupportParams = z.object({
  ...TimeFrameParams,
  ...FilterParams,
  interval: z
    .enum(['day', 'week'])
    .default('week')
    .describe('backlog periods: day or week (weeks start on Monday, UTC)'),
  by: z
    .enum(['team', 'channel'])
    .default('team')
    .describe('service levels, reopen rate and CSAT by team or by channel'),
  firstReplyHours: z
    .number()
    .positive()
    .default(24)
    .describe('first-reply SLA: hours from opening to the first update (or the closure) the customer gets'),
  resolutionHours: z
    .number()
    .positive()
    .default(72)
    .describe('resolution SLA: hours from opening to the final closure'),
  fallbackDays: CSAT_FALLBACK_DAYS,
});
export type SupportParams = z.output<typeof SupportParams>;

/** A duration against its SLA: met share (Wilson), median and 90th percentile with n. */
export interface SlaFigure {
  /** Cases measured: answered / resolved, plus open ones already past the SLA (breaches so far). */
  readonly n: number;
  readonly withinSla: Rate;
  /** Open cases not yet answered / resolved and still within the SLA: left out until they are. */
  readonly pending: number;
  /** Median hours among answered / resolved cases, with a distribution-free 95% interval. */
  readonly medianHours: number | null;
  readonly medianLow: number | null;
  readonly medianHigh: number | null;
  readonly p90Hours: number | null;
  /** Answered / resolved cases the quantiles are computed on. */
  readonly completed: number;
}

/** CSAT of a group: no figure for fewer than MIN_CSAT_ANSWERS answers. */
export interface CsatFigure {
  readonly answers: number;
  /** True when there are answers but fewer than the small-group minimum: no figure is shown. */
  readonly suppressed: boolean;
  readonly mean: number | null;
  readonly low: number | null;
  readonly high: number | null;
  /** Share of 4–5 answers (Wilson), null when suppressed. */
  readonly satisfied: Rate | null;
}

export interface SupportGroup {
  readonly key: string;
  /** Cases the group received first (first reply) and cases it held last (resolution, reopens, CSAT). */
  readonly casesReceived: number;
  readonly casesHeld: number;
  readonly firstReply: SlaFigure;
  readonly resolution: SlaFigure;
  /** Cases reopened at least once among those resolved at least once (docs/cases.md). */
  readonly reopen: Rate;
  readonly csat: CsatFigure;
}

export interface SupportResult {
  readonly asOf: string;
  readonly interval: 'day' | 'week';
  readonly by: 'team' | 'channel';
  readonly sla: { readonly firstReplyHours: number; readonly resolutionHours: number };
  readonly minAnswers: number;
  /** Per period: cases opened, closed (resolutions), reopened, and open at the period's end. */
  readonly backlog: readonly {
    readonly period: string;
    readonly opened: number;
    readonly closed: number;
    readonly reopened: number;
    readonly open: number;
  }[];
  readonly totals: SupportGroup;
  readonly groups: readonly SupportGroup[];
  /** CSAT per agent (the last agent named on the case), with the small-group rule. */
  readonly agents: readonly ({ readonly agent: string; readonly team: string | null } & CsatFigure)[];
  readonly csatSource: 'case_id' | 'customer-window';
  readonly notes: readonly string[];
}

interface SlaRow {
  key: string;
  cases: number;
  measured: number;
  within: number;
  pending: number;
  values: number[] | null;
}

function slaFigure(r: SlaRow | undefined): SlaFigure {
  const values = r?.values ?? [];
  const n = values.length;
  const at = (rank: number) => round(values[rank - 1], 2);
  const med = n > 0 ? quantileRanks(n, 0.5) : null;
  const p90 = n > 0 ? quantileRanks(n, 0.9) : null;
  return {
    n: r?.measured ?? 0,
    withinSla: rate(r?.within ?? 0, r?.measured ?? 0),
    pending: r?.pending ?? 0,
    medianHours: med ? at(med.point) : null,
    medianLow: med ? at(med.low) : null,
    medianHigh: med ? at(med.high) : null,
    p90Hours: p90 ? at(p90.point) : null,
    completed: n,
  };
}

interface CsatRow {
  key: string;
  team?: string | null;
  n: number;
  sat: number;
  sum: number;
  sum_sq: number;
}

function csatFigure(r: CsatRow | undefined): CsatFigure {
  const n = r?.n ?? 0;
  if (n < MIN_CSAT_ANSWERS)
    return { answers: n, suppressed: n > 0, mean: null, low: null, high: null, satisfied: null };
  const m = mean({ n, sum: r!.sum, sumSq: r!.sum_sq });
  return {
    answers: n,
    suppressed: false,
    mean: round(m.value, 2),
    low: round(m.low, 2),
    high: round(m.high, 2),
    satisfied: rate(r!.sat, n),
  };
}

/**
 * The figures every helpdesk report has, on the one case definition (docs/cases.md):
 * - **backlog**: cases open at the end of each day or week (UTC) — opened minus closed plus reopened
 *   up to then, closure by `closed` events (or `cases.closed_at` for a case without close/reopen
 *   events), never by the status column; with opened, closed and reopened per period;
 * - **first reply** (opening → the first update sent or the first closure, whichever came first)
 *   for the team that received the case, and **resolution** (opening → the final closure) for the
 *   team that held it last, each against its SLA: the share within (Wilson), the median with a
 *   distribution-free interval and the 90th percentile; an open case not yet answered / resolved counts
 *   as a breach once past the SLA at the as-of instant and is left out (pending) before;
 * - **reopen rate** of the team holding the case last: reopened at least once / resolved at least once;
 * - **CSAT** per team (last held) and per agent (last named): the case's first CSAT answer (by
 *   case id, else the customer's first within `fallbackDays` after closing), mean with a t interval
 *   and satisfied share, shown only for at least {@link MIN_CSAT_ANSWERS} answers.
 * Cases are those opened in [from, to); the backlog counts every case and shows the periods in range.
 */
export async function getSupport(
  db: Store,
  params: SupportParams,
  now: Date = new Date(),
): Promise<SupportResult> {
  const w = await communicationWindow(db, params, now);
  const asOf = w.asOf;
  const o = await caseMetricsFor(db, { from: w.from, to: w.to, filters: w.filters });
  const unit = params.interval;
  const step = unit === 'day' ? sql`INTERVAL 1 DAY` : sql`INTERVAL 7 DAY`;
  const trunc = unit === 'day' ? sql`'day'` : sql`'week'`;
  // the backlog counts every case opened by then (a period filter picks the periods shown)
  const all = await caseMetricsFor(db, { filters: w.filters });
  const span = await db.one<{ first: string | null; periods: number | null }>(sql`WITH ${caseMetricsCtes(all)}
    SELECT min(opened_at) AS first,
      (epoch(${asOf}::TIMESTAMP) - epoch(date_trunc(${trunc}, min(opened_at)))) / ${unit === 'day' ? 86400 : 604800} AS periods
    FROM case_metrics2`);
  if ((span?.periods ?? 0) > MAX_PERIODS)
    throw new TouchpointError(
      'invalid_input',
      `interval: ${Math.ceil(span!.periods!)} ${unit}s of cases is too many to draw; use --interval week or a later --from`,
      { details: [{ field: 'interval', message: 'too many periods' }] },
    );
  const backlog = await db.all<{
    period: string;
    opened: number;
    closed: number;
    reopened: number;
    open: number;
  }>(
    sql`WITH ${caseMetricsCtes(all)},
    deltas AS (
      SELECT opened_at AS ts, 1 AS opened, 0 AS closed, 0 AS reopened, 1 AS d FROM case_metrics2
      WHERE opened_at <= ${asOf}::TIMESTAMP
      UNION ALL
      SELECT e.ts, 0, CASE WHEN e.type = 'closed' THEN 1 ELSE 0 END, CASE WHEN e.type = 'reopened' THEN 1 ELSE 0 END,
        CASE WHEN e.type = 'closed' THEN -1 ELSE 1 END
      FROM case_events e SEMI JOIN case_metrics2 m ON m.case_id = e.case_id
      WHERE e.type IN ('closed', 'reopened') AND e.ts <= ${asOf}::TIMESTAMP
      UNION ALL
      SELECT m.case_closed_at, 0, 1, 0, -1 FROM case_metrics2 m
      WHERE m.case_closed_at IS NOT NULL AND m.case_closed_at <= ${asOf}::TIMESTAMP AND m.closes = 0 AND m.reopens = 0
    ),
    per AS (
      SELECT date_trunc(${trunc}, ts) AS period, sum(opened) AS opened, sum(closed) AS closed,
        sum(reopened) AS reopened, sum(d) AS d
      FROM deltas GROUP BY 1
    ),
    periods AS (
      SELECT unnest(range(date_trunc(${trunc}, ${span?.first ?? asOf}::TIMESTAMP),
        date_trunc(${trunc}, ${asOf}::TIMESTAMP) + ${step}, ${step})) AS period
    )
    SELECT * FROM (
      SELECT strftime(p.period, '%Y-%m-%d') AS period, coalesce(x.opened, 0)::BIGINT AS opened,
        coalesce(x.closed, 0)::BIGINT AS closed, coalesce(x.reopened, 0)::BIGINT AS reopened,
        (sum(coalesce(x.d, 0)) OVER (ORDER BY p.period))::BIGINT AS open, p.period AS ts
      FROM periods p LEFT JOIN per x ON x.period = p.period
    )
    WHERE (${w.from}::TIMESTAMP IS NULL OR ts >= date_trunc(${trunc}, ${w.from}::TIMESTAMP))
      AND (${w.to}::TIMESTAMP IS NULL OR ts < ${w.to}::TIMESTAMP)
    ORDER BY ts`,
  );

  const source = await csatSource(db);
  const firstKey = params.by === 'team' ? sql`coalesce(first_team, '(no team)')` : sql`channel`;
  const lastKey = params.by === 'team' ? sql`coalesce(last_team, '(no team)')` : sql`channel`;
  const hoursTo = (col: SqlFragment) => sql`(epoch(${col}) - epoch(opened_at)) / 3600.0`;
  const age = hoursTo(sql`${asOf}::TIMESTAMP`);
  // the first news: the first update or the first closure, whichever came first (closing tells the
  // customer); a case closed in the cases table without close events, its closure
  const frTs = sql`coalesce(least(first_update_ts, fc.ts), CASE WHEN is_closed THEN closed_at END)`;
  const base = sql`WITH ${caseMetricsCtes(o)},
    link AS (${csatLink(source, params.fallbackDays, sql`case_metrics2`)}),
    fc AS (
      SELECT e.case_id, min(e.ts) AS ts FROM case_events e SEMI JOIN case_metrics2 m ON m.case_id = e.case_id
      WHERE e.type = 'closed' AND e.ts <= ${asOf}::TIMESTAMP GROUP BY e.case_id
    ),
    x AS (
      SELECT m.*, ${hoursTo(frTs)} AS fr, CASE WHEN is_closed THEN ${hoursTo(sql`closed_at`)} END AS res,
        ${age} AS age, l.score AS csat, agent_seq[-1] AS last_agent
      FROM case_metrics2 m LEFT JOIN link l ON l.case_id = m.case_id LEFT JOIN fc ON fc.case_id = m.case_id
      WHERE m.opened_at <= ${asOf}::TIMESTAMP
    )`;
  const slaSql = (key: SqlFragment, v: SqlFragment, limit: number, grouped: boolean) =>
    sql`${base}
      SELECT ${grouped ? key : sql`'all'`} AS key, count(*) AS cases,
        count(*) FILTER (WHERE ${v} IS NOT NULL OR age > ${limit}) AS measured,
        count(*) FILTER (WHERE ${v} <= ${limit}) AS within,
        count(*) FILTER (WHERE ${v} IS NULL AND age <= ${limit}) AS pending,
        list_sort(list(${v}) FILTER (WHERE ${v} IS NOT NULL)) AS values
      FROM x ${grouped ? sql`GROUP BY 1` : sql``}`;
  const csatSql = (key: SqlFragment, grouped: boolean) => sql`${base}
    SELECT ${grouped ? key : sql`'all'`} AS key, count(csat) AS n, count(*) FILTER (WHERE csat >= 4) AS sat,
      coalesce(sum(csat), 0) AS sum, coalesce(sum(csat * csat), 0) AS sum_sq
    FROM x ${grouped ? sql`GROUP BY 1` : sql``}`;
  const reopenSql = (key: SqlFragment, grouped: boolean) => sql`${base}
    SELECT ${grouped ? key : sql`'all'`} AS key, count(*) AS cases,
      count(*) FILTER (WHERE resolutions > 0 OR reopens > 0) AS resolved_once,
      count(*) FILTER (WHERE reopens > 0) AS reopened
    FROM x ${grouped ? sql`GROUP BY 1` : sql``}`;
  const [frG, frT, resG, resT, csG, csT, roG, roT, agents] = await Promise.all([
    db.all<SlaRow>(slaSql(firstKey, sql`fr`, params.firstReplyHours, true)),
    db.all<SlaRow>(slaSql(firstKey, sql`fr`, params.firstReplyHours, false)),
    db.all<SlaRow>(slaSql(lastKey, sql`res`, params.resolutionHours, true)),
    db.all<SlaRow>(slaSql(lastKey, sql`res`, params.resolutionHours, false)),
    db.all<CsatRow>(csatSql(lastKey, true)),
    db.all<CsatRow>(csatSql(lastKey, false)),
    db.all<{ key: string; cases: number; resolved_once: number; reopened: number }>(reopenSql(lastKey, true)),
    db.all<{ key: string; cases: number; resolved_once: number; reopened: number }>(
      reopenSql(lastKey, false),
    ),
    db.all<CsatRow>(sql`${base}
      SELECT last_agent AS key, arg_max(last_team, opened_at) AS team, count(csat) AS n,
        count(*) FILTER (WHERE csat >= 4) AS sat, coalesce(sum(csat), 0) AS sum, coalesce(sum(csat * csat), 0) AS sum_sq
      FROM x WHERE last_agent IS NOT NULL GROUP BY 1 HAVING count(csat) > 0 ORDER BY 1`),
  ]);
  const by = <R extends { key: string }>(rows: readonly R[]) => new Map(rows.map((r) => [r.key, r]));
  const fr = by(frG);
  const res = by(resG);
  const cs = by(csG);
  const ro = by(roG);
  const group = (
    key: string,
    f: SlaRow | undefined,
    r: SlaRow | undefined,
    c: CsatRow | undefined,
    re: { cases: number; resolved_once: number; reopened: number } | undefined,
  ): SupportGroup => ({
    key,
    casesReceived: f?.cases ?? 0,
    casesHeld: r?.cases ?? 0,
    firstReply: slaFigure(f),
    resolution: slaFigure(r),
    reopen: rate(re?.reopened ?? 0, re?.resolved_once ?? 0),
    csat: csatFigure(c),
  });
  const keys = [...new Set([...fr.keys(), ...res.keys()])].sort();
  const groups = keys
    .map((k) => group(k, fr.get(k), res.get(k), cs.get(k), ro.get(k)))
    .sort(
      (a, b) => b.casesHeld + b.casesReceived - (a.casesHeld + a.casesReceived) || a.key.localeCompare(b.key),
    );
  const notes: string[] = [];
  const suppressedTeams = groups.filter((g) => g.csat.suppressed).length;
  const suppressedAgents = agents.filter((a) => a.n < MIN_CSAT_ANSWERS).length;
  if (suppressedTeams + suppressedAgents > 0)
    notes.push(
      `CSAT is not shown for ${suppressedTeams} ${params.by === 'team' ? 'teams' : 'channels'} and ${suppressedAgents} agents with fewer than ${MIN_CSAT_ANSWERS} answers.`,
    );
  return {
    asOf,
    interval: unit,
    by: params.by,
    sla: { firstReplyHours: params.firstReplyHours, resolutionHours: params.resolutionHours },
    minAnswers: MIN_CSAT_ANSWERS,
    backlog: backlog.map(({ period, opened, closed, reopened, open }) => ({
      period,
      opened,
      closed,
      reopened,
      open,
    })),
    totals: group('all', frT[0], resT[0], csT[0], roT[0]),
    groups,
    agents: agents.map((a) => ({ agent: a.key, team: a.team ?? null, ...csatFigure(a) })),
    csatSource: source,
    notes,
  };
}

const hours = (h: number | null) => (h === null ? '–' : `${h} h`);
const csatText = (c: CsatFigure) =>
  c.suppressed
    ? `fewer than ${MIN_CSAT_ANSWERS}`
    : c.mean === null
      ? '–'
      : `${c.mean} [${c.low ?? '–'}–${c.high ?? '–'}] n=${c.answers}`;

export const supportOperation = defineOperation({
  area: 'cases',
  verb: 'support',
  summary:
    'Backlog over time, first reply and resolution against the SLA, reopen rate and CSAT by team or channel and by agent',
  params: SupportParams,
  mode: 'read',
  cache: { maxAgeSeconds: 300 },
  run: (db, params, ctx) => getSupport(db, params, ctx.now?.() ?? new Date()),
  present: (r): Section[] => [
    {
      title: `Service levels by ${r.by} (first reply ≤ ${r.sla.firstReplyHours} h, resolution ≤ ${r.sla.resolutionHours} h; as of ${r.asOf.slice(0, 16)})`,
      rows: [r.totals, ...r.groups].map((g) => ({
        [r.by]: g.key,
        first_reply_in_sla: ratePct(g.firstReply.withinSla),
        median_first_reply: hours(g.firstReply.medianHours),
        resolved_in_sla: ratePct(g.resolution.withinSla),
        median_resolution: hours(g.resolution.medianHours),
        reopened: ratePct(g.reopen),
        csat: csatText(g.csat),
      })),
    },
    {
      title: `CSAT by agent (no figure under ${r.minAnswers} answers)`,
      rows: r.agents.map((a) => ({
        agent: a.agent,
        team: a.team ?? '',
        csat: csatText(a),
        satisfied: a.satisfied ? pct(a.satisfied.value) : '–',
      })),
    },
    {
      title: `Backlog by ${r.interval}`,
      rows: r.backlog.slice(-30).map((b) => ({
        [r.interval]: b.period,
        opened: b.opened,
        closed: b.closed,
        reopened: b.reopened,
        open: b.open,
      })),
    },
    ...r.notes.map((text) => ({ text })),
  ],
});
