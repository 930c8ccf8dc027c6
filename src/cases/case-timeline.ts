import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation, type Section } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { type Store, sql } from '../store/index.js';
import {
  CSAT_FALLBACK_DAYS,
  commCtes,
  communicationWindow,
  csatSource,
  PROMISE_HOURS,
} from './communication.js';
import { round } from './figures.js';

export const CaseTimelineParams = z.object({
  case: z.string().min(1).max(200).describe('the case id'),
  promiseHours: PROMISE_HOURS,
  // events after it do not exist (default: the earlier of now and the latest case event)
  asOf: TimeFrameParams.asOf,
  fallbackDays: CSAT_FALLBACK_DAYS,
});
export type CaseTimelineParams = z.output<typeof CaseTimelineParams>;

/** One event of the case's history, in order (`ts`, then `seq`, then `id`). */
export interface CaseTimelineEvent {
  readonly id: string;
  readonly ts: string;
  readonly type: string;
  readonly team: string | null;
  readonly agent: string | null;
  readonly status: string | null;
  readonly channel: string | null;
  readonly transferReason: string | null;
  readonly promisedAt: string | null;
  readonly note: string | null;
}

/** A team's time with the case: from the assignment that brought it there to the next team's, or the end. */
export interface CaseStint {
  readonly team: string;
  readonly teamName: string | null;
  /** Agents named while the team held the case, in order, consecutive repeats collapsed. */
  readonly agents: readonly string[];
  readonly from: string;
  /** The next team's assignment, the final closure, or (open case) the as-of instant. */
  readonly to: string;
  readonly hours: number;
  /** The stint still runs (open case, last stint). */
  readonly current: boolean;
}

export interface CaseHandoff {
  readonly at: string;
  readonly from: string;
  readonly to: string;
  readonly agent: string | null;
  readonly transferReason: string | null;
  /** Back to a team the case already held and left (ping-pong). */
  readonly isReturn: boolean;
  /** Hours to the case's next event, whatever it is (docs/cases.md "time lost in a transfer"); null when none yet. */
  readonly hoursToNextEvent: number | null;
}

/** A moment the customer heard from the company (an update or the closure) and the wait before it. */
export interface CaseUpdate {
  readonly at: string;
  readonly kind: 'update_sent' | 'closed';
  readonly channel: string | null;
  /** Hours since the previous anchor (the opening, an update or a closure). */
  readonly gapHours: number;
  readonly overPromise: boolean;
}

export interface CasePromise {
  readonly madeAt: string;
  readonly promisedAt: string;
  /** The first update or closure after it and by the promised time. */
  readonly keptAt: string | null;
  readonly status: 'kept' | 'broken' | 'pending';
}

export interface CaseTimelineResult {
  readonly case: {
    readonly id: string;
    readonly customerId: string | null;
    readonly reason: string | null;
    readonly channel: string | null;
    readonly product: string | null;
    readonly priority: string | null;
    readonly status: 'open' | 'closed';
    readonly openedAt: string;
    readonly closedAt: string | null;
  };
  readonly asOf: string;
  readonly promiseHours: number;
  readonly events: readonly CaseTimelineEvent[];
  readonly stints: readonly CaseStint[];
  readonly handoffs: readonly CaseHandoff[];
  readonly updates: readonly CaseUpdate[];
  /** Open case: the wait since the last update (or the opening) up to the as-of instant. */
  readonly waiting: { readonly since: string; readonly hours: number; readonly overPromise: boolean } | null;
  readonly promises: readonly CasePromise[];
  readonly csat: {
    readonly score: number;
    readonly at: string;
    readonly comment: string | null;
    readonly source: 'case_id' | 'customer-window';
  } | null;
  readonly metrics: {
    readonly teamHandoffs: number;
    readonly returns: number;
    readonly agentReassignments: number;
    readonly reopens: number;
    readonly contacts: number;
    /** Hours from opening to the first update sent or the first closure, whichever came first; null when neither yet. */
    readonly firstReplyHours: number | null;
    /** Hours from opening to the final closure; null while open. */
    readonly resolutionHours: number | null;
    readonly fcr: boolean | null;
  };
}

const hoursBetween = (a: string, b: string): number => (Date.parse(b) - Date.parse(a)) / 3_600_000;

/**
 * One case from opening to now, as the customer and the teams lived it: every event in order, each
 * team stint with its agents, each handoff (with its return flag and the time until anyone acted),
 * each update to the customer with the gap before it against the promise, recorded promises and
 * whether they were kept, and the case's CSAT. Handoffs, returns and reassignments come from the one
 * definition (`caseMetricsCtes`, docs/cases.md); gaps from the communication timeline (`commCtes`).
 */
export async function getCaseTimeline(
  db: Store,
  params: CaseTimelineParams,
  now: Date = new Date(),
): Promise<CaseTimelineResult> {
  const [t] = await getCaseTimelines(db, [params.case], params, now);
  if (!t)
    throw new TouchpointError('not_found', `case ${params.case} does not exist in this workspace`, {
      details: [{ field: 'case', message: 'no such case' }],
    });
  return t;
}

interface MetricsRow {
  case_id: string;
  is_closed: boolean;
  closed_at: string | null;
  team_handoffs: number;
  returns: number;
  agent_reassignments: number;
  reopens: number;
  contacts: number;
  fcr: boolean | null;
  running_gap: number | null;
  last_anchor: string | null;
}
interface AsgRow {
  case_id: string;
  rn: number;
  ts: string;
  next_ts: string | null;
  agent: string | null;
  transfer_reason: string | null;
  prev_team: string | null;
  team: string;
  team_change: boolean;
  is_return: boolean;
}
interface EventRow {
  case_id: string;
  id: string;
  ts: string;
  type: string;
  team: string | null;
  agent: string | null;
  status: string | null;
  channel: string | null;
  transfer_reason: string | null;
  promised_at: string | null;
  note: string | null;
}
interface CaseRow {
  id: string;
  customer_id: string | null;
  reason: string | null;
  channel: string | null;
  product: string | null;
  priority: string | null;
  opened_at: string;
}

const groupBy = <R extends { case_id: string }>(rows: readonly R[]): Map<string, R[]> => {
  const out = new Map<string, R[]>();
  for (const r of rows) out.set(r.case_id, [...(out.get(r.case_id) ?? []), r]);
  return out;
};

/**
 * The timelines of several cases at once (a customer's cases): one set of queries whatever their
 * number, in the order of `ids`; ids that do not exist (or were opened after the as-of instant) are
 * left out.
 */
export async function getCaseTimelines(
  db: Store,
  ids: readonly string[],
  params: Omit<CaseTimelineParams, 'case'>,
  now: Date = new Date(),
): Promise<CaseTimelineResult[]> {
  if (ids.length === 0) return [];
  const w = await communicationWindow(db, { asOf: params.asOf }, now);
  const asOf = w.asOf;
  const list = [...ids];
  const only = sql`(SELECT unnest(${list}::VARCHAR[]) AS case_id)`;
  const ctes = commCtes({ asOf, only }, params.promiseHours);
  // the answer comes after the case's last event: only an as-of instant given by the caller cuts it
  const answersUpTo = params.asOf ? asOf : null;
  const [rows, ms, asgs, gapRows, eventRows, teams, source] = await Promise.all([
    db.all<CaseRow>(sql`SELECT id, customer_id, reason, channel, product, priority, opened_at FROM cases
      WHERE list_contains(${list}::VARCHAR[], id)`),
    db.all<MetricsRow>(sql`WITH ${ctes} SELECT m.case_id, m.is_closed, m.closed_at, m.team_handoffs, m.returns,
        m.agent_reassignments, m.reopens, m.contacts, m.fcr, g.running_gap, g.last_anchor
      FROM case_metrics2 m LEFT JOIN case_comm g ON g.case_id = m.case_id`),
    db.all<AsgRow>(sql`WITH ${ctes} SELECT case_id, rn, ts, next_ts, agent, transfer_reason, prev_team, team,
        team_change, is_return FROM asg ORDER BY case_id, rn`),
    db.all<{ case_id: string; ts: string; hours: number | null }>(
      sql`WITH ${ctes} SELECT case_id, ts, hours FROM gaps ORDER BY case_id, ts`,
    ),
    db.all<EventRow>(sql`SELECT case_id, id, ts, type, team, agent, status, channel, transfer_reason, promised_at, note
      FROM case_events WHERE list_contains(${list}::VARCHAR[], case_id) AND ts <= ${asOf}::TIMESTAMP
      ORDER BY case_id, ts, seq NULLS LAST, id`),
    db.all<{ id: string; name: string | null }>(sql`SELECT id, name FROM teams`),
    csatSource(db),
  ]);
  const metrics = new Map(ms.map((m) => [m.case_id, m]));
  const asgBy = groupBy(asgs);
  const gapsBy = groupBy(gapRows);
  const eventsBy = groupBy(eventRows);
  const csatBy = new Map<string, { score: number; ts: string; comment: string | null }>();
  if (source === 'case_id') {
    const answers = await db.all<{ case_id: string; score: number; ts: string; comment: string | null }>(
      sql`SELECT case_id, score, ts, comment FROM feedback
        WHERE kind = 'csat' AND list_contains(${list}::VARCHAR[], case_id) AND score IS NOT NULL
          AND (${answersUpTo}::TIMESTAMP IS NULL OR ts <= ${answersUpTo}::TIMESTAMP)
        ORDER BY case_id, ts, id`,
    );
    for (const a of answers) if (!csatBy.has(a.case_id)) csatBy.set(a.case_id, a);
  } else {
    // the customer's first CSAT within fallbackDays after the closure (only when no answer has a case id)
    for (const r of rows) {
      const m = metrics.get(r.id);
      if (!m?.is_closed || m.closed_at === null || r.customer_id === null) continue;
      const a = await db.one<{
        score: number;
        ts: string;
        comment: string | null;
      }>(sql`SELECT score, ts, comment
        FROM feedback WHERE kind = 'csat' AND score IS NOT NULL AND customer_id = ${r.customer_id}
          AND ts >= ${m.closed_at}::TIMESTAMP AND ts < ${m.closed_at}::TIMESTAMP + to_days(${params.fallbackDays}::INTEGER)
          AND (${answersUpTo}::TIMESTAMP IS NULL OR ts <= ${answersUpTo}::TIMESTAMP)
        ORDER BY ts, id LIMIT 1`);
      if (a) csatBy.set(r.id, a);
    }
  }
  const teamName = new Map(teams.map((t) => [t.id, t.name]));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return list.flatMap((id) => {
    const row = byId.get(id);
    const m = metrics.get(id);
    if (!row || !m) return [];
    return [
      assemble(row, m, asgBy.get(id) ?? [], gapsBy.get(id) ?? [], eventsBy.get(id) ?? [], {
        asOf,
        promiseHours: params.promiseHours,
        teamName,
        csat: csatBy.get(id) ?? null,
        source,
      }),
    ];
  });
}

function assemble(
  row: CaseRow,
  m: MetricsRow,
  asg: readonly AsgRow[],
  gaps: readonly { ts: string; hours: number | null }[],
  events: readonly EventRow[],
  o: {
    asOf: string;
    promiseHours: number;
    teamName: ReadonlyMap<string, string | null>;
    csat: { score: number; ts: string; comment: string | null } | null;
    source: 'case_id' | 'customer-window';
  },
): CaseTimelineResult {
  const { asOf, teamName, csat, source } = o;
  const isClosed = m.is_closed;
  const end = isClosed && m.closed_at ? m.closed_at : asOf;
  // stints: a new one at the first assignment and at every team handoff
  const stints: { team: string; agents: string[]; from: string }[] = [];
  for (const a of asg) {
    if (stints.length === 0 || a.team_change) stints.push({ team: a.team, agents: [], from: a.ts });
    const s = stints[stints.length - 1]!;
    if (a.agent !== null && s.agents[s.agents.length - 1] !== a.agent) s.agents.push(a.agent);
  }
  const stintRows: CaseStint[] = stints.map((s, i) => {
    const to = stints[i + 1]?.from ?? end;
    return {
      team: s.team,
      teamName: teamName.get(s.team) ?? null,
      agents: s.agents,
      from: s.from,
      to,
      hours: round(hoursBetween(s.from, to), 2) ?? 0,
      current: i === stints.length - 1 && !isClosed,
    };
  });
  const handoffs: CaseHandoff[] = asg
    .filter((a) => a.team_change)
    .map((a) => ({
      at: a.ts,
      from: a.prev_team ?? '',
      to: a.team,
      agent: a.agent,
      transferReason: a.transfer_reason,
      isReturn: a.is_return,
      hoursToNextEvent: a.next_ts ? round(hoursBetween(a.ts, a.next_ts), 2) : null,
    }));

  // updates: the anchors after the opening, with the gap before each (commCtes' `gaps`)
  const anchorEvents = events.filter((e) => e.type === 'update_sent' || e.type === 'closed');
  const updates: CaseUpdate[] = gaps
    .filter((g) => g.hours !== null)
    .map((g, i) => {
      const e = anchorEvents[i];
      return {
        at: g.ts,
        kind: (e?.type ?? 'update_sent') as 'update_sent' | 'closed',
        channel: e?.channel ?? null,
        gapHours: round(g.hours, 2) ?? 0,
        overPromise: (g.hours ?? 0) > o.promiseHours,
      };
    });
  const waiting =
    !isClosed && m.running_gap !== null && m.last_anchor !== null
      ? {
          since: m.last_anchor,
          hours: round(m.running_gap, 2) ?? 0,
          overPromise: m.running_gap > o.promiseHours,
        }
      : null;

  // promises: kept when an update or the closure came after the promise was made and by the promised time
  const promises: CasePromise[] = events
    .filter((e) => e.promised_at !== null)
    .map((p) => {
      const promisedAt = p.promised_at!;
      const kept = anchorEvents.find(
        (u) => Date.parse(u.ts) > Date.parse(p.ts) && Date.parse(u.ts) <= Date.parse(promisedAt),
      );
      const status = kept ? 'kept' : Date.parse(promisedAt) > Date.parse(asOf) ? 'pending' : 'broken';
      return { madeAt: p.ts, promisedAt, keptAt: kept?.ts ?? null, status };
    });

  return {
    case: {
      id: row.id,
      customerId: row.customer_id,
      reason: row.reason,
      channel: row.channel,
      product: row.product,
      priority: row.priority,
      status: isClosed ? 'closed' : 'open',
      openedAt: row.opened_at,
      closedAt: isClosed ? m.closed_at : null,
    },
    asOf,
    promiseHours: o.promiseHours,
    events: events.map((e) => ({
      id: e.id,
      ts: e.ts,
      type: e.type,
      team: e.team,
      agent: e.agent,
      status: e.status,
      channel: e.channel,
      transferReason: e.transfer_reason,
      promisedAt: e.promised_at,
      note: e.note,
    })),
    stints: stintRows,
    handoffs,
    updates,
    waiting,
    promises,
    csat: csat ? { score: csat.score, at: csat.ts, comment: csat.comment, source } : null,
    metrics: {
      teamHandoffs: m.team_handoffs,
      returns: m.returns,
      agentReassignments: m.agent_reassignments,
      reopens: m.reopens,
      contacts: m.contacts,
      // the first news the customer got: the first update or closure (cases support, same rule)
      firstReplyHours: updates[0]
        ? round(hoursBetween(row.opened_at, updates[0].at), 2)
        : isClosed && m.closed_at
          ? round(hoursBetween(row.opened_at, m.closed_at), 2)
          : null,
      resolutionHours: isClosed && m.closed_at ? round(hoursBetween(row.opened_at, m.closed_at), 2) : null,
      fcr: m.fcr,
    },
  };
}

const fmtH = (h: number | null): string => (h === null ? '–' : `${h} h`);

export const caseTimelineOperation = defineOperation({
  area: 'cases',
  verb: 'timeline',
  summary:
    'One case from opening to now: team and agent stints, handoffs, updates and their gaps, promises, CSAT',
  params: CaseTimelineParams,
  mode: 'read',
  positional: ['case'],
  run: (db, params, ctx) => getCaseTimeline(db, params, ctx.now?.() ?? new Date()),
  present: (r): Section[] => [
    {
      text: `Case ${r.case.id} · ${r.case.reason ?? '(no reason)'} · ${r.case.channel ?? ''} · customer ${r.case.customerId ?? '–'} · ${r.case.status} · opened ${r.case.openedAt}${r.case.closedAt ? ` · closed ${r.case.closedAt}` : ''}\n${r.metrics.teamHandoffs} team handoffs (${r.metrics.returns} returns), ${r.metrics.agentReassignments} agent reassignments, ${r.metrics.reopens} reopens · first reply ${fmtH(r.metrics.firstReplyHours)} · resolution ${fmtH(r.metrics.resolutionHours)} · CSAT ${r.csat ? `${r.csat.score}/5` : '–'}`,
    },
    {
      title: 'Team stints',
      rows: r.stints.map((s) => ({
        team: s.team,
        agents: s.agents.join(' > '),
        from: s.from,
        to: s.to,
        hours: s.hours,
      })),
    },
    {
      title: `Updates to the customer (promise ${r.promiseHours} h)`,
      rows: [
        ...r.updates.map((u) => ({
          at: u.at,
          kind: u.kind,
          gap_hours: u.gapHours,
          over_promise: u.overPromise,
        })),
        ...(r.waiting
          ? [
              {
                at: `(waiting since ${r.waiting.since})`,
                kind: 'open',
                gap_hours: r.waiting.hours,
                over_promise: r.waiting.overPromise,
              },
            ]
          : []),
      ],
    },
    {
      title: 'Events',
      rows: r.events.map((e) => ({
        ts: e.ts,
        type: e.type,
        team: e.team,
        agent: e.agent,
        detail: e.transferReason ?? e.status ?? e.channel ?? '',
      })),
    },
  ],
});
